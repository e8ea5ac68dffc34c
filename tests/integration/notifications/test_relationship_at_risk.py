"""Insights says a match is at risk: both people get one friendly email, sent through real SMTP."""

import pytest
from bson import ObjectId
from ementor_contracts import RelationshipAtRisk

from tests.integration.notifications._publish import publish

pytestmark = pytest.mark.integration


def test_a_match_at_risk_nudges_both_people_once(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    event = RelationshipAtRisk(match_id=str(ObjectId()), mentor_id=mentor["id"], mentee_id=mentee["id"], score=30,
                               threshold=50, reasons=["No message for 16 days"], days_since_last_exchange=16)
    envelope = publish(amqp_uri, event, org.id)
    publish(amqp_uri, event, org.id, envelope=envelope)  # redelivered: still one email each

    sent = events.wait_for("NotificationSent", lambda e: e.data["cause_event_type"] == "RelationshipAtRisk", count=2)
    assert {e.data["person_id"] for e in sent} == {mentor["id"], mentee["id"]}
    [email] = [m for m in smtp_server.to(mentee["email"]) if m.subject == "Keep your mentoring going"]
    assert "Things have gone a little quiet between you and Ada Lovelace" in email.text()
    assert "16 days" not in email.text()  # the reasons are for coordinators, not a reproach to the pair
    assert len([d for d in org.log() if d["kind"] == "relationship_at_risk"]) == 2
