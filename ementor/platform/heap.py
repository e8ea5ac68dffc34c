"""The garbage collector after start-up: what a service builds to start it keeps until it exits.

Modules, classes, routes, validators and compiled templates are most of a started service's heap.
Every full collection walked them all again, and on the eventlet hub a full collection stops every
request and event for its length (about 100 ms in the notifications benchmark at 20 events/s).
Frozen, they are left out of every later collection; what requests create is collected as before.
"""

from __future__ import annotations

import gc


def settle_after_start() -> None:
    """Collect once, then freeze what survives (call once the service is started, not per request)."""
    gc.collect()
    gc.freeze()
