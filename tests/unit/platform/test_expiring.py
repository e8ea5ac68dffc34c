"""A replica's short-lived copies: a value is served until it lapses, its own change drops it, and
the map never grows past its bound."""

from __future__ import annotations

import pytest

from ementor.platform import expiring
from ementor.platform.expiring import Expiring


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(expiring.time, "monotonic", lambda: now[0])
    return now


def test_a_value_is_served_until_it_lapses(clock):
    copies: Expiring[str, str] = Expiring(5.0)
    assert copies.get("org-1") is None
    assert copies.remember("org-1", "settings v1") == "settings v1"
    clock[0] += 4.9
    assert copies.get("org-1") == "settings v1"
    clock[0] += 0.1
    assert copies.get("org-1") is None, "lapsed: the next read goes to the store"


def test_a_dropped_value_is_read_again_at_once(clock):
    copies: Expiring[str, str] = Expiring(5.0)
    copies.remember("org-1", "settings v1")
    copies.remember("org-2", "other")
    copies.drop("org-1")
    copies.drop("never-there")
    assert (copies.get("org-1"), copies.get("org-2")) == (None, "other")


def test_past_its_bound_everything_is_dropped_rather_than_growing(clock):
    copies: Expiring[int, int] = Expiring(5.0, max_entries=3)
    for n in range(3):
        copies.remember(n, n)
    copies.remember(3, 3)
    assert [copies.get(n) for n in range(4)] == [None, None, None, 3]
