"""Messaging on its own: when profiles cannot say whether a mentee is a minor, it assumes so."""

from __future__ import annotations

import pytest
from bson import ObjectId
from ementor_contracts import ChannelPreferences, MatchAccepted, ProfileCreated

from ementor.platform.http.auth import issue_token
from services.messaging.service import MessagingService
from tests.support.events import eventually
from tests.support.publish import publish_event

pytestmark = pytest.mark.integration


def test_an_unknown_mentee_is_treated_as_a_minor_until_their_profile_says_otherwise(
    start_services, settings, api, amqp_uri, events
):
    start_services(MessagingService)  # no profiles service to ask
    tenant, mentor, mentee, match_id = (str(ObjectId()) for _ in range(4))
    mentor_token = issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=tenant, role="mentor", person_id=mentor)
    coordinator = issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=tenant, role="coordinator")

    publish_event(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=mentor, mentee_id=mentee), tenant)

    def policy() -> str:
        response = api.get(f"/v1/matches/{match_id}/conversation", coordinator)
        assert response.status_code == 200, response.text
        return response.json()["moderation_policy"]

    assert eventually(policy) == "minor"
    link = api.post(f"/v1/matches/{match_id}/messages", mentor_token, json={"body": "see example.com"})
    assert (link.status_code, link.json()["status"]) == (201, "held")

    publish_event(amqp_uri, ProfileCreated(
        person_id=mentee, role="mentee", timezone="Europe/London", languages=["en"], interests=[], capacity=0,
        is_minor=False, vetted=False, channels=ChannelPreferences(email=True, sms=False),
    ), tenant)

    def adult() -> None:
        assert policy() == "adult"

    eventually(adult)
    link = api.post(f"/v1/matches/{match_id}/messages", mentor_token, json={"body": "see example.com"})
    assert link.json()["status"] == "delivered"
    events.wait_for("MessageSent", lambda e: e.tenantid == tenant)
