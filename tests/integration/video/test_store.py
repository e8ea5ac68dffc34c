"""The video service's storage rules against the MongoDB fixture (no broker needed).

Slot locks must hold when two requests race, and reminders must move, vanish and fire once
as sessions change. Races are staged deterministically: a competing booking is written
between a request's read and its write of a calendar.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ementor.platform import mongo
from ementor.platform.errors import Conflict
from ementor.platform.principal import Principal
from services.video import domain, handlers, projection, reminders, schemas, slots
from services.video.documents import DOCUMENTS, Reminder, Session, utcnow
from services.video.links import JitsiMeet
from services.video.repository import VideoRepository

pytestmark = pytest.mark.integration

TENANT = "t1"
COORDINATOR = Principal(role="coordinator", tenant_id=TENANT)


@pytest.fixture
def repo(mongodb):
    mongo.open_database("video", mongodb, DOCUMENTS)
    return VideoRepository()


class RacingRepository(VideoRepository):
    """Lets another request write a person's calendar right after this one has read it."""

    def __init__(self, person_id: str, competitor):
        self.person_id, self.competitor, self.raced = person_id, competitor, False

    def _calendars(self):
        collection, outer = super()._calendars(), self

        class Racing:
            def __getattr__(self, name):
                return getattr(collection, name)

            def find_one(self, query, *args, **kwargs):
                found = collection.find_one(query, *args, **kwargs)
                if not outer.raced and query["_id"] == f"{TENANT}:{outer.person_id}":
                    outer.raced = True
                    outer.competitor()
                return found

        return Racing()


def slot(session_id: str, start, minutes: int = 60, held_at=None) -> domain.Booking:
    return domain.Booking(session_id, start, start + timedelta(minutes=minutes), held_at or utcnow())


def ids(repo, person_id):
    return [b.session_id for b in repo.bookings(TENANT, person_id)]


@pytest.mark.parametrize("first_booking", [True, False], ids=["empty-calendar", "existing-calendar"])
def test_of_two_racing_bookings_for_the_same_person_only_one_wins(repo, first_booking):
    now = utcnow()
    start = now + timedelta(days=1)
    if not first_booking:  # the calendar document exists: the race is on its version
        slots.reserve(repo, TENANT, ["mentor"], slot("evening", start + timedelta(hours=5)), None, now)

    def competing_request():  # books the mentor at an overlapping time for another mentee
        slots.reserve(VideoRepository(), TENANT, ["mentor", "other-mentee"], slot("theirs", start + timedelta(minutes=30)),
                         None, now)

    racing = RacingRepository("mentor", competing_request)
    with pytest.raises(slots.SlotBusy) as caught:
        slots.reserve(racing, TENANT, ["mentor", "mentee"], slot("ours", start), None, now)
    assert racing.raced
    assert caught.value.person_id == "mentor"
    assert [c.session_id for c in caught.value.conflicts] == ["theirs"]
    assert ids(repo, "mentor") == ["theirs"] + ([] if first_booking else ["evening"])
    assert ids(repo, "mentee") == []  # what was taken before the clash is given back


def test_a_race_on_a_different_slot_just_retries_and_both_bookings_stand(repo):
    now = utcnow()
    start = now + timedelta(days=1)

    def competing_request():
        slots.reserve(VideoRepository(), TENANT, ["mentor", "other-mentee"], slot("theirs", start + timedelta(hours=2)),
                         None, now)

    slots.reserve(RacingRepository("mentor", competing_request), TENANT, ["mentor", "mentee"], slot("ours", start),
                     None, now)
    assert ids(repo, "mentor") == ["ours", "theirs"]
    assert ids(repo, "mentee") == ["ours"]


