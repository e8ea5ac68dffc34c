"""Fan-out and the delivery queue against the MongoDB fixture (no broker)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ementor_contracts import MatchAccepted, to_cloudevent

from ementor.platform import mongo
from services.integrations import handlers
from services.integrations.documents import DOCUMENTS, Delivery, Webhook, utcnow
from services.integrations.repository import IntegrationsRepository
from tests.integration.integrations._support import new_tenant

pytestmark = pytest.mark.integration


@pytest.fixture
def repo(mongodb):
    mongo.open_database("integrations", mongodb, DOCUMENTS)
    # claim_due spans organisations by design; start from an empty delivery table so that work
    # left by another test's sender cannot be claimed here.
    Delivery.objects.across_tenants().delete()
    return IntegrationsRepository()


def webhook(repo, tenant, event_types=("*",)) -> Webhook:
    hook = Webhook(
        tenant_id=tenant,
        url="https://hooks.example.org/in",
        event_types=list(event_types),
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    repo.add_webhook(hook)
    return hook


def event_id(repo, tenant, hook) -> str:
    [delivery] = repo.deliveries(tenant, hook.id, limit=10)
    return delivery.event_id


def test_fanning_out_the_same_event_again_queues_nothing_new(repo):
    tenant = new_tenant()
    first, second = webhook(repo, tenant), webhook(repo, tenant, ["MatchAccepted"])
    webhook(repo, tenant, ["MatchEnded"])
    event = MatchAccepted(match_id="m1", mentee_id="a", mentor_id="b")
    envelope = to_cloudevent(event, tenant)
    published = []

    def publish(body, key):
        published.append(key)

    assert handlers.fan_out(repo, envelope, event, publish) == 2
    assert handlers.fan_out(repo, envelope, event, publish) == 0  # redelivered: no second delivery
    for hook in (first, second):
        [delivery] = repo.deliveries(tenant, hook.id, limit=10)
        assert delivery.event_id == envelope.id
    assert published == [f"{tenant}.MatchAccepted"] * 2  # the exchange copy is at least once


def test_a_delivery_is_claimed_by_one_sender_at_a_time_and_busy_endpoints_are_skipped(repo):
    tenant = new_tenant()
    busy, idle = webhook(repo, tenant), webhook(repo, tenant)
    event = MatchAccepted(match_id="m1", mentee_id="a", mentor_id="b")
    handlers.fan_out(repo, to_cloudevent(event, tenant), event, lambda body, key: None)
    now, lease = utcnow() + timedelta(seconds=1), timedelta(seconds=40)

    def claim(at, skip):
        return repo.claim(repo.due_deliveries(at, limit=10, skip_webhooks=skip), at, lease)

    [claimed] = claim(now, [busy.id])
    assert claimed.webhook_id == idle.id and claimed.event_id == event_id(repo, tenant, idle)
    assert claim(now, [busy.id]) == []  # leased, not due
    assert [d.webhook_id for d in claim(now, [])] == [busy.id]
    assert len(claim(now + timedelta(seconds=41), [])) == 2  # both leases lapsed


def test_a_claim_returns_only_what_another_sender_did_not_take_first(repo):
    tenant = new_tenant()
    hook = webhook(repo, tenant)
    for n in range(3):
        event = MatchAccepted(match_id=f"m{n}", mentee_id="a", mentor_id="b")
        handlers.fan_out(repo, to_cloudevent(event, tenant), event, lambda body, key: None)
    now, lease = utcnow() + timedelta(seconds=1), timedelta(seconds=40)
    seen_by_both = repo.due_deliveries(now, limit=10, skip_webhooks=[])
    first = repo.claim(seen_by_both[:2], now, lease)
    second = repo.claim(seen_by_both, now, lease)
    assert [d.id for d in first] == [c["_id"] for c in seen_by_both[:2]]
    assert [d.id for d in second] == [seen_by_both[2]["_id"]]
    assert second[0].webhook_id == hook.id and second[0].body
    assert repo.due_deliveries(now, limit=10, skip_webhooks=[]) == []  # all three leased


def test_the_delivery_log_pages_newest_first(repo):
    tenant = new_tenant()
    hook = webhook(repo, tenant)
    ids = []
    for n in range(5):
        event = MatchAccepted(match_id=f"m{n}", mentee_id="a", mentor_id="b")
        envelope = to_cloudevent(event, tenant)
        handlers.fan_out(repo, envelope, event, lambda body, key: None)
        ids.append(envelope.id)
    page = repo.deliveries(tenant, hook.id, limit=2)
    rest = repo.deliveries(tenant, hook.id, limit=10, before=page[-1].id)
    assert [d.event_id for d in page + rest] == list(reversed(ids))
    assert repo.deliveries(new_tenant(), hook.id, limit=10) == []


def test_a_claim_reads_the_webhooks_of_its_deliveries_at_once_and_misses_a_deleted_one(repo):
    tenant = new_tenant()
    kept, deleted = webhook(repo, tenant), webhook(repo, tenant)
    event = MatchAccepted(match_id="m1", mentee_id="a", mentor_id="b")
    handlers.fan_out(repo, to_cloudevent(event, tenant), event, lambda body, key: None)
    now = utcnow() + timedelta(seconds=1)
    claimed = repo.claim(repo.due_deliveries(now, limit=10, skip_webhooks=[]), now, timedelta(seconds=40))
    repo.delete_webhook(tenant, deleted.id)

    found = repo.webhooks_of(claimed)
    assert list(found) == [kept.id] and found[kept.id].secret == kept.secret
    # A delivery never reads another organisation's webhook, even by its id.
    elsewhere = Delivery(tenant_id=new_tenant(), webhook_id=kept.id, event_id="e", event_type="MatchAccepted", body="{}")
    assert repo.webhooks_of([elsewhere]) == {}
