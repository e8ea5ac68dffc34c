"""Quiet matches get one friendly nudge, then the coordinator hears, however many replicas run."""

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted, MessageSent

from ementor.runner import Services
from tests.integration.notifications._publish import publish
from tests.integration.notifications.conftest import FastNotifications
from tests.support.services import start_within

pytestmark = pytest.mark.integration


@pytest.fixture
def second_replica(services, notify_settings):
    replica = start_within(Services([FastNotifications], notify_settings))
    yield replica
    replica.stop()


def test_a_quiet_match_is_nudged_once_and_then_the_coordinator_is_told(org, amqp_uri, events, smtp_server,
                                                                        second_replica):
    org.settings(coordinator_email="coordinator@northside.example", nudge_after_days=14, escalate_after_days=0)
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    chatty_mentor, chatty_mentee = org.person("Grace Hopper", "mentor"), org.person("Carol Jones")
    three_weeks_ago = datetime.now(UTC) - timedelta(days=21)
    quiet, chatty = str(ObjectId()), str(ObjectId())
    # One match had a message two days ago (seen before its acceptance: events come in any order).
    publish(amqp_uri, MessageSent(message_id="x", match_id=chatty, sender_id=chatty_mentee["id"],
                                  recipient_id=chatty_mentor["id"], length=12), org.id,
            time=datetime.now(UTC) - timedelta(days=2))
    events.wait_for("NotificationSent", lambda e: e.data["person_id"] == chatty_mentor["id"])
    publish(amqp_uri, MatchAccepted(match_id=chatty, mentor_id=chatty_mentor["id"], mentee_id=chatty_mentee["id"]),
            org.id, time=three_weeks_ago)
    publish(amqp_uri, MatchAccepted(match_id=quiet, mentor_id=mentor["id"], mentee_id=mentee["id"]), org.id,
            time=three_weeks_ago)

    nudges = events.wait_for("NotificationSent", lambda e: e.data["cause_event_type"] == "MatchIdle", count=2)
    assert {e.data["person_id"] for e in nudges} == {mentor["id"], mentee["id"]}
    [told] = events.wait_for("NotificationSent", lambda e: e.data["cause_event_type"] == "MatchIdleEscalated")
    assert told.data["person_id"] == "coordinator"

    # Two replicas ran the job every 0.2 s all along: still one nudge each, one notice.
    [nudge] = [m for m in smtp_server.to(mentee["email"]) if m.subject == "How is your mentoring going?"]
    assert "It has been 21 days since you and Ada Lovelace last exchanged a message" in nudge.text()
    [notice] = smtp_server.to("coordinator@northside.example")
    assert notice.subject == "A mentoring match has gone quiet"
    assert "Ada Lovelace (mentor) and Bob Smith (mentee) have not exchanged a message for 21 days" in notice.text()
    assert len([d for d in org.log() if d["kind"] == "nudge"]) == 2
    assert len(org.log("coordinator")) == 1
    # The match with a message two days ago was left alone.
    assert [d for d in org.log() if d["kind"] == "nudge" and d["person_id"] in (chatty_mentor["id"],
                                                                               chatty_mentee["id"])] == []
