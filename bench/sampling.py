"""CPU attribution for a benchmark: which share of a process's CPU is spent inside the store stand-in,
and what the whole machine spent (`machine_cpu_seconds`).

A SIGPROF timer fires every `interval` seconds of the process's CPU time (so an idle process takes no
samples); each sample walks the interrupted stack and counts it as the store's when any frame is in
mongomock or ementor/platform/standin*.py. On a real MongoDB that time would be the server's, behind
an index; what remains is ementor's own code (with pymongo's and mongoengine's client-side work,
which a real MongoDB keeps). Green threads share the main thread's stack, so the running one is seen.
Not a benchmark (no `main(argv)`): bench/round_trips.py, bench/messaging.py and bench/platform_load.py
use it.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import time

STORE_PARTS = ("/mongomock/", "/ementor/platform/standin")  # standin.py and standin_values.py
OWN_PARTS = ("/ementor/", "/services/")
PASS_THROUGH = ("/ementor/platform/tenancy.py",)  # the tenancy guard's wrappers: name their caller instead


def machine_cpu_seconds() -> dict[str, float]:
    """CPU seconds of the whole machine since boot, all cores (Linux /proc/stat): busy, in total, and
    stolen by the hypervisor for other guests (a run that loses them is slower for reasons outside
    the code)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle and iowait
    return {"busy": (sum(fields[:8]) - idle) / tick, "total": sum(fields[:8]) / tick, "steal": fields[7] / tick}


def python_reference_ms(repeats: int = 5) -> float:
    """How fast this machine runs Python now: the best of `repeats` timings of a fixed mix of the
    work a service does (string formatting, dict writes, function calls, JSON). Throughput figures
    from different hours or machines compare only beside it: lower is faster."""
    def one() -> float:
        started = time.perf_counter()
        table = {}
        for i in range(50_000):
            key = f"k{i}"
            table[key] = len(key) + i
        json.loads(json.dumps(table))
        return time.perf_counter() - started

    return round(1000 * min(one() for _ in range(repeats)), 1)


def in_store(frame) -> bool:
    while frame is not None:
        name = frame.f_code.co_filename
        if any(part in name for part in STORE_PARTS):
            return True
        frame = frame.f_back
    return False


def own_caller(frame) -> str:
    """The innermost frame of ementor's own code (not the stand-in, nor the tenancy guard's
    pass-through wrappers), as `path:function`."""
    while frame is not None:
        name = frame.f_code.co_filename
        if (any(part in name for part in OWN_PARTS) and not any(part in name for part in STORE_PARTS)
                and not name.endswith(PASS_THROUGH)):
            for part in OWN_PARTS:
                if part in name:
                    return f"{part.strip('/')}/{name.split(part, 1)[1]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "(outside ementor)"


class Sampler:
    def __init__(self, interval: float = 0.002):
        self.interval = interval
        self.samples = 0
        self.store = 0
        self.where: collections.Counter = collections.Counter()  # (own caller, in the stand-in) -> samples

    def _sample(self, signum, frame) -> None:
        self.samples += 1
        store = in_store(frame)
        if store:
            self.store += 1
        self.where[(own_caller(frame), store)] += 1

    def start(self) -> Sampler:
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)

    def mark(self) -> Mark:
        return Mark(self)


class Mark:
    """CPU since the mark, and the stand-in's share of it."""

    def __init__(self, sampler: Sampler):
        self.sampler = sampler
        self.cpu, self.samples, self.store = time.process_time(), sampler.samples, sampler.store

    def cpu_seconds(self) -> float:
        return time.process_time() - self.cpu

    def store_share(self) -> float:
        samples = self.sampler.samples - self.samples
        return (self.sampler.store - self.store) / samples if samples else 0.0
