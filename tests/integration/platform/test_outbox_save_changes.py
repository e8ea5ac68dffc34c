"""`OutboxDocument.save_changes`, the hot path's save: only the changed fields and the recorded
events, in one conditional update, on a notification delivery as a sender finishes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ementor_contracts import NotificationSent
from mongoengine import ValidationError

from ementor.platform import mongo
from ementor.platform.outbox import OutboxRelay
from services.notifications.delivery import identity
from services.notifications.documents import DOCUMENTS, Delivery, utcnow

pytestmark = pytest.mark.integration

TENANT = "org-1"


@pytest.fixture
def claimed(mongodb) -> Delivery:
    """A delivery as a sender holds it: stored, claimed, and loaded from the store."""
    mongo.open_database("notifications", mongodb, DOCUMENTS)
    delivery = Delivery(tenant_id=TENANT, cause_event_id="event-1", cause_event_type="MessageSent", recipient="p1",
                        channel="email", kind="new_message", values={"sender_name": "Ada"}, status="sending",
                        claim="mine", claimed_until=utcnow() + timedelta(minutes=5), last_error="timed out")
    delivery.save()
    return Delivery.scoped(TENANT, id=delivery.id).first()


def _stored(delivery: Delivery) -> dict:
    return Delivery.raw().find_one({"_id": delivery.id, "tenant_id": TENANT})


def test_the_changed_fields_and_the_recorded_event_are_stored_and_cleared_fields_are_unset(claimed):
    sent_at = utcnow()
    claimed.status, claimed.sent_at, claimed.last_error, claimed.claim = "sent", sent_at, None, None
    event = claimed.record(NotificationSent(**identity(claimed)))

    assert claimed.save_changes(claim="mine")

    stored = _stored(claimed)
    assert stored["status"] == "sent" and abs(stored["sent_at"] - sent_at) < timedelta(seconds=1)
    assert "last_error" not in stored and "claim" not in stored
    assert stored["values"] == {"sender_name": "Ada"}  # untouched fields stay as they were
    assert [pending["event_id"] for pending in stored["outbox"]] == [event.event_id]
    assert claimed.recorded() == [] and claimed._get_changed_fields() == []


def test_a_lost_claim_writes_nothing(claimed):
    Delivery.raw().update_one({"_id": claimed.id, "tenant_id": TENANT}, {"$set": {"claim": "another sender"}})
    claimed.status = "sent"
    claimed.record(NotificationSent(**identity(claimed)))

    assert not claimed.save_changes(claim="mine")

    stored = _stored(claimed)
    assert stored["status"] == "sending" and stored.get("outbox", []) == []
    assert len(claimed.recorded()) == 1  # still to be stored, by whoever retries


def test_a_changed_field_is_validated_before_anything_is_written(claimed):
    claimed.status = "lost in the post"  # not one of the statuses

    with pytest.raises(ValidationError):
        claimed.save_changes(claim="mine")

    assert _stored(claimed)["status"] == "sending"


def test_an_event_the_relay_published_meanwhile_is_not_stored_again(claimed):
    first = claimed.record(NotificationSent(**identity(claimed)))
    assert claimed.save_changes(claim="mine")
    stale = Delivery.scoped(TENANT, id=claimed.id).first()  # loaded with `first` pending
    published = []
    relay = OutboxRelay([Delivery], lambda envelope, routing_key: published.append(envelope["id"]))
    assert relay.publish_pending() == 1  # the relay takes `first` out meanwhile

    second = stale.record(NotificationSent(**identity(stale)))
    stale.status = "sent"
    assert stale.save_changes(claim="mine")
    relay.publish_pending()

    assert published == [first.event_id, second.event_id]
