"""Retry schedule and outcomes of webhook deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.integrations import domain

pytestmark = pytest.mark.unit


def low(a, b):
    return a


def high(a, b):
    return b


def total(rng) -> timedelta:
    delays, attempts = [], 1
    while (delay := domain.retry_delay(attempts, rng=rng)) is not None:
        delays.append(delay)
        attempts += 1
    return sum(delays, timedelta(0))


def test_retries_back_off_and_last_for_more_than_a_day_even_with_the_shortest_jitter():
    delays = [domain.retry_delay(n, rng=low) for n in range(1, domain.max_attempts())]
    assert delays == sorted(delays) and delays[0] < timedelta(seconds=10)
    assert total(low) > timedelta(days=1)
    assert total(high) < timedelta(days=4)
    assert domain.max_attempts() == 10


def test_jitter_spreads_retries_by_at_most_a_fifth():
    for attempt, base in enumerate(domain.RETRY_SCHEDULE, start=1):
        assert domain.retry_delay(attempt, rng=low) == base * 0.8
        assert domain.retry_delay(attempt, rng=high) == base * 1.2
    spread = {domain.retry_delay(3) for _ in range(20)}
    assert len(spread) > 1  # real randomness: a burst of failures does not retry in lockstep


def test_after_the_last_retry_the_delivery_gives_up():
    assert domain.retry_delay(len(domain.RETRY_SCHEDULE)) is not None
    assert domain.retry_delay(len(domain.RETRY_SCHEDULE) + 1) is None
    short = (timedelta(seconds=1),)
    assert domain.retry_delay(1, short, rng=low) == timedelta(seconds=0.8)
    assert domain.retry_delay(2, short) is None


def test_a_receivers_retry_after_is_honoured_up_to_a_day():
    asked = domain.parse_retry_after("600")
    assert domain.retry_delay(1, rng=high, retry_after=asked) == timedelta(seconds=600)
    assert domain.retry_delay(3, rng=high, retry_after=asked) == timedelta(
        minutes=36
    )  # the schedule is longer
    assert domain.retry_delay(1, rng=low, retry_after=timedelta(days=9)) == timedelta(days=1)
    assert domain.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None


@pytest.mark.parametrize(
    "status, expected",
    [
        (200, domain.SUCCEEDED),
        (204, domain.SUCCEEDED),
        (299, domain.SUCCEEDED),
        (410, domain.GONE),
        (301, domain.RETRY),
        (400, domain.RETRY),
        (404, domain.RETRY),
        (429, domain.RETRY),
        (500, domain.RETRY),
        (503, domain.RETRY),
        (None, domain.RETRY),
    ],
)
def test_outcomes(status, expected):
    assert domain.outcome(status) == expected
