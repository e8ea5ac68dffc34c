"""Quiet hours defer SMS to the end of the person's own night, in their own time zone."""

from datetime import UTC, datetime

import pytest

from services.notifications.domain import quiet_hours_end

pytestmark = pytest.mark.unit


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("now, tz, expected", [
    # London in winter (GMT): 23:30 local is quiet until 08:00 next morning.
    (utc(2025, 1, 14, 23, 30), "Europe/London", utc(2025, 1, 15, 8, 0)),
    # London in summer (BST, UTC+1): 22:30 UTC is 23:30 local; quiet until 08:00 BST = 07:00 UTC.
    (utc(2025, 7, 14, 22, 30), "Europe/London", utc(2025, 7, 15, 7, 0)),
    # After midnight, the end is the same local morning.
    (utc(2025, 1, 15, 3, 0), "Europe/London", utc(2025, 1, 15, 8, 0)),
    # New York (UTC-5 in winter): 02:00 UTC is 21:00 local, just inside; quiet until 08:00 EST = 13:00 UTC.
    (utc(2025, 1, 15, 2, 0), "America/New_York", utc(2025, 1, 15, 13, 0)),
    # Tokyo (UTC+9, no DST): 13:00 UTC is 22:00 local; quiet until 08:00 JST = 23:00 UTC.
    (utc(2025, 1, 15, 13, 0), "Asia/Tokyo", utc(2025, 1, 15, 23, 0)),
    # Sydney in January is on daylight time (UTC+11): 11:00 UTC is 22:00 local.
    (utc(2025, 1, 15, 11, 0), "Australia/Sydney", utc(2025, 1, 15, 21, 0)),
])
def test_inside_quiet_hours_the_sms_waits_for_the_local_morning(now, tz, expected):
    assert quiet_hours_end(now, tz, "21:00", "08:00") == expected


@pytest.mark.parametrize("now, tz", [
    (utc(2025, 1, 15, 12, 0), "Europe/London"),  # midday
    (utc(2025, 1, 15, 20, 59), "Europe/London"),  # a minute before 21:00
    (utc(2025, 1, 15, 8, 0), "Europe/London"),  # 08:00 itself is outside
    (utc(2025, 1, 15, 23, 0), "Asia/Tokyo"),  # 08:00 in Tokyo: morning already
])
def test_outside_quiet_hours_nothing_waits(now, tz):
    assert quiet_hours_end(now, tz, "21:00", "08:00") is None


def test_the_same_utc_time_is_quiet_in_summer_and_not_in_winter():
    # 20:30 UTC is 20:30 GMT in January (awake) but 21:30 BST in July (quiet).
    assert quiet_hours_end(utc(2025, 1, 14, 20, 30), "Europe/London", "21:00", "08:00") is None
    assert quiet_hours_end(utc(2025, 7, 14, 20, 30), "Europe/London", "21:00", "08:00") == utc(2025, 7, 15, 7, 0)


def test_the_night_the_clocks_go_forward():
    # 30 March 2025: UK clocks jump from 01:00 GMT to 02:00 BST. At 00:30 UTC (00:30 GMT) it is
    # quiet, and the morning's 08:00 is BST, i.e. 07:00 UTC: seven hours away, not eight.
    assert quiet_hours_end(utc(2025, 3, 30, 0, 30), "Europe/London", "21:00", "08:00") == utc(2025, 3, 30, 7, 0)


def test_the_night_the_clocks_go_back():
    # 26 October 2025: UK clocks fall back from 02:00 BST to 01:00 GMT. 08:00 that morning is GMT.
    assert quiet_hours_end(utc(2025, 10, 25, 23, 0), "Europe/London", "21:00", "08:00") == utc(2025, 10, 26, 8, 0)


def test_an_end_that_does_not_exist_on_the_clock_change_moves_past_the_gap():
    # Quiet until 01:30, a time that does not exist in London on 30 March 2025 (01:00 -> 02:00).
    end = quiet_hours_end(utc(2025, 3, 30, 0, 10), "Europe/London", "00:00", "01:30")
    assert end == utc(2025, 3, 30, 1, 30)  # = 02:30 BST, just after the jump
    assert end > utc(2025, 3, 30, 0, 10)


def test_a_daytime_window_and_no_window():
    assert quiet_hours_end(utc(2025, 1, 15, 13, 15), "UTC", "13:00", "14:00") == utc(2025, 1, 15, 14, 0)
    assert quiet_hours_end(utc(2025, 1, 15, 14, 15), "UTC", "13:00", "14:00") is None
    assert quiet_hours_end(utc(2025, 1, 15, 3, 0), "UTC", "00:00", "00:00") is None  # start == end: none


def test_an_unknown_time_zone_is_read_as_utc():
    assert quiet_hours_end(utc(2025, 1, 15, 22, 0), "Mars/Olympus", "21:00", "08:00") == utc(2025, 1, 16, 8, 0)
