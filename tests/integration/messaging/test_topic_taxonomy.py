"""An organisation's own topics over the real broker: saved through messaging's API, they tag later messages
(MessageSent) and goals (matching, from TopicTaxonomyChanged), and insights names them in its overview."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import MatchAccepted, MatchProposed, MessageSent

from services.insights.service import InsightsService
from services.matching import topic_taxonomy as matching_copy
from services.matching.service import MatchingService
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from tests.integration.matching.conftest import make_org
from tests.support.events import eventually
from tests.support.publish import publish_event

pytestmark = pytest.mark.integration

OWN_TOPICS = {"topics": [
    {"id": "robotics-club", "label": "Robotics club", "keywords": ["robot", "line-following"]},
    {"id": "interviews", "label": "Interview practice"},
    {"id": "gap-year", "removed": True},
]}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def test_an_organisations_own_topic_tags_messages_and_goals_and_insights_names_it(start_services, api, amqp_uri,
                                                                                  events):
    start_services(ProfilesService, MatchingService, MessagingService, InsightsService)
    org = make_org(api, "topics")
    tenant = org.organisation_id

    bad = api.request("PUT", "/v1/settings/topics", org.token, json={"topics": [
        {"id": "robotics-club", "label": "", "keywords": ["robot"]}]})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "topics.0.label"
    saved = ok(api.request("PUT", "/v1/settings/topics", org.token, json=OWN_TOPICS))
    by_id = {t["id"]: t for t in saved["topics"]}
    assert by_id["robotics-club"]["source"] == "custom" and by_id["interviews"]["source"] == "changed"
    assert saved["removed"] == [{"id": "gap-year", "label": "Gap year"}] and saved["revision"] == 1
    [announced] = events.wait_for("TopicTaxonomyChanged", lambda e: e.tenantid == tenant)
    assert announced.data["revision"] == 1 and announced.data["topics"][0]["id"] == "robotics-club"

    org.add("Ada", "mentor", interests=["robotics"], capacity=2)
    org.add("Cy", "mentee", interests=["robotics"])
    org.wait_known("Cy")
    match = ok(api.post("/v1/matches", org.token, json={"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")}), 201)
    for name in ("Cy", "Ada"):
        ok(api.post(f"/v1/matches/{match['id']}/accept", org.token_for(name), json={}))

    def messaging_knows_the_match():
        ok(api.post(f"/v1/matches/{match['id']}/messages", org.token_for("Cy"),
                    json={"body": "I finished my robot for the club!"}), 201)

    eventually(messaging_knows_the_match)
    [sent] = events.wait_for("MessageSent", lambda e: e.tenantid == tenant)
    assert sent.data["topics"] == ["robotics-club"]

    eventually(lambda: matching_copy.STORE.stored(tenant)["revision"] == 1 or pytest.fail("not yet"))
    goal = api.post(f"/v1/matches/{match['id']}/goals", org.token_for("Cy"),
                    json={"title": "Build a line-following robot before the interview"})
    assert goal.status_code == 201, goal.text
    [goal_set] = events.wait_for("GoalSet", lambda e: e.tenantid == tenant)
    assert goal_set.data["topics"] == ["interviews", "robotics-club"]

    # Insights shows a topic over at least five conversations: five more matches talk about the club.
    now = datetime.now(UTC)
    for i in range(5):
        match_id, mentor, mentee = (uuid.uuid4().hex[:24] for _ in range(3))
        publish_event(amqp_uri, MatchProposed(match_id=match_id, mentor_id=mentor, mentee_id=mentee,
                                              proposed_by="coordinator", score=0.7), tenant, time=now - timedelta(hours=2))
        publish_event(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=mentor, mentee_id=mentee,
                                              accepted_by=mentee), tenant, time=now - timedelta(hours=1))
        publish_event(amqp_uri, MessageSent(message_id=f"m{i}", match_id=match_id, sender_id=mentee,
                                            recipient_id=mentor, length=40, topics=["robotics-club", "interviews"]),
                      tenant, time=now)

    def labelled():
        topics = {t["topic"]: t["label"] for t in ok(api.get("/v1/insights/overview", org.token))["topics"]}
        assert topics == {"robotics-club": "Robotics club", "interviews": "Interview practice"}

    eventually(labelled, timeout=20)
