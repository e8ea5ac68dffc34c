"""The one way a service runs work in the background: a `BackgroundLoop` around a `tick()`.

A loop ticks when it is kicked (a worker just stored something to do), every `poll_seconds`
otherwise (work left by a replica that died, retries that fell due), and again at once while a
tick says there may be more. A tick that raises is logged and the loop pauses for `backoff()`,
the one back-off formula of the platform (the event consumer uses it between redeliveries too);
kicks meanwhile are remembered, not lost. With `leases` the loop ticks only in the replica that
holds the loop's lease (singleton work such as a scheduler); without, every replica ticks and the
tick's own atomic claims share the work. `stop()` lets a running tick finish, for a while.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable

import eventlet
from eventlet.queue import Empty, Full, LightQueue

from .metrics import LOOP_FAILURES, LOOP_LAG, LOOP_TICKS
from .schedule import HOLDER, Leases

log = logging.getLogger(__name__)


def backoff(failures: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Seconds to wait after `failures` failures in a row: doubling from `base`, at most `cap`,
    times a random factor in [0.5, 1] so that replicas failing together do not retry together."""
    return min(cap, base * 2 ** min(max(failures, 0), 32)) * random.uniform(0.5, 1.0)


class BackgroundLoop:
    """Runs `tick()` in a green thread. `tick` returns something true when it may have left work."""

    def __init__(self, service: str, name: str, tick: Callable[[], object], *, poll_seconds: float = 1.0,
                 backoff_base: float = 0.5, backoff_cap: float = 30.0, leases: Leases | None = None,
                 lease_seconds: float | None = None, stop_seconds: float = 5.0):
        self.service, self.name, self.tick = service, name, tick
        self.poll_seconds = poll_seconds
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.leases = leases
        self.lease_name = f"{service}.{name}"
        self.lease_seconds = lease_seconds if lease_seconds is not None else max(3 * poll_seconds, 1.0)
        self.holder = f"{HOLDER}:{uuid.uuid4().hex[:6]}"  # one per loop, even several in a process
        self.stop_seconds = stop_seconds
        self.failures = 0
        self._wake: LightQueue = LightQueue(maxsize=1)
        self._kicked_at: float | None = None
        self._stopping = False
        self._gt = None

    def start(self, spawn: Callable | None = None) -> None:
        """Start ticking; `spawn(fn)` runs the loop (a nameko container's managed thread, say)."""
        self._stopping = False
        self._gt = (spawn or eventlet.spawn)(self._run)

    def kick(self) -> None:
        """Tick soon, whatever the poll interval; many kicks before the tick make one tick."""
        if self._kicked_at is None:
            self._kicked_at = time.monotonic()
        try:
            self._wake.put_nowait(True)
        except Full:  # already woken
            pass

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the running tick, waiting at most `timeout` (default `stop_seconds`) for it."""
        self._stopping = True
        self.kick()
        gt, self._gt = self._gt, None
        if gt is None:
            return
        wait = self.stop_seconds if timeout is None else timeout
        if wait > 0:
            with eventlet.Timeout(wait, False):
                try:
                    gt.wait()
                except Exception as exc:  # noqa: BLE001 - the loop ended badly; it is stopped all the same
                    log.debug("%s: %s ended with %r", self.service, self.name, exc)
                return
        gt.kill()

    def _run(self) -> None:
        more = False
        while not self._stopping:
            if not more:
                try:
                    self._wake.get(timeout=self.poll_seconds)
                except Empty:
                    pass
                if self._stopping:
                    return
            else:
                eventlet.sleep(0)  # let others run between back-to-back ticks
            more = self.run_once()

    def run_once(self) -> bool:
        """One tick, with the lease, metrics and back-off; True if the tick may have left work."""
        if self.leases is not None and not self.leases.acquire(self.lease_name, self.lease_seconds, self.holder):
            return False
        kicked_at, self._kicked_at = self._kicked_at, None
        if kicked_at is not None:
            LOOP_LAG.labels(self.service, self.name).observe(time.monotonic() - kicked_at)
        LOOP_TICKS.labels(self.service, self.name).inc()
        try:
            more = bool(self.tick())
        except Exception as exc:  # noqa: BLE001 - the database or broker away: the work stays stored
            self.failures += 1
            LOOP_FAILURES.labels(self.service, self.name).inc()
            delay = backoff(self.failures, base=self.backoff_base, cap=self.backoff_cap)
            log.warning("%s: %s failed (%r); trying again in %.1fs", self.service, self.name, exc, delay)
            eventlet.sleep(delay)
            return False
        self.failures = 0
        return more
