"""The knowledge step of the guided tour runs against the real services."""

from __future__ import annotations

import uuid

import pytest
from ementor_contracts import MatchAccepted

from ementor.walkthrough import knowledge as knowledge_step
from ementor.walkthrough import profiles as profiles_step
from ementor.walkthrough.tour import Api, Tour
from services.knowledge.service import KnowledgeService
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from tests.integration.video.matches import publish

pytestmark = pytest.mark.integration


def test_the_knowledge_step_answers_offers_the_mentor_and_shares_a_card(start_services, settings, events, amqp_uri,
                                                                       capsys):
    start_services(ProfilesService, MessagingService, KnowledgeService)
    tour = Tour(api=Api(f"http://{settings.EMENTOR_HTTP_ADDRESS}"), admin_token=settings.EMENTOR_ADMIN_TOKEN,
                events=events)
    profiles_step.run(tour)
    mentor, mentee = tour.state["mentors"][0], tour.state["mentees"][0]
    match = {"id": uuid.uuid4().hex[:24], "mentor_id": mentor["id"], "mentee_id": mentee["id"], "status": "active"}
    publish(amqp_uri, MatchAccepted(match_id=match["id"], mentor_id=mentor["id"], mentee_id=mentee["id"]),
            tour.state["organisation_id"])
    tour.state["match"] = match

    knowledge_step.run(tour)

    out = capsys.readouterr().out
    assert "answered=True" in out and "Writing your UCAS personal statement" in out
    assert "answered=False" in out and "shares an article" in out
    assert "ArticleShared" in out and "how long is the personal statement" not in out.rsplit("Events that flowed", 1)[1]
