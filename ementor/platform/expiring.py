"""A replica's short-lived copy of what rarely changes: entries lapse a fixed time after they were put.

Services read some documents for every event or request (an organisation's settings, a
conversation, an identity provider's keys) that staff change rarely. Each replica keeps them here
for a few seconds: its own changes drop the entry at once, another replica's reach it when the
entry lapses. Plain dict operations, so green threads and threads can share one.
"""

from __future__ import annotations

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Expiring(Generic[K, V]):
    def __init__(self, seconds: float, *, max_entries: int | None = None):
        self.seconds = seconds
        self.max_entries = max_entries  # past it, everything is dropped: simpler than LRU, and rare
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        """The value put for `key` less than `seconds` ago, else None."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def remember(self, key: K, value: V) -> V:
        if self.max_entries is not None and len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.seconds, value)
        return value

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
