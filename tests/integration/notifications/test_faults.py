"""Outages and bad input: SMTP down, Twilio 500, permanent refusals, erased people, broken templates."""

import logging

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted, MatchProposed, MessageSent
from mongoengine.connection import get_db

from services.notifications.documents import MESSAGE_NOTICE_MINUTES, OrganisationSettings, TemplateOverride
from services.notifications.domain import NoticeWindow
from tests.integration.notifications._publish import publish
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def accepted(mentor: dict, mentee: dict) -> MatchAccepted:
    return MatchAccepted(match_id=str(ObjectId()), mentor_id=mentor["id"], mentee_id=mentee["id"])


def to(person: dict, channel: str = "email"):
    return lambda e: e.data["person_id"] == person["id"] and e.data["channel"] == channel


def test_smtp_down_for_a_while_then_every_email_goes_out_once(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    smtp_server.down()
    publish(amqp_uri, accepted(mentor, mentee), org.id)

    failures = events.wait_for("NotificationFailed", count=4)  # both emails tried, and retried, in vain
    assert {e.data["permanent"] for e in failures} == {False}
    assert "cannot reach the SMTP server" in failures[0].data["error"]
    assert smtp_server.to(mentee["email"]) == []

    smtp_server.up()
    events.wait_for("NotificationSent", count=2)
    assert len(smtp_server.to(mentor["email"])) == 1 and len(smtp_server.to(mentee["email"])) == 1
    log = {d["person_id"]: d for d in org.log()}
    assert log[mentee["id"]]["status"] == "sent" and log[mentee["id"]]["attempts"] >= 2
    assert log[mentee["id"]]["last_error"] is None


def test_twilio_answering_500_then_201_sends_one_sms(org, amqp_uri, events, twilio):
    mentor, mentee = org.person("Ada Lovelace", "mentor", sms=True), org.person("Bob Smith")
    twilio.fail_next(500)
    publish(amqp_uri, accepted(mentor, mentee), org.id)

    events.wait_for("NotificationSent", to(mentor, "sms"))
    failures = events.of_type("NotificationFailed")
    assert len(failures) == 1, [f.data for f in failures]
    failure = failures[0]
    assert (failure.data["person_id"], failure.data["channel"]) == (mentor["id"], "sms")
    assert failure.data["permanent"] is False and failure.data["error"].startswith("Twilio 500")
    assert [r.answered for r in twilio.requests if r.form.get("To") == mentor["phone"]] == [500, 201]
    [sms] = twilio.to(mentor["phone"])
    assert sms.body == "Northside School: your match with Bob Smith has started. Say hello on ementor."
    [entry] = [d for d in org.log(mentor["id"]) if d["channel"] == "sms"]
    assert (entry["status"], entry["attempts"]) == ("sent", 2)


def test_permanent_failures_are_recorded_published_and_not_retried(org, amqp_uri, events, smtp_server, twilio):
    mentor, mentee = org.person("Ada Lovelace", "mentor", sms=True), org.person("Bob Smith")
    smtp_server.reject_recipient(mentee["email"])  # 550: no such mailbox
    twilio.reject_to(mentor["phone"])  # 400, error 21610: unsubscribed
    publish(amqp_uri, accepted(mentor, mentee), org.id)

    failures = events.wait_for("NotificationFailed", count=2)
    assert {(e.data["person_id"], e.data["channel"], e.data["permanent"]) for e in failures} == {
        (mentee["id"], "email", True), (mentor["id"], "sms", True)}
    events.wait_for("NotificationSent", to(mentor, "email"))
    by_channel = {(d["person_id"], d["channel"]): d for d in org.log()}
    email = by_channel[(mentee["id"], "email")]
    assert (email["status"], email["attempts"], email["next_attempt_at"]) == ("failed", 1, None)
    assert email["last_error"].startswith("SMTP 550") and mentee["email"] not in email["last_error"]
    assert by_channel[(mentor["id"], "sms")]["last_error"].startswith("Twilio 400 error 21610")

    # Later work goes through while the failed ones stay failed: no second attempt at either.
    grace, carol = org.person("Grace Hopper", "mentor"), org.person("Carol Jones")
    publish(amqp_uri, accepted(grace, carol), org.id)
    events.wait_for("NotificationSent", to(carol))
    assert len(events.of_type("NotificationFailed")) == 2
    assert [r.answered for r in twilio.requests if r.form.get("To") == mentor["phone"]] == [400]
    assert {d["attempts"] for d in org.log() if d["status"] == "failed"} == {1}


def test_an_erased_person_hears_nothing_and_the_event_is_not_retried(org, amqp_uri, events, smtp_server, api, caplog):
    caplog.set_level(logging.INFO)
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    assert api.delete(f"/v1/people/{mentee['id']}", org.token).status_code == 204
    proposed = publish(amqp_uri, MatchProposed(match_id=str(ObjectId()), mentor_id=mentor["id"], mentee_id=mentee["id"],
                                               proposed_by="coordinator", score=0.8), org.id)
    events.wait_for("NotificationSent", to(mentor))
    assert smtp_server.to(mentee["email"]) == [] and org.log(mentee["id"]) == []
    assert f"dropping match_proposed of MatchProposed {proposed.id} for person {mentee['id']}: unknown or erased" \
        in caplog.text

    # An event naming nobody we know is dropped with a log line, once: handled, not retried.
    stray = publish(amqp_uri, MessageSent(message_id="x", match_id="m", sender_id="ghost", recipient_id="nobody",
                                          length=3), org.id)
    told_in = NoticeWindow.of("m", stray.time, MESSAGE_NOTICE_MINUTES).cause_id  # a new message's cause: its window
    eventually(lambda: _dropped(caplog.text, told_in))
    assert caplog.text.count(f"MessageSent {told_in} for person nobody") == 1
    assert f"failed on {stray.id}" not in caplog.text


def _dropped(text: str, event_id: str):
    assert f"dropping message_received of MessageSent {event_id} for person nobody: unknown or erased" in text


def test_a_broken_template_fails_that_notification_and_the_others_still_go(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor", sms=True), org.person("Bob Smith")
    # A stored override naming a value that no longer exists (saved before a change of templates).
    settings = OrganisationSettings(id=org.id, tenant_id=org.id,
                                    templates={"match_accepted": TemplateOverride(sms="Hi $retired_value")})
    settings.save()
    publish(amqp_uri, accepted(mentor, mentee), org.id)

    [failure] = events.wait_for("NotificationFailed")
    assert (failure.data["person_id"], failure.data["channel"], failure.data["permanent"]) == (mentor["id"], "sms", True)
    assert "template error" in failure.data["error"] and "$retired_value" in failure.data["error"]
    events.wait_for("NotificationSent", count=2)  # both emails
    assert len(smtp_server.to(mentor["email"])) == 1 and len(smtp_server.to(mentee["email"])) == 1


def test_an_email_that_cannot_be_built_fails_once_as_permanent(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    # A name stored before the API refused line breaks: as a header it would inject a Bcc.
    get_db("profiles")["people"].update_one({"_id": mentee["id"]},
                                            {"$set": {"name": "Bob\r\nBcc: someone@example.net"}})
    publish(amqp_uri, accepted(mentor, mentee), org.id)

    [failure] = events.wait_for("NotificationFailed", to(mentee))
    assert failure.data["permanent"] is True and "cannot be built" in failure.data["error"]
    events.wait_for("NotificationSent", to(mentor))
    [email] = [d for d in org.log(mentee["id"]) if d["channel"] == "email"]
    assert (email["status"], email["attempts"], email["next_attempt_at"]) == ("failed", 1, None)
    assert smtp_server.to(mentee["email"]) == [] and smtp_server.to("someone@example.net") == []