def test_a_hold_left_by_a_crashed_request_is_cleared_once_old_but_not_while_fresh(repo):
    now = utcnow()
    start = now + timedelta(days=1)
    slots.reserve(repo, TENANT, ["mentor"], slot("ghost", start, held_at=now - timedelta(seconds=20)), None,
                     now - timedelta(seconds=20))
    with pytest.raises(slots.SlotBusy):  # its request may still be running
        slots.reserve(repo, TENANT, ["mentor", "mentee"], slot("ours", start), None, now)
    later = now + domain.STALE_HOLD_AFTER
    slots.reserve(repo, TENANT, ["mentor", "mentee"], slot("ours", start, held_at=later), None, later)
    assert ids(repo, "mentor") == ["ours"]


def schedule(repo, start, now, minutes=45) -> Session:
    repo.record_match(TENANT, "match-1", "mentor", "mentee", None, "active", now)
    return handlers.schedule_session(repo, JitsiMeet(), COORDINATOR, "match-1",
                                     schemas.ScheduleSession(starts_at=start, duration_minutes=minutes), now=now)


def pending(repo, session):
    return sorted((r["offset_minutes"], r["sequence"], r["due_at"]) for r in repo.pending_reminders(TENANT, session.id))


def test_reminders_follow_reschedules_and_go_with_a_cancellation(repo):
    now = utcnow().replace(microsecond=0)
    start = now + timedelta(days=2)
    session = schedule(repo, start, now)
    assert [(o, s) for o, s, _ in pending(repo, session)] == [(15, 0), (60, 0), (1440, 0)]

    moved = start + timedelta(days=1)
    handlers.reschedule_session(repo, COORDINATOR, session.id, schemas.RescheduleSession(starts_at=moved), now=now)
    assert [(o, s, d.replace(tzinfo=None)) for o, s, d in pending(repo, session)] == [
        (15, 1, (moved - timedelta(minutes=15)).replace(tzinfo=None)),
        (60, 1, (moved - timedelta(minutes=60)).replace(tzinfo=None)),
        (1440, 1, (moved - timedelta(minutes=1440)).replace(tzinfo=None)),
    ]

    handlers.cancel_session(repo, COORDINATOR, session.id, schemas.CancelSession(), now=now)
    assert pending(repo, session) == []
    assert reminders.fire_due_reminders(repo, now=moved - timedelta(minutes=5)) == 0


def test_a_due_reminder_is_claimed_once_with_its_event_in_the_same_write(repo):
    now = utcnow().replace(microsecond=0)
    start = now + timedelta(days=2)
    session = schedule(repo, start, now)

    # The service was down: at 59 minutes before, the 24 h and 1 h reminders are both due.
    at = start - timedelta(minutes=59)
    assert reminders.fire_due_reminders(repo, now=at) == 1
    assert reminders.fire_due_reminders(repo, now=at) == 0  # a second replica, or the next tick
    fired = Reminder.objects.across_tenants().filter(state="fired")
    assert [r.offset_minutes for r in fired] == [60]
    (pending_event,) = fired[0].outbox
    assert pending_event.type == "SessionReminderDue"
    assert '"minutes_before":60' in pending_event.body and session.room not in pending_event.body
    assert [r.offset_minutes for r in Reminder.objects.across_tenants().filter(state="skipped")] == [1440]
    assert [(o, s) for o, s, _ in pending(repo, session)] == [(15, 0)]


def test_a_reminder_left_from_before_a_reschedule_is_not_sent(repo):
    now = utcnow().replace(microsecond=0)
    session = schedule(repo, now + timedelta(days=2), now)
    handlers.reschedule_session(repo, COORDINATOR, session.id,
                                schemas.RescheduleSession(duration_minutes=60), now=now)
    # A reminder of the old version written by a request that raced the reschedule.
    Reminder(id="leftover", tenant_id=TENANT, session_id=session.id, sequence=0, offset_minutes=120,
             due_at=now).save(force_insert=True)
    assert reminders.fire_due_reminders(repo, now=now + timedelta(seconds=1)) == 0
    assert Reminder.objects.across_tenants().get(id="leftover").state == "skipped"


