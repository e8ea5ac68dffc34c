"""Emails as the SMTP server receives them: multipart text and HTML, and calendar invitations."""

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar

from services.notifications import emails

pytestmark = pytest.mark.unit

START, END = datetime(2025, 3, 4, 16, 0, tzinfo=UTC), datetime(2025, 3, 4, 16, 45, tzinfo=UTC)


def invite(method="REQUEST", sequence=0, ends_at=END) -> bytes:
    return emails.calendar_invite(session_id="s1", sequence=sequence, method=method, starts_at=START, ends_at=ends_at,
                                  summary="Mentoring session with Ada", description="Open ementor to join",
                                  organizer=("Northside", "no-reply@ementor.test"), attendee=("Zoë", "zoe@example.org"))


def build(**overrides) -> bytes:
    options = {"from_name": "Northside via ementor", "from_address": "no-reply@ementor.test", "to_name": "Zoë Ünal",
               "to_address": "zoe@example.org", "subject": "Réunion booked", "text": "Hello Zoë\n",
               "html": "<p>Hello Zoë</p>", "message_id": emails.message_id("n1", "no-reply@ementor.test"),
               "headers": {"X-Ementor-Notification": "n1"}}
    return emails.build_email(**(options | overrides))


def test_a_plain_notification_is_text_and_html_alternatives():
    message = message_from_bytes(build(), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == "Hello Zoë\n"
    assert str(message["To"]) == "Zoë Ünal <zoe@example.org>" and str(message["Subject"]) == "Réunion booked"
    assert message["Message-ID"] == "<notification-n1@ementor.test>"
    assert message["Auto-Submitted"] == "auto-generated" and message["X-Ementor-Notification"] == "n1"
    assert build().isascii()  # encoded for any SMTP server, 8BITMIME or not


def test_a_session_email_carries_the_invitation_inline_and_attached():
    message = message_from_bytes(build(calendar=invite(), calendar_method="REQUEST"), policy=policy.default)
    assert message.get_content_type() == "multipart/mixed"
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 2 and all(p.get_param("method") == "REQUEST" for p in parts)
    assert parts[1].get_filename() == "invite.ics"
    assert "UID:session-s1@ementor" in parts[1].get_content()


def test_the_invitation_updates_one_calendar_event():
    calendar = Calendar.from_ical(invite(sequence=1))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "session-s1@ementor" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == START and event.decoded("DTEND") == END
    assert str(event["STATUS"]) == "CONFIRMED" and "open ementor to join" in str(event["DESCRIPTION"]).lower()
    assert str(event["ATTENDEE"]) == "mailto:zoe@example.org"


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence():
    calendar = Calendar.from_ical(invite(method="CANCEL", sequence=2, ends_at=None))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "session-s1@ementor" and int(event["SEQUENCE"]) == 2
    assert "DTEND" not in event


def test_the_sender_comes_from_smtp_from():
    assert emails.sender_address("ementor <no-reply@ementor.example>") == ("ementor", "no-reply@ementor.example")
    with pytest.raises(ValueError):
        emails.sender_address("ementor")


def test_headers_written_without_folding_are_the_bytes_the_stock_policy_writes():
    stock = policy.compat32
    names = ("From", "Subject", "Content-Type", "X-Ementor-Notification-Reference")
    values = ["Northside via ementor <no-reply@ementor.test>", 'multipart/alternative; boundary="===1234=="',
              "Your session with Ada moved to Thursday 4 March at 16:00", "a  b", " leading", "trailing ",
              "x" * 70, "x" * 80, "Zoë Ünal", "tab\there", "a;b,c \"quoted\" words " * 4]
    for name in names:
        for value in values:
            assert emails.POLICY.fold(name, value) == stock.fold(name, value), (name, value)
    for raw in (build(), build(calendar=invite(), calendar_method="REQUEST")):
        assert message_from_bytes(raw, policy=policy.compat32).as_bytes(policy=policy.compat32) == raw  # the whole
