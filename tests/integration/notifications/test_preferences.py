"""Preferences apply at send time: channels, quiet hours in the person's own zone, minors' SMS."""

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted

from tests.integration.notifications._publish import publish
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def accepted(mentor: dict, mentee: dict) -> MatchAccepted:
    return MatchAccepted(match_id=str(ObjectId()), mentor_id=mentor["id"], mentee_id=mentee["id"])


def to(person: dict, channel: str = "email"):
    return lambda e: e.data["person_id"] == person["id"] and e.data["channel"] == channel


def test_quiet_hours_hold_the_sms_until_morning_but_not_the_email(org, amqp_uri, events, twilio):
    now = datetime.now(UTC)
    # Quiet from an hour ago until two hours from now, on the person's (UTC) clock.
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")
    night_owl = org.person("Ada Lovelace", "mentor", sms=True, timezone="UTC", quiet_hours=(start, end))
    mentee = org.person("Bob Smith")
    publish(amqp_uri, accepted(night_owl, mentee), org.id)

    events.wait_for("NotificationSent", to(night_owl))  # the email goes now
    sms = eventually(lambda: _deferred_sms(org, night_owl))
    wakes = datetime.fromisoformat(sms["next_attempt_at"])
    assert timedelta(hours=1, minutes=58) < wakes - now <= timedelta(hours=2)
    assert twilio.to(night_owl["phone"]) == []


def _deferred_sms(org, person) -> dict:
    [sms] = [d for d in org.log(person["id"]) if d["channel"] == "sms"]
    assert sms["status"] == "deferred" and sms["last_error"] == "quiet hours", sms
    return sms


def test_minors_get_sms_only_where_the_organisation_allows_it(org, amqp_uri, events, twilio):
    mentor, minor = org.person("Ada Lovelace", "mentor"), org.person("Tim Young", sms=True, is_minor=True)
    publish(amqp_uri, accepted(mentor, minor), org.id)
    events.wait_for("NotificationSent", to(minor))
    assert [d["channel"] for d in org.log(minor["id"])] == ["email"]

    org.settings(allow_sms_to_minors=True)
    publish(amqp_uri, accepted(mentor, minor), org.id)
    events.wait_for("NotificationSent", to(minor, "sms"))
    assert len(twilio.to(minor["phone"])) == 1


def test_a_person_who_opts_out_before_the_email_goes_gets_no_email(org, amqp_uri, events, smtp_server, api):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    smtp_server.down()  # the emails wait, retrying
    publish(amqp_uri, accepted(mentor, mentee), org.id)
    events.wait_for("NotificationFailed", to(mentee))
    response = api.patch(f"/v1/people/{mentee['id']}", org.person_token(mentee["id"]),
                         json={"channels": {"email": False, "sms": False}})
    assert response.status_code == 200, response.text
    smtp_server.up()

    events.wait_for("NotificationSent", to(mentor))
    entry = eventually(lambda: _skipped(org, mentee))
    assert (entry["skip_code"], entry["last_error"]) == ("email_off", "the person turned email notifications off")
    assert smtp_server.to(mentee["email"]) == [] and len(smtp_server.to(mentor["email"])) == 1


def _skipped(org, person) -> dict:
    [entry] = org.log(person["id"])
    assert entry["status"] == "skipped", entry
    return entry
