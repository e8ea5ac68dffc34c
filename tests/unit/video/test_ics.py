"""The iCalendar invite: what a calendar client needs to create, update and remove one entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from services.video import ics

pytestmark = pytest.mark.unit

START = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)
LINK = "https://meet.example.org/ementor-abc?jwt=aaa.bbb.ccc"
INVITE = ics.Invite(
    session_id="65f0c0ffee",
    sequence=0,
    cancelled=False,
    starts_at=START,
    ends_at=START + timedelta(minutes=45),
    attendees=(ics.Attendee("m1", "Amara Okafor", "mentor"), ics.Attendee("e1", "Jamie Fisher", "mentee")),
    stamp=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
    join_url=LINK,
)


def parsed(invite: ics.Invite):
    raw = ics.build(invite)
    calendar = Calendar.from_ical(raw)
    return raw.decode(), calendar, calendar.walk("VEVENT")[0]


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "")


def test_a_new_invite_is_a_request_in_utc_with_the_readers_link():
    text, calendar, event = parsed(INVITE)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == "session-65f0c0ffee@ementor"
    assert event["sequence"] == 0
    assert str(event["status"]) == "CONFIRMED"
    assert "DTSTART:20250304T160000Z" in text and "DTEND:20250304T164500Z" in text
    assert str(event["location"]) == LINK
    assert LINK in str(event["description"])
    assert str(event["summary"]) == "Mentoring session: Amara Okafor and Jamie Fisher"
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")


def test_no_contact_details_are_written():
    text, _, event = parsed(INVITE)
    assert "mailto:" not in text.lower() and "@" not in unfolded(text).replace("@ementor", "")
    names = sorted(str(a.params["CN"]) for a in event["attendee"])
    assert names == ["Amara Okafor", "Jamie Fisher"]
    assert sorted(str(a) for a in event["attendee"]) == ["urn:ementor:person:e1", "urn:ementor:person:m1"]


def test_a_reader_may_be_given_their_own_address():
    invite = replace(INVITE, attendees=(ics.Attendee("m1", "Amara", "mentor", address="mailto:amara@example.org"),
                                        ics.Attendee("e1", "Jamie", "mentee")))
    _, _, event = parsed(invite)
    assert "mailto:amara@example.org" in [str(a) for a in event["attendee"]]


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence():
    moved = replace(INVITE, sequence=1, starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=1))
    text, calendar, event = parsed(moved)
    assert str(event["uid"]) == str(parsed(INVITE)[2]["uid"])
    assert "SEQUENCE:1" in text
    assert "DTSTART:20250305T160000Z" in text
    assert str(calendar["method"]) == "REQUEST"


def test_a_cancellation_removes_the_entry_and_the_link():
    cancelled = replace(INVITE, sequence=2, cancelled=True, join_url=None, cancel_reason="Exam week")
    text, calendar, event = parsed(cancelled)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 2
    assert "location" not in event and "jwt" not in text
    assert "Exam week" in str(event["description"])


def test_times_given_in_any_zone_are_written_in_utc():
    local = timezone(timedelta(hours=-5))
    text, _, _ = parsed(replace(INVITE, starts_at=datetime(2025, 3, 4, 11, 0, tzinfo=local),
                                ends_at=datetime(2025, 3, 4, 11, 45, tzinfo=local)))
    assert "DTSTART:20250304T160000Z" in text and "DTEND:20250304T164500Z" in text


def test_lines_are_folded_as_rfc_5545_requires():
    long_link = "https://meet.example.org/room?jwt=" + "x" * 300
    raw = ics.build(replace(INVITE, join_url=long_link))
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert str(Calendar.from_ical(raw).walk("VEVENT")[0]["location"]) == long_link
