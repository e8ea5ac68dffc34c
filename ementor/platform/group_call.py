"""Group calls: green threads that make the same kind of call at the same time share one call.

The first caller of a group starts a green thread that makes the call for everyone waiting; callers
that arrive while it runs wait for the next call, which takes all of them at once (a group commit).
Under load many callers share each call; alone, a caller's call goes out at once. Used for the
confirm wait of republished events (publisher.GroupPublisher) and for the contact details each
planned notification needs (notifications asks profiles once for everyone waiting).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider


class GroupCall:
    """`group(key, item)` returns this item's part of `call(key, items)`, made once for the items of
    every caller waiting with the same key. `call` returns one result per item, in order; what it
    raises, every caller of that call raises. `stopped()` is what callers get if the calling green
    thread is killed before it answers them."""

    def __init__(self, call: Callable[[Hashable, list], list], stopped: Callable[[], Exception],
                 spawn=eventlet.spawn_n):
        self.call, self.stopped, self.spawn = call, stopped, spawn
        self._waiting: dict[Hashable, list[tuple[Any, Event]]] = {}
        self._calling: set[Hashable] = set()

    def __call__(self, key: Hashable, item: Any) -> Any:
        answered = Event()
        self._waiting.setdefault(key, []).append((item, answered))
        if key not in self._calling:
            self._calling.add(key)
            self.spawn(self._answer, key)
        failed, value = answered.wait()
        if failed:
            raise value
        return value

    def _answer(self, key: Hashable) -> None:
        batch: list = []
        try:
            while self._waiting.get(key):
                batch = self._waiting.pop(key)
                try:
                    results = self.call(key, [item for item, _ in batch])
                    if len(results) != len(batch):
                        raise ValueError(f"{len(results)} results for {len(batch)} callers")
                    outcomes = [(False, result) for result in results]
                except Exception as exc:  # noqa: BLE001 - raised in each caller of this call
                    outcomes = [(True, exc)] * len(batch)
                for (_, answered), outcome in zip(batch, outcomes):
                    answered.send(outcome)
                batch = []
        finally:
            self._calling.discard(key)
            for _, answered in batch:  # killed mid-call: its callers must not wait for ever
                answered.send((True, self.stopped()))


class SharedGroupCall(DependencyProvider):
    """One GroupCall per service container, shared by its workers: `group(key, item)`."""

    def __init__(self, call: Callable[[Hashable, list], list], stopped: Callable[[], Exception]):
        self.call, self.stopped = call, stopped

    def setup(self):
        self.group = GroupCall(self.call, self.stopped)

    def get_dependency(self, worker_ctx) -> GroupCall:
        return self.group
