"""A store that yields: mongomock calls that let other green threads run, so races show up.

mongomock never yields to the eventlet hub, so two green threads that read and then write
always run one after the other in tests, while a real MongoDB interleaves them. In this mode
every collection operation first yields to the hub (`yield`) or sleeps a random 0-3 ms
(`stress`), and yields again once it is done, as a call over the network would. Each outermost
operation still runs atomically (mongomock builds find_one_and_update from find_one and an
update; yielding between those would invent races a real server does not have).
"""

from __future__ import annotations

import functools
import random
from contextlib import contextmanager

import eventlet
from eventlet import corolocal
from mongomock.collection import Collection

MODES = ("plain", "yield", "stress")
OPERATIONS = (
    "find", "find_one", "find_one_and_update", "find_one_and_replace", "find_one_and_delete", "count_documents",
    "aggregate", "distinct", "insert_one", "insert_many", "update_one", "update_many", "replace_one",
    "delete_one", "delete_many", "bulk_write",
)
_depth = corolocal.local()


def _pause(mode: str, rng: random.Random) -> None:
    eventlet.sleep(rng.uniform(0, 0.003) if mode == "stress" else 0)


def _yielding(operation, mode: str, rng: random.Random):
    @functools.wraps(operation)
    def call(self, *args, **kwargs):
        depth = getattr(_depth, "value", 0)
        if depth:  # inside another operation: that one is the atomic unit
            return operation(self, *args, **kwargs)
        _pause(mode, rng)
        _depth.value = 1
        try:
            return operation(self, *args, **kwargs)
        finally:
            _depth.value = 0
            _pause(mode, rng)

    return call


@contextmanager
def store_mode(mode: str, seed: int | None = None):
    """Make every mongomock collection operation yield (`yield`), or sleep 0-3 ms (`stress`)."""
    if mode not in MODES:
        raise ValueError(f"store mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "plain":
        yield
        return
    rng = random.Random(seed)
    originals = {name: Collection.__dict__[name] for name in OPERATIONS if name in Collection.__dict__}
    for name, operation in originals.items():
        setattr(Collection, name, _yielding(operation, mode, rng))
    try:
        yield
    finally:
        for name, operation in originals.items():
            setattr(Collection, name, operation)


def contend(*contenders, timeout: float = 10.0) -> list:
    """Run each callable in its own green thread, all released at once; their results, in order."""
    start = eventlet.event.Event()

    def run(fn):
        start.wait()
        return fn()

    pool = [eventlet.spawn(run, fn) for fn in contenders]
    eventlet.sleep(0)
    start.send()
    with eventlet.Timeout(timeout):
        return [gt.wait() for gt in pool]
