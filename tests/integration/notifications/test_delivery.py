"""Events become emails and SMS, exactly once, with the content a person expects."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import (
    GoalCompleted,
    MatchAccepted,
    MessageHeld,
    MessageSent,
    SessionCancelled,
    SessionScheduled,
)
from icalendar import Calendar

from tests.integration.notifications._publish import publish
from tests.integration.notifications.conftest import FROM_NUMBER, PUBLIC_URL
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def sent_to(events, person_id: str, channel: str = "email"):
    return lambda e: e.data["person_id"] == person_id and e.data["channel"] == channel


def test_an_event_delivered_twice_sends_each_person_one_email(org, amqp_uri, events, smtp_server, caplog):
    caplog.set_level(logging.INFO)
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    event = MatchAccepted(match_id="m1", mentor_id=mentor["id"], mentee_id=mentee["id"])
    envelope = publish(amqp_uri, event, org.id)
    publish(amqp_uri, event, org.id, envelope=envelope)  # the broker redelivers the very same event

    events.wait_for("NotificationSent", count=2, timeout=15)
    # The second copy was seen and recognised (by the inbox, or by the unique delivery key when
    # both copies were handled at once) before we count the emails.
    eventually(lambda: _assert_duplicate_recognised(caplog.text, envelope.id), timeout=10)
    assert [m.subject for m in smtp_server.to(mentor["email"])] == ["Your mentoring match is confirmed"]
    assert [m.subject for m in smtp_server.to(mentee["email"])] == ["Your mentoring match is confirmed"]
    body = smtp_server.to(mentee["email"])[0]
    assert "Ada Lovelace" in body.text() and "Northside School" in body.text()
    assert body.header("X-Ementor-Event") == envelope.id
    log = org.log()
    assert sorted((d["person_id"], d["channel"], d["status"]) for d in log) == sorted(
        [(mentor["id"], "email", "sent"), (mentee["id"], "email", "sent")])


def _assert_duplicate_recognised(text: str, event_id: str):
    assert f"{event_id}: already handled" in text or "not planned twice" in text


def test_a_new_message_tells_the_recipient_who_wrote_but_not_what(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    publish(amqp_uri, MessageSent(message_id="x1", match_id="m1", sender_id=mentor["id"], recipient_id=mentee["id"],
                                  length=42), org.id)
    events.wait_for("NotificationSent", sent_to(events, mentee["id"]), timeout=15)
    [mail] = smtp_server.to(mentee["email"])
    assert mail.subject == "You have a new message from your mentor"
    assert "Ada Lovelace, your mentor, has sent you a message" in mail.text()
    assert f"{PUBLIC_URL}" in mail.text() and mail.part("text/html") is not None
    assert smtp_server.to(mentor["email"]) == []  # the sender is not notified of their own message


def test_a_held_message_is_reported_to_the_coordinator_email_of_the_settings(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    org.settings(coordinator_email="safeguarding@northside.example", sign_off="Northside safeguarding")
    publish(amqp_uri, MessageHeld(message_id="x1", match_id="m1", sender_id=mentee["id"], recipient_id=mentor["id"],
                                  reasons=["contact_details"]), org.id)
    events.wait_for("NotificationSent", lambda e: e.data["person_id"] == "coordinator", timeout=15)
    [mail] = smtp_server.to("safeguarding@northside.example")
    assert mail.subject == "A message is waiting for your review"
    assert "A message from Bob Smith to Ada Lovelace has been held for review because of: contact details" in mail.text()
    assert mail.text().rstrip().endswith("Northside safeguarding")
    assert [d["kind"] for d in org.log("coordinator")] == ["message_held"]


def test_sessions_come_with_calendar_invites_that_update_one_event(org, amqp_uri, events, smtp_server, twilio):
    mentor = org.person("Ada Lovelace", "mentor", sms=True, timezone="America/New_York")
    mentee = org.person("Bob Smith", timezone="Europe/London")
    starts = datetime(2031, 3, 4, 16, 0, tzinfo=UTC)
    common = {"session_id": "s1", "match_id": "m1", "mentor_id": mentor["id"], "mentee_id": mentee["id"],
              "starts_at": starts}
    publish(amqp_uri, SessionScheduled(**common, ends_at=starts + timedelta(minutes=45), sequence=0), org.id)
    events.wait_for("NotificationSent", count=3, timeout=15)  # two emails and the mentor's SMS

    [mail] = smtp_server.to(mentee["email"])
    assert mail.subject == "Mentoring session booked for Tue 4 Mar 2031, 16:00 GMT"  # in Bob's own time zone
    assert "open ementor to join" in mail.text()
    invite = Calendar.from_ical(mail.part("text/calendar").get_content())
    [event] = invite.walk("VEVENT")
    assert str(invite["METHOD"]) == "REQUEST" and str(event["UID"]) == "session-s1@ementor"
    assert int(event["SEQUENCE"]) == 0 and event.decoded("DTSTART") == starts
    assert smtp_server.to(mentor["email"])[0].subject == "Mentoring session booked for Tue 4 Mar 2031, 11:00 EST"

    [sms] = twilio.to(mentor["phone"])
    assert sms.from_ == FROM_NUMBER
    assert sms.body == "Northside School: session with Bob Smith booked for Tue 4 Mar 2031, 11:00 EST. Open ementor to join."
    assert sms.status_callback.startswith(f"{PUBLIC_URL}/v1/notifications/twilio/status?tenant={org.id}&notification=")
    [request] = [r for r in twilio.requests if r.form.get("To") == mentor["phone"]]
    assert request.account_sid == twilio.account_sid  # basic auth, as the twilio client sends it

    publish(amqp_uri, SessionCancelled(**common, cancelled_by=mentor["id"], reason="Exam week", sequence=1), org.id)
    events.wait_for("NotificationSent", lambda e: e.data["cause_event_type"] == "SessionCancelled", count=3,
                    timeout=15)
    cancellation = smtp_server.to(mentee["email"])[1]
    assert cancellation.subject == "Mentoring session on Tue 4 Mar 2031, 16:00 GMT cancelled"
    assert "Exam week" in cancellation.text()
    update = Calendar.from_ical(cancellation.part("text/calendar").get_content())
    [cancelled] = update.walk("VEVENT")
    assert str(update["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == "session-s1@ementor" and int(cancelled["SEQUENCE"]) == 1


def test_a_completed_goal_reaches_both_people_even_before_the_acceptance_is_seen(org, amqp_uri, events,
                                                                                  smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    match_id = "m-goals"
    # Different queues, any order: the goal event comes first and waits (retried) for the match's people.
    publish(amqp_uri, GoalCompleted(goal_id="g1", match_id=match_id, completed_by=mentee["id"]), org.id)
    publish(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=mentor["id"], mentee_id=mentee["id"]), org.id)
    sent = events.wait_for("NotificationSent", lambda e: e.data["cause_event_type"] == "GoalCompleted", count=2)
    assert {e.data["person_id"] for e in sent} == {mentor["id"], mentee["id"]}
    assert "A goal has been completed" in [m.subject for m in smtp_server.to(mentor["email"])]
