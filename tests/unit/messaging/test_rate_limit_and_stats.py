"""The rate limit's arithmetic and conversation statistics, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.messaging.domain import RateLimit, conversation_stats, retry_after_seconds

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run(limit: RateLimit, times: list[float]) -> list[bool]:
    tat, allowed = None, []
    for now in times:
        ok, value = limit.decide(tat, now)
        allowed.append(ok)
        if ok:
            tat = value
    return allowed


def test_a_burst_of_a_minutes_worth_then_one_per_interval():
    limit = RateLimit(per_minute=30)
    assert run(limit, [0.0] * 31) == [True] * 30 + [False]
    assert run(limit, [0.0] * 30 + [1.9, 2.0]) == [True] * 30 + [False, True]


def test_the_wait_is_how_long_until_one_token_is_back():
    limit = RateLimit(per_minute=30)
    tat = None
    for _ in range(30):
        _, tat = limit.decide(tat, 100.0)
    allowed, wait = limit.decide(tat, 100.5)
    assert not allowed and wait == pytest.approx(1.5)
    assert retry_after_seconds(wait) == 2
    assert retry_after_seconds(0.01) == 1


def test_an_idle_bucket_refills_but_never_beyond_its_size():
    limit = RateLimit(per_minute=3)
    assert run(limit, [0, 0, 0, 0]) == [True, True, True, False]
    assert run(limit, [0, 0, 0, 3600, 3600, 3600, 3600]) == [True, True, True, True, True, True, False]


def test_a_steady_sender_below_the_rate_is_never_limited():
    limit = RateLimit(per_minute=30)
    assert all(run(limit, [i * 2.0 for i in range(500)]))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_response_times_run_from_the_first_unanswered_message():
    messages = [("mentor", at(0)), ("mentor", at(10)), ("mentee", at(30)),  # mentee answers after 30 min
                ("mentee", at(31)), ("mentor", at(32)),  # mentor answers after 2 min
                ("mentee", at(40))]  # mentee answers after 8 min
    stats = conversation_stats(messages, ("mentor", "mentee"), now=at(60 * 24 * 3 + 40))
    people = {p.person_id: p for p in stats.people}
    assert (people["mentor"].delivered, people["mentee"].delivered) == (3, 3)
    assert people["mentee"].median_response_seconds == 19 * 60  # median of 30 and 8 minutes
    assert people["mentor"].median_response_seconds == 2 * 60
    assert stats.median_response_seconds == 8 * 60
    assert stats.last_message_at == at(40)
    assert stats.days_since_last_message == 3.0


def test_order_of_input_does_not_matter_and_one_sided_talk_has_no_responses():
    messages = [("mentor", at(5)), ("mentor", at(0)), ("mentor", at(2))]
    stats = conversation_stats(messages, ("mentor", "mentee"), now=at(5))
    assert stats.median_response_seconds is None
    assert {p.person_id: p.delivered for p in stats.people} == {"mentor": 3, "mentee": 0}
    assert stats.last_message_at == at(5)


def test_an_empty_conversation():
    stats = conversation_stats([], ("mentor", "mentee"), now=T0)
    assert (stats.total_delivered, stats.median_response_seconds, stats.last_message_at,
            stats.days_since_last_message) == (0, None, None, None)
