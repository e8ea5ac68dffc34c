"""When reminders are planned, and which of several due ones are sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.video import domain
from services.video.domain import DueReminder

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def test_a_session_two_days_ahead_gets_all_three_default_reminders():
    start = NOW + timedelta(days=2)
    plan = domain.reminder_plan(start, domain.DEFAULT_REMINDER_OFFSETS, NOW)
    assert [(p.offset_minutes, p.due_at) for p in plan] == [
        (1440, start - timedelta(hours=24)),
        (60, start - timedelta(hours=1)),
        (15, start - timedelta(minutes=15)),
    ]


def test_reminders_whose_moment_has_passed_at_booking_are_not_planned():
    plan = domain.reminder_plan(NOW + timedelta(minutes=30), domain.DEFAULT_REMINDER_OFFSETS, NOW)
    assert [p.offset_minutes for p in plan] == [15]
    assert domain.reminder_plan(NOW + timedelta(minutes=10), domain.DEFAULT_REMINDER_OFFSETS, NOW) == []


def test_an_organisations_own_offsets_are_used():
    plan = domain.reminder_plan(NOW + timedelta(days=3), (2880, 30), NOW)
    assert [p.offset_minutes for p in plan] == [2880, 30]


def due(session: str, offset: int, starts_at: datetime, sequence: int = 0) -> DueReminder:
    return DueReminder(f"{session}:{sequence}:{offset}", ("t1", session, sequence), offset, starts_at)


def test_after_an_outage_only_the_reminder_closest_to_the_start_is_sent():
    start = NOW + timedelta(minutes=30)
    fire, skip = domain.choose_reminders([due("s1", 1440, start), due("s1", 60, start)], NOW)
    assert [r.offset_minutes for r in fire] == [60]
    assert [r.offset_minutes for r in skip] == [1440]


def test_reminders_for_a_session_that_has_started_are_skipped():
    fire, skip = domain.choose_reminders([due("s1", 15, NOW - timedelta(minutes=1))], NOW)
    assert fire == [] and len(skip) == 1


def test_sessions_are_reminded_independently():
    fire, skip = domain.choose_reminders(
        [due("s1", 60, NOW + timedelta(minutes=50)), due("s2", 15, NOW + timedelta(minutes=10))], NOW)
    assert sorted(r.session_key[1] for r in fire) == ["s1", "s2"] and skip == []
