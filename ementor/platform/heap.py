"""The garbage collector after start-up: what a service builds to start it keeps until it exits.

Modules, classes, routes, validators and compiled templates are most of a started service's heap.
Every full collection walked them all again, and on the eventlet hub a full collection stops every
request and event for its length (about 100 ms in the notifications benchmark at 20 events/s).
Frozen, they are left out of every later collection; what requests create is collected as before.

The young generation is collected after 20,000 new objects, not Python's 700: one request or event
allocates thousands, so at 700 its short-lived objects were seen by several young collections,
promoted, and swept again by the older ones (a `bench.messaging` run: 1,378 young and 12 full
collections at 700, 301 and 3 now; a few MB more heap at most).
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 20_000  # new objects between young collections (Python's default: 700)


def settle_after_start() -> None:
    """Collect once, then freeze what survives (call once the service is started, not per request)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
