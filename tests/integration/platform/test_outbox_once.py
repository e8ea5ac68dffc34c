"""An event the relay has published never comes back: a later save of a stale copy adds, never rewrites.

The race: a worker loads a document while an event is still in its outbox (a claimed
notification carrying the NotificationFailed of its last attempt, say); the relay publishes that
event and pulls it; the worker then records its own event and saves. Writing the whole outbox
list back, as a plain save does, puts the pulled event back and the relay publishes it twice.
Both tests below drive that order step by step, so they fail on every run without the fix.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from bson import ObjectId
from ementor_contracts import NotificationFailed, OrganisationCreated
from mongoengine import ObjectIdField

import services.matching.documents
import services.notifications.documents
import services.profiles.documents  # noqa: F401 - registers every outbox document of the services
from ementor.platform import mongo
from ementor.platform.outbox import OutboxDocument, OutboxRelay
from ementor.platform.settings import NotificationsSettings
from services.notifications import delivery as sending
from services.notifications.documents import DOCUMENTS, Delivery, utcnow
from services.notifications.domain import RetryPolicy
from services.notifications.repository import NotificationsRepository
from services.notifications.sms import SmsGateway
from tests.support.twilio_fake import TwilioServer

pytestmark = pytest.mark.integration

TENANT = "org-1"


def _outbox_documents(cls=OutboxDocument) -> list:
    found = []
    for subclass in cls.__subclasses__():
        if subclass.__module__.startswith("services.") and not subclass._meta.get("abstract"):
            found.append(subclass)
        found += _outbox_documents(subclass)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__name__}")


class Published:
    """The relay's publish: records each event id and type, as the broker would receive them."""

    def __init__(self):
        self.ids: list[str] = []
        self.types: list[str] = []

    def __call__(self, envelope: dict, routing_key: str) -> None:
        self.ids.append(envelope["id"])
        self.types.append(routing_key)


def _new_id(document):
    field = document._fields[document._meta["id_field"]]
    if callable(field.default):
        return field.default()
    return ObjectId() if isinstance(field, ObjectIdField) else str(ObjectId())


def _created(n: int) -> OrganisationCreated:
    return OrganisationCreated(organisation_id=TENANT, slug=f"school-{n}", name="School")


@pytest.mark.parametrize("document", _outbox_documents(), ids=lambda d: f"{d.__module__.split('.')[1]}.{d.__name__}")
def test_a_stale_copy_saved_after_the_relay_published_does_not_publish_again(mongodb, document):
    mongo.open_database(document._meta["db_alias"], mongodb, (document,))
    stored = document(id=_new_id(document), tenant_id=TENANT)
    first = stored.record(_created(1))
    stored.save(validate=False)  # only the outbox matters here, not each document's required fields
    stale = document.scoped(TENANT, id=stored.id).first()  # loaded with `first` still pending
    published = Published()
    relay = OutboxRelay([document], published)

    assert relay.publish_pending() == 1  # the relay takes `first` out meanwhile
    second = stale.record(_created(2))
    stale.save(validate=False)
    relay.publish_pending()

    assert published.ids == [first.event_id, second.event_id]  # each once
    assert relay.backlog() == 0


@pytest.fixture
def twilio():
    server = TwilioServer().start()
    yield server
    server.stop()


class Profiles:
    """The profiles RPC the sender asks for contact details: one mentor with SMS on."""

    def get_contacts(self, tenant_id, people):
        return {person: {"name": "Ada Lovelace", "phone": "+447700900001", "timezone": "UTC", "role": "mentor",
                         "channels": {"email": True, "sms": True}, "is_minor": False} for person in people}

    def get_organisation(self, tenant_id):
        return {"name": "Northside School"}


class RelayDuringTheRequest(SmsGateway):
    """The real twilio client; while its request is in flight the service's relay runs, as it does in a
    replica whose relay wakes while a sender waits on Twilio."""

    def __init__(self, relay: OutboxRelay, **kwargs):
        super().__init__(**kwargs)
        self.relay = relay

    def send(self, **options):
        self.relay.publish_pending()
        return super().send(**options)


def test_a_retried_sms_publishes_its_earlier_failure_once(mongodb, twilio):
    mongo.open_database("notifications", mongodb, DOCUMENTS)
    repo, published = NotificationsRepository(), Published()
    relay = OutboxRelay([Delivery], published)
    # The first attempt failed (Twilio 500): stored with its NotificationFailed still in the outbox.
    delivery = Delivery(tenant_id=TENANT, cause_event_id="cause-1", cause_event_type="MatchAccepted",
                        recipient="mentor-1", channel="sms", kind="match_accepted", about="mentee-1",
                        values={"match_id": "m1"}, attempts=1, status="pending",
                        next_attempt_at=utcnow() - timedelta(seconds=1), last_error="Twilio 500")
    failure = delivery.record(NotificationFailed(**sending.identity(delivery), error="Twilio 500", permanent=False))
    repo.add_delivery(delivery)
    settings = NotificationsSettings.model_construct(
        TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_BASE_URL=twilio.base_url,
        TWILIO_FROM_NUMBER="+15005550006", EMENTOR_PUBLIC_URL="https://ementor.example.org")
    gateway = RelayDuringTheRequest(relay, account_sid=twilio.account_sid, auth_token=twilio.auth_token,
                                    base_url=twilio.base_url)

    sending.send_due(repo, Profiles(), settings, mailer=None, gateway=gateway, policy=RetryPolicy(), scan=True)
    relay.publish_pending()

    assert published.types == ["NotificationFailed", "NotificationSent"]
    assert published.ids[0] == failure.event_id
    assert [m.to for m in twilio.messages] == ["+447700900001"]
    assert repo.delivery(TENANT, delivery.id).status == "sent" and relay.backlog() == 0
