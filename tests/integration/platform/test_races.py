"""Every claim, lease and compare-and-set, raced by green threads on a store that yields.

In the yielding store (tests/support/store.py) each database call lets the other contenders
run, and in the stress variant sleeps 0-3 ms, as calls to a real MongoDB do. Each test starts
several contenders at once and checks that exactly one wins (or each item goes to exactly one)
and that no update is lost. A read-then-write in place of the conditional write fails them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import OrganisationCreated, SessionReminderDue
from mongoengine import StringField

from ementor.platform import mongo
from ementor.platform.inbox import Claim, Inbox
from ementor.platform.outbox import OutboxDocument, OutboxRelay
from ementor.platform.schedule import Leases
from tests.support.store import contend, store_mode

pytestmark = pytest.mark.integration

TENANT = "t1"
CONTENDERS = 6


@pytest.fixture(params=["yield", "stress"])
def store(request, mongodb):
    with store_mode(request.param, seed=11):
        yield mongodb


def connect(store: str | None, service: str, documents=()) -> None:
    mongo.open_database(service, store, tuple(documents))


def now() -> datetime:
    return datetime.now(UTC)


# -- platform ---------------------------------------------------------------------------------
class RaceNote(OutboxDocument):
    text = StringField()
    meta = {"db_alias": "races", "collection": "notes"}  # noqa: RUF012 - mongoengine reads it from the class


def test_the_outbox_relay_publishes_each_event_once_however_many_relays_run(store):
    connect(store, "races")
    expected = []
    for i in range(8):
        note = RaceNote(tenant_id=TENANT, text=str(i))
        expected += [note.record(OrganisationCreated(organisation_id=TENANT, slug=f"s{i}{j}", name="N")).event_id
                     for j in range(2)]
        note.save()
    published = []

    def publish(envelope, routing_key):
        time.sleep(0)  # the broker round trip: another relay runs meanwhile
        published.append(envelope["id"])

    relays = [OutboxRelay([RaceNote], publish) for _ in range(CONTENDERS)]
    contend(*(relay.publish_pending for relay in relays))
    assert sorted(published) == sorted(expected)  # each once: none lost, none twice
    assert relays[0].backlog() == 0


def test_one_delivery_of_an_event_claims_it_and_the_others_wait(store):
    connect(store, "races")
    inbox = Inbox("races")
    claims = contend(*(lambda: inbox.claim(TENANT, "races.consumer", "e1") for _ in range(CONTENDERS)))
    assert claims.count(Claim.CLAIMED) == 1 and claims.count(Claim.BUSY) == CONTENDERS - 1


def test_one_replica_takes_over_a_claim_whose_lease_lapsed(store):
    connect(store, "races")
    inbox = Inbox("races")
    inbox.collection.insert_one({"tenant_id": TENANT, "consumer": "races.consumer", "event_id": "e1",
                                 "state": "processing", "until": now() - timedelta(seconds=1), "handled_at": now()})
    claims = contend(*(lambda: inbox.claim(TENANT, "races.consumer", "e1") for _ in range(CONTENDERS)))
    assert claims.count(Claim.CLAIMED) == 1 and claims.count(Claim.BUSY) == CONTENDERS - 1


@pytest.mark.parametrize("held_before", [False, True], ids=["free", "lapsed"])
def test_one_replica_holds_a_lease(store, held_before):
    connect(store, "races")
    leases = Leases("races")
    if held_before:
        leases.collection.insert_one({"_id": "job", "holder": "gone", "until": now() - timedelta(seconds=1)})
    won = contend(*(lambda i=i: leases.acquire("job", 60, holder=f"replica-{i}") for i in range(CONTENDERS)))
    assert won.count(True) == 1
    assert leases.collection.find_one({"_id": "job"})["holder"] == f"replica-{won.index(True)}"


# -- messaging --------------------------------------------------------------------------------
def test_the_rate_limit_lets_exactly_the_allowance_through(store):
    from services.messaging import domain
    from services.messaging.documents import DOCUMENTS
    from services.messaging.repository import MessagingRepository

    connect(store, "messaging", DOCUMENTS)
    limit, at = domain.RateLimit(per_minute=4), time.time()
    replicas = [MessagingRepository() for _ in range(3 * limit.per_minute)]
    waits = contend(*(lambda repo=repo: repo.take_send_allowance(TENANT, "p1", limit, at) for repo in replicas))
    assert waits.count(None) == limit.per_minute  # never a fifth message, never one lost


# -- video ------------------------------------------------------------------------------------
def test_one_of_several_bookings_of_the_same_slot_wins(store):
    from services.video import domain
    from services.video.documents import DOCUMENTS
    from services.video.repository import VideoRepository

    connect(store, "video", DOCUMENTS)
    start = now() + timedelta(days=1)

    def book(session_id: str):
        def change(bookings):
            if any(domain.overlaps(b.starts_at, b.ends_at, start, start + timedelta(hours=1)) for b in bookings):
                raise LookupError("taken")
            return [*bookings, domain.Booking(session_id, start, start + timedelta(hours=1), now())]

        try:
            VideoRepository().update_calendar(TENANT, "p1", change)
            return session_id
        except LookupError:
            return None

    results = contend(*(lambda i=i: book(f"s{i}") for i in range(CONTENDERS)))
    winners = [r for r in results if r]
    assert len(winners) == 1
    assert [b.session_id for b in VideoRepository().bookings(TENANT, "p1")] == winners


def test_bookings_of_different_slots_are_all_kept(store):
    from services.video import domain
    from services.video.documents import DOCUMENTS
    from services.video.repository import VideoRepository

    connect(store, "video", DOCUMENTS)
    start = now() + timedelta(days=1)

    def book(i: int):
        slot = domain.Booking(f"s{i}", start + timedelta(hours=i), start + timedelta(hours=i, minutes=30), now())
        VideoRepository().update_calendar(TENANT, "p1", lambda bookings: [*bookings, slot])

    contend(*(lambda i=i: book(i) for i in range(CONTENDERS)))
    assert sorted(b.session_id for b in VideoRepository().bookings(TENANT, "p1")) == sorted(
        f"s{i}" for i in range(CONTENDERS))  # no lost update


def test_a_reminder_fires_once_however_many_replicas_claim_it(store):
    from services.video.documents import DOCUMENTS, Reminder
    from services.video.repository import VideoRepository

    connect(store, "video", DOCUMENTS)
    Reminder(id="s1:1:15", tenant_id=TENANT, session_id="s1", sequence=1, offset_minutes=15,
             due_at=now()).save(force_insert=True)
    [due] = VideoRepository().due_reminders(now(), 10)
    event = SessionReminderDue(session_id="s1", match_id="m1", mentor_id="a", mentee_id="b",
                               starts_at=now() + timedelta(minutes=15), minutes_before=15)
    won = contend(*(lambda: VideoRepository().claim_reminder(due, event, now()) for _ in range(CONTENDERS)))
    assert won.count(True) == 1
    assert len(Reminder.scoped(TENANT, id="s1:1:15").get().outbox) == 1  # one SessionReminderDue


# -- notifications, integrations, matching: work claimed by every replica's loop --------------
def drain(claim) -> list:
    """Claim until nothing is left; what this contender got."""
    got = []
    while (item := claim()) is not None:
        got.append(item)
    return got


def assert_each_claimed_once(claimed_lists: list[list], expected: set[str]) -> None:
    ids = [item for claimed in claimed_lists for item in claimed]
    assert sorted(ids) == sorted(expected), "an item claimed twice, or never"


def test_each_notification_delivery_is_claimed_by_one_sender(store):
    from services.notifications.documents import DOCUMENTS, Delivery
    from services.notifications.repository import NotificationsRepository

    connect(store, "notifications", DOCUMENTS)
    ids = {Delivery(tenant_id=TENANT, cause_event_id=f"e{i}", cause_event_type="MatchAccepted", recipient="p1",
                    channel="email", kind="match_accepted", next_attempt_at=now()).save().id for i in range(10)}
    at = now()

    def sender():
        repo = NotificationsRepository()
        return [d.id for d in drain(lambda: repo.claim_due(at, 60))]

    assert_each_claimed_once(contend(*(sender for _ in range(CONTENDERS))), ids)
    fresh = Delivery(tenant_id=TENANT, cause_event_id="f", cause_event_type="MatchAccepted", recipient="p1",
                     channel="email", kind="match_accepted", next_attempt_at=at).save()
    won = contend(*(lambda: NotificationsRepository().claim_fresh(TENANT, fresh.id, now(), 60)
                    for _ in range(CONTENDERS)))
    assert sum(d is not None for d in won) == 1


def test_each_webhook_delivery_is_claimed_by_one_dispatcher(store):
    from services.integrations.documents import DOCUMENTS, Delivery
    from services.integrations.repository import IntegrationsRepository

    connect(store, "integrations", DOCUMENTS)
    ids = {Delivery(tenant_id=TENANT, webhook_id=f"w{i % 3}", event_id=f"e{i}", event_type="MatchAccepted",
                    body="{}", next_attempt_at=now()).save().id for i in range(10)}
    at = now()

    def dispatcher():  # claims in batches of 3: contenders read the same candidates and split them
        repo = IntegrationsRepository()
        got = []
        while due := repo.due_deliveries(at, limit=3, skip_webhooks=[]):
            got += [d.id for d in repo.claim(due, at, timedelta(seconds=60))]
        return got

    assert_each_claimed_once(contend(*(dispatcher for _ in range(CONTENDERS))), ids)


def test_each_matching_run_is_claimed_by_one_replica(store):
    from services.matching.documents import DOCUMENTS, MatchingRun
    from services.matching.repository import MatchingRepository
    from services.matching.runs import LEASE

    connect(store, "matching", DOCUMENTS)
    ids = {MatchingRun(tenant_id=TENANT, programme_id=f"p{i}").save().id for i in range(5)}

    def replica(i: int):
        repo = MatchingRepository()
        runs = drain(lambda: repo.claim_run(f"replica-{i}", LEASE))
        assert all(run["holder"] == f"replica-{i}" for run in runs)
        return [run["_id"] for run in runs]

    assert_each_claimed_once(contend(*(lambda i=i: replica(i) for i in range(CONTENDERS))), ids)
    assert {r["holder"] for r in MatchingRun.raw().find({"tenant_id": TENANT})} <= {
        f"replica-{i}" for i in range(CONTENDERS)}
