"""The sender loop's choice of what to claim: the pool, the batch and the per-endpoint limit."""

from __future__ import annotations

from collections import Counter

import eventlet
import pytest
from eventlet.greenpool import GreenPool

from services.integrations.dispatcher import WebhookDispatcher
from services.integrations.documents import Delivery

pytestmark = pytest.mark.unit


class FakeRepository:
    """Due deliveries in order; a claim takes those asked for (`stolen` were taken by another sender)."""

    def __init__(self, webhook_ids: list[str], stolen: set[str] = frozenset()):
        self.due = [{"_id": f"d{n}", "tenant_id": "org1", "webhook_id": w} for n, w in enumerate(webhook_ids)]
        self.stolen = set(stolen)
        self.asked: list[dict] = []
        self.webhook_reads = 0

    def due_deliveries(self, now, *, limit, skip_webhooks):
        self.asked.append({"limit": limit, "skip": sorted(skip_webhooks)})
        return [d for d in self.due if d["webhook_id"] not in skip_webhooks][:limit]

    def claim(self, candidates, now, lease):
        won = [c for c in candidates if c["_id"] not in self.stolen]
        self.due = [d for d in self.due if d not in candidates]
        return [Delivery(id=c["_id"], tenant_id=c["tenant_id"], webhook_id=c["webhook_id"], event_id=c["_id"],
                         event_type="MatchAccepted", body="{}") for c in won]

    def webhooks_of(self, deliveries):
        self.webhook_reads += 1
        return {}


class HeldSender:
    """Attempts that wait until released, so what is in flight can be counted."""

    def __init__(self):
        self.release = eventlet.event.Event()
        self.started: list[str] = []

    def attempt(self, delivery, webhook):
        self.started.append(delivery.id)
        self.release.wait()


def dispatcher(repo, *, pool_size=200, batch=50) -> tuple[WebhookDispatcher, HeldSender]:
    d = WebhookDispatcher(per_endpoint=4, pool_size=pool_size, batch=batch)
    d.repo, d.sender, d.pool, d.in_flight, d.waiting = repo, HeldSender(), GreenPool(pool_size), Counter(), False
    d.kicks = 0

    def kick():
        d.kicks += 1

    d.kick = kick
    return d, d.sender


def test_one_claim_takes_at_most_four_per_endpoint_and_the_rest_waits():
    repo = FakeRepository(["a"] * 10 + ["b"] * 2)
    d, sender = dispatcher(repo)
    assert d.dispatch_due() is False  # fewer than a batch were due
    eventlet.sleep(0)
    assert Counter(sender.started) == Counter({f"d{n}": 1 for n in (0, 1, 2, 3, 10, 11)})
    assert d.in_flight == {"a": 4, "b": 2} and repo.webhook_reads == 1
    d.dispatch_due()  # "a" is full: it is not even asked for
    eventlet.sleep(0)
    assert repo.asked[-1]["skip"] == ["a"] and len(sender.started) == 6
    sender.release.send()
    eventlet.sleep(0)
    assert d.in_flight == {}  # finished attempts free their endpoint
    d.dispatch_due()
    eventlet.sleep(0)
    assert sender.started[6:] == ["d4", "d5", "d6", "d7"]  # the next four of "a", oldest first


def test_a_full_batch_says_more_may_be_due_and_a_full_pool_claims_nothing():
    repo = FakeRepository([f"w{n}" for n in range(8)])
    d, _ = dispatcher(repo, batch=5)
    assert d.dispatch_due() is True and repo.asked[-1]["limit"] == 5
    d, _ = dispatcher(FakeRepository(["w"]), pool_size=1)
    d.pool.spawn_n(eventlet.sleep, 1)
    assert d.dispatch_due() is False and d.repo.asked == []


def test_deliveries_another_sender_took_first_are_not_attempted():
    repo = FakeRepository(["a", "b", "c"], stolen={"d1"})
    d, sender = dispatcher(repo)
    d.dispatch_due()
    eventlet.sleep(0)
    assert sorted(sender.started) == ["d0", "d2"] and d.in_flight == {"a": 1, "c": 1}


def test_a_finished_attempt_wakes_the_loop_only_when_a_delivery_waits_for_it():
    alone, _ = dispatcher(FakeRepository(["a", "b"]))
    alone.sender.release.send()
    alone.dispatch_due()
    eventlet.sleep(0)
    assert alone.kicks == 0  # nothing left behind: no claim that would find nothing
    crowded, _ = dispatcher(FakeRepository(["a"] * 5))
    crowded.dispatch_due()
    crowded.dispatch_due()  # another event's kick while "a" is full: its fifth is not even asked for
    crowded.sender.release.send()
    eventlet.sleep(0)
    assert crowded.kicks == 4  # the fifth waits for "a"; each finished attempt may make room for it
