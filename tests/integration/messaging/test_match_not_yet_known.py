"""A match messaging has not heard of yet (its event still on the way): messaging asks matching.

Messaging starts after the matches were made, so their events never reach it (no queue yet):
the widest possible form of the window between a proposal and its event.
"""

import pytest

from services.matching.service import MatchingService
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def person(api, token, name, role):
    body = {"role": role, "name": name, "email": f"{name.lower()}@example.org", "timezone": "Europe/London",
            "interests": ["robotics"]}
    if role == "mentor":
        body["capacity"] = 3
    response = api.post("/v1/people", token, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def propose(api, token, mentee_id, mentor_id):
    def proposed():
        response = api.post("/v1/matches", token, json={"mentee_id": mentee_id, "mentor_id": mentor_id})
        assert response.status_code == 201, response.text  # once matching's projection has both people
        return response.json()["id"]

    return eventually(proposed)


def test_messaging_answers_from_matching_for_a_match_whose_event_it_has_not_seen(start_services, api):
    start_services(ProfilesService, MatchingService)
    organisation = api.create_organisation("northside")
    coordinator = api.coordinator_token(organisation["api_key"])
    ada, bo, cy = (person(api, coordinator, "Ada", "mentor"), person(api, coordinator, "Bo", "mentee"),
                   person(api, coordinator, "Cy", "mentee"))
    proposed = propose(api, coordinator, bo, ada)
    active = propose(api, coordinator, cy, ada)
    for side in (ada, cy):
        accepted = api.post(f"/v1/matches/{active}/accept", coordinator, json={"person_id": side})
        assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"

    start_services(MessagingService)
    ada_token = api.person_token(organisation["api_key"], ada)

    early = api.post(f"/v1/matches/{proposed}/messages", ada_token, json={"body": "Hello Bo"})
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "match_not_active"
    assert api.get(f"/v1/matches/{proposed}/conversation", coordinator).json()["status"] == "proposed"

    sent = api.post(f"/v1/matches/{active}/messages", ada_token, json={"body": "Hello Cy"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "delivered"

    stranger = api.person_token(organisation["api_key"], bo)
    assert api.get(f"/v1/matches/{active}/messages", stranger).status_code == 404  # not theirs: still 404
    assert api.get("/v1/matches/000000000000000000000000/conversation", coordinator).status_code == 404