def test_reminders_lost_with_a_crashed_request_are_written_by_the_sweep(repo):
    now = utcnow().replace(microsecond=0)
    session = schedule(repo, now + timedelta(days=2), now)
    Reminder.objects.across_tenants().delete()
    Session.objects.across_tenants().filter(id=session.id).update(set__reminders_pending=True)
    assert reminders.repair_reminders(repo, now) == 0  # too fresh: its request may still be running
    assert reminders.repair_reminders(repo, now + reminders.REMINDER_REPAIR_AFTER + timedelta(seconds=1)) == 1
    assert [(o, s) for o, s, _ in pending(repo, session)] == [(15, 0), (60, 0), (1440, 0)]
    assert reminders.repair_reminders(repo, now + timedelta(hours=1)) == 0


def test_two_replicas_that_see_the_same_due_reminder_send_it_once(repo):
    now = utcnow().replace(microsecond=0)
    start = now + timedelta(days=2)
    schedule(repo, start, now)
    at = start - timedelta(minutes=14)
    fired_by_other = []

    class ReplicaA(VideoRepository):
        def due_reminders(self, now, limit):
            due = super().due_reminders(now, limit)
            if not fired_by_other:  # replica B runs its whole tick between A's read and A's claim
                fired_by_other.append(reminders.fire_due_reminders(VideoRepository(), now=now))
            return due

    assert reminders.fire_due_reminders(ReplicaA(), now=at) + fired_by_other[0] == 1
    events = [e for r in Reminder.objects.across_tenants() for e in r.outbox]
    assert [e.type for e in events] == ["SessionReminderDue"]


def test_match_events_only_move_a_match_forward(repo):
    now = utcnow()
    repo.record_match(TENANT, "m1", "mentor", "mentee", None, "ended", now)
    repo.record_match(TENANT, "m1", "mentor", "mentee", None, "active", now)  # a late MatchAccepted
    assert repo.match(TENANT, "m1").status == "ended"
    repo.record_match(TENANT, "m2", "mentor", "mentee", None, "proposed", now)
    repo.record_match(TENANT, "m2", "mentor", "mentee", None, "active", now)
    repo.record_match(TENANT, "m2", "mentor", "mentee", None, "proposed", now)  # a redelivered MatchProposed
    assert repo.match(TENANT, "m2").status == "active"
    assert repo.match("another-tenant", "m2") is None


def test_ending_a_match_leaves_a_session_already_under_way(repo):
    now = utcnow().replace(microsecond=0)
    upcoming = schedule(repo, now + timedelta(days=1), now)
    running = schedule(repo, now + timedelta(hours=2), now)
    later = now + timedelta(hours=2, minutes=10)  # the second session started ten minutes ago

    class Ended:
        match_id, mentor_id, mentee_id, ended_by, reason = "match-1", "mentor", "mentee", "coordinator", None

    assert projection.match_ended(repo, TENANT, Ended(), now=later) == 1
    assert repo.session(TENANT, upcoming.id).status == "cancelled"
    assert repo.session(TENANT, running.id).status == "scheduled"
    assert projection.match_ended(repo, TENANT, Ended(), now=later) == 0  # a redelivery changes nothing


def test_a_move_that_died_half_way_still_guards_the_sessions_real_slot(repo):
    now = utcnow().replace(microsecond=0)
    start = now + timedelta(days=1)
    session = schedule(repo, start, now, minutes=60)
    # The request took the new slot for both people, then died before saving the session.
    slots.reserve(repo, TENANT, ["mentor", "mentee"], slot(session.id, start + timedelta(hours=3), held_at=now),
                     slot(session.id, start, held_at=now), now)

    later = now + domain.STALE_HOLD_AFTER + timedelta(seconds=1)
    repo.record_match(TENANT, "match-2", "mentor", "mentee-2", None, "active", later)

    def book(at):
        return handlers.schedule_session(repo, JitsiMeet(), COORDINATOR, "match-2",
                                         schemas.ScheduleSession(starts_at=at, duration_minutes=30), now=later)

    with pytest.raises(Conflict):  # the session still happens at its old time
        book(start + timedelta(minutes=15))
    assert book(start + timedelta(hours=3)).status == "scheduled"  # the half-taken new slot was stale
