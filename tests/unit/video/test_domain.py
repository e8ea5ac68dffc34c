"""Slot rules, organisation limits and time-zone rendering of video sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.video import domain
from services.video.domain import Booking, InvalidSession, Limits, SessionFacts, SessionStateError, SlotTaken

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 4) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def booking(session_id: str, start: datetime, minutes: int, held_at: datetime = NOW) -> Booking:
    return Booking(session_id, start, start + timedelta(minutes=minutes), held_at)


# -- overlap ----------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b, clash", [
    ((at(16), at(17)), (at(17), at(18)), False),         # back to back is fine
    ((at(16), at(17)), (at(15), at(16)), False),
    ((at(16), at(17)), (at(16, 59), at(18)), True),      # one minute of overlap
    ((at(16), at(17)), (at(16, 15), at(16, 30)), True),  # inside
    ((at(16), at(17)), (at(15), at(18)), True),          # around
    ((at(16), at(17)), (at(16), at(17)), True),          # identical
])
def test_overlap_is_half_open(a, b, clash):
    assert domain.overlaps(*a, *b) is clash
    assert domain.overlaps(*b, *a) is clash


def test_a_clashing_booking_is_refused_and_names_the_session_in_the_way():
    calendar = [booking("s1", at(16), 60), booking("s2", at(18), 30)]
    with pytest.raises(SlotTaken) as caught:
        domain.place_booking(calendar, booking("new", at(16, 30), 60), NOW)
    assert [c.session_id for c in caught.value.conflicts] == ["s1"]


def test_a_free_slot_is_added_in_time_order():
    calendar = [booking("s1", at(16), 60), booking("s2", at(18), 30)]
    result = domain.place_booking(calendar, booking("new", at(17), 60), NOW)
    assert [b.session_id for b in result] == ["s1", "new", "s2"]


def test_moving_a_session_does_not_clash_with_its_own_old_slot():
    calendar = [booking("s1", at(16), 60)]
    result = domain.place_booking(calendar, booking("s1", at(16, 30), 60), NOW)
    assert result == [booking("s1", at(16, 30), 60)]


def test_while_a_move_is_in_flight_both_the_old_and_the_new_slot_are_held():
    calendar = [booking("s1", at(16), 60)]
    result = domain.place_booking(calendar, booking("s1", at(18), 60), NOW, keep_own=True)
    assert [(b.session_id, b.starts_at) for b in result] == [("s1", at(16)), ("s1", at(18))]
    with pytest.raises(SlotTaken):
        domain.place_booking(result, booking("s2", at(16, 30), 30), NOW)


def test_stale_entries_are_dropped_and_long_past_ones_pruned():
    calendar = [booking("dead", at(16), 60), booking("old", NOW - timedelta(days=3), 60)]
    result = domain.place_booking(calendar, booking("new", at(16), 60), NOW, drop=frozenset({"dead"}))
    assert [b.session_id for b in result] == ["new"]


def test_removing_a_booking_frees_the_slot():
    calendar = domain.remove_booking([booking("s1", at(16), 60)], "s1")
    assert domain.place_booking(calendar, booking("s2", at(16), 60), NOW)[0].session_id == "s2"


# -- stale holds (a request that died half-way) -------------------------------------------------
def test_a_fresh_hold_is_never_stale_even_without_its_session():
    entry = booking("s1", at(16), 60, held_at=NOW - timedelta(seconds=30))
    assert not domain.is_stale_hold(entry, None, NOW)


def test_an_old_hold_without_a_live_matching_session_is_stale():
    entry = booking("s1", at(16), 60, held_at=NOW - timedelta(minutes=10))
    scheduled = SessionFacts("scheduled", at(16), at(17))
    assert not domain.is_stale_hold(entry, scheduled, NOW)
    assert domain.is_stale_hold(entry, None, NOW)
    assert domain.is_stale_hold(entry, SessionFacts("cancelled", at(16), at(17)), NOW)
    assert domain.is_stale_hold(entry, SessionFacts("scheduled", at(18), at(19)), NOW)


# -- limits -----------------------------------------------------------------------------------
def test_a_slot_is_returned_in_utc_to_the_second():
    start, end = domain.check_slot(datetime(2025, 3, 4, 17, 0, 30, 999, tzinfo=timezone(timedelta(hours=1))),
                                   45, NOW, Limits())
    assert start == datetime(2025, 3, 4, 16, 0, 30, tzinfo=UTC)
    assert end == datetime(2025, 3, 4, 16, 45, 30, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)


@pytest.mark.parametrize("starts_at, minutes, code", [
    (NOW - timedelta(minutes=1), 30, "starts_in_past"),
    (NOW, 30, "starts_in_past"),
    (NOW + timedelta(days=400), 30, "starts_too_far_ahead"),
    (NOW + timedelta(days=1), 10, "duration_out_of_range"),
    (NOW + timedelta(days=1), 181, "duration_out_of_range"),
    (NOW + timedelta(days=1), -30, "duration_out_of_range"),
])
def test_bad_slots_are_refused_with_a_reason(starts_at, minutes, code):
    with pytest.raises(InvalidSession) as caught:
        domain.check_slot(starts_at, minutes, NOW, Limits())
    assert caught.value.code == code


def test_a_naive_time_is_refused():
    with pytest.raises(InvalidSession) as caught:
        domain.check_slot(datetime(2025, 3, 4, 16, 0), 30, NOW, Limits())
    assert caught.value.field == "starts_at"


def test_times_at_the_edge_of_the_calendar_are_refused_not_crashed_on():
    with pytest.raises(InvalidSession):
        domain.check_slot(datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-14))), 30, NOW, Limits())
    with pytest.raises(InvalidSession):
        domain.check_slot(datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))), 30, NOW, Limits())


def test_an_organisation_can_allow_longer_sessions_within_the_hard_bounds():
    limits = Limits(min_duration_minutes=30, max_duration_minutes=240)
    assert domain.check_slot(NOW + timedelta(hours=1), 240, NOW, limits)
    with pytest.raises(InvalidSession):
        domain.check_slot(NOW + timedelta(hours=1), 20, NOW, limits)
    with pytest.raises(InvalidSession):
        Limits(min_duration_minutes=60, max_duration_minutes=30)
    with pytest.raises(InvalidSession):
        Limits(max_duration_minutes=domain.HARD_MAX_DURATION + 1)


def test_reminder_offsets_are_distinct_whole_minutes_largest_first():
    assert Limits(reminder_offsets_minutes=(15, 1440, 60, 15)).reminder_offsets_minutes == (1440, 60, 15)
    assert Limits(reminder_offsets_minutes=()).reminder_offsets_minutes == ()
    for bad in ((0,), (-5,), (domain.HARD_MAX_OFFSET + 1,), (1, 2, 3, 4, 5, 6), (1.5,)):
        with pytest.raises(InvalidSession):
            Limits(reminder_offsets_minutes=bad)


# -- session state ----------------------------------------------------------------------------
def test_a_cancelled_or_started_session_cannot_be_moved():
    with pytest.raises(SessionStateError) as caught:
        domain.check_reschedulable(SessionFacts("cancelled", at(16), at(17)), NOW)
    assert caught.value.code == "session_cancelled"
    with pytest.raises(SessionStateError) as caught:
        domain.check_reschedulable(SessionFacts("scheduled", NOW - timedelta(minutes=5), NOW + timedelta(minutes=40)),
                                   NOW)
    assert caught.value.code == "session_started"
    domain.check_reschedulable(SessionFacts("scheduled", at(16), at(17)), NOW)


def test_a_session_can_be_cancelled_until_it_is_over_but_only_once():
    running = SessionFacts("scheduled", NOW - timedelta(minutes=5), NOW + timedelta(minutes=40))
    domain.check_cancellable(running, NOW)
    with pytest.raises(SessionStateError) as caught:
        domain.check_cancellable(SessionFacts("scheduled", NOW - timedelta(hours=2), NOW - timedelta(hours=1)), NOW)
    assert caught.value.code == "session_over"
    with pytest.raises(SessionStateError) as caught:
        domain.check_cancellable(SessionFacts("cancelled", at(16), at(17)), NOW)
    assert caught.value.code == "session_cancelled"


def test_rescheduling_raises_the_sequence():
    moved = domain.rescheduled(SessionFacts("scheduled", at(16), at(17), sequence=2), at(18), at(19))
    assert (moved.starts_at, moved.sequence) == (at(18), 3)


# -- time zones -------------------------------------------------------------------------------
@pytest.mark.parametrize("instant, zone_name, shown", [
    (datetime(2025, 1, 15, 16, 0, tzinfo=UTC), "Europe/London", "2025-01-15T16:00:00+00:00"),
    (datetime(2025, 7, 15, 16, 0, tzinfo=UTC), "Europe/London", "2025-07-15T17:00:00+01:00"),  # summer time
    (datetime(2025, 7, 15, 16, 0, tzinfo=UTC), "America/New_York", "2025-07-15T12:00:00-04:00"),
    (datetime(2025, 1, 15, 16, 0, tzinfo=UTC), "America/New_York", "2025-01-15T11:00:00-05:00"),
    (datetime(2025, 1, 15, 16, 0, tzinfo=UTC), "Asia/Kolkata", "2025-01-15T21:30:00+05:30"),
    (datetime(2025, 1, 15, 16, 0), "Asia/Tokyo", "2025-01-16T01:00:00+09:00"),  # naive values are UTC
])
def test_a_time_is_shown_with_the_viewers_own_offset(instant, zone_name, shown):
    assert domain.in_zone(instant, domain.zone(zone_name)).isoformat() == shown


def test_the_switch_to_summer_time_is_respected_for_the_same_wall_clock_session():
    before = domain.in_zone(datetime(2025, 3, 29, 17, 0, tzinfo=UTC), domain.zone("Europe/London"))
    after = domain.in_zone(datetime(2025, 3, 31, 16, 0, tzinfo=UTC), domain.zone("Europe/London"))
    assert (before.hour, after.hour) == (17, 17)


def test_an_unknown_zone_is_refused_but_a_profile_without_one_reads_utc():
    with pytest.raises(InvalidSession) as caught:
        domain.zone("Mars/Olympus_Mons")
    assert caught.value.code == "unknown_timezone"
    assert domain.zone_or_utc("Mars/Olympus_Mons")[0] == "UTC"
    assert domain.zone_or_utc(None)[0] == "UTC"
    assert domain.zone_or_utc("Europe/Rome")[0] == "Europe/Rome"


def test_a_cancellation_bumps_the_sequence_and_kills_the_link_and_reminders():
    from datetime import UTC, datetime

    from services.video import domain

    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    changes = domain.cancelling(2, "mentor-1", "ill", now)
    assert changes["status"] == "cancelled" and changes["sequence"] == 3
    assert changes["room"] is None and changes["reminders_pending"] is False
    assert (changes["cancelled_at"], changes["cancelled_by"], changes["cancel_reason"]) == (now, "mentor-1", "ill")


def test_a_move_bumps_the_sequence_and_plans_reminders_again():
    from datetime import UTC, datetime, timedelta

    from services.video import domain

    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    starts = now + timedelta(days=1)
    changes = domain.moving(0, starts, starts + timedelta(minutes=30), 30, now)
    assert changes == {"starts_at": starts, "ends_at": starts + timedelta(minutes=30), "duration_minutes": 30,
                       "sequence": 1, "updated_at": now, "reminders_pending": True}
