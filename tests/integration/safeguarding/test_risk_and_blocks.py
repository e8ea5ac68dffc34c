"""A message in a serious risk category is held and raises a concern by itself; a block ends the match for good."""

from __future__ import annotations

import pytest

from services.matching.service import MatchingService
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from services.safeguarding.service import SafeguardingService
from tests.integration.safeguarding.world import active_match, code, organisation, send
from tests.support.events import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def world(start_services, api):
    start_services(ProfilesService, MatchingService, MessagingService, SafeguardingService)
    org = organisation(api, {"Ada": "mentor", "Bo": "mentee"})
    return org, active_match(api, org, "Ada", "Bo", video=False)


def test_a_self_harm_message_is_held_raises_a_concern_and_pauses_the_match(world, api, events):
    org, match_id = world
    ordinary = send(api, org, match_id, "Bo", "this exam is killing me lol")
    assert (ordinary.status_code, ordinary.json()["status"]) == (201, "delivered")
    held = send(api, org, match_id, "Bo", "honestly i dont think i can keep going")
    assert held.status_code == 201 and held.json()["status"] == "held", held.text

    lead = org.lead()
    def raised():
        items = api.get("/v1/concerns", lead).json()["items"]
        assert len(items) == 1, items
        return items[0]
    concern = eventually(raised)
    assert (concern["category"], concern["raised_via"], concern["message_id"], concern["serious"]) == (
        "self_harm", "moderation", held.json()["id"], True)
    eventually(lambda: _refused(send(api, org, match_id, "Ada"), "match_paused"))
    [event] = events.wait_for("ConcernRaised", lambda e: e.data["concern_id"] == concern["id"])
    assert "keep going" not in event.model_dump_json()


def test_a_block_ends_the_match_and_the_pair_is_never_proposed_again(world, api):
    org, match_id = world
    me, other = org.people["Bo"], org.people["Ada"]
    assert _status(api.post(f"/v1/people/{me}/blocks", org.tokens["Bo"], json={"person_id": me}), 422,
                   "cannot_block_self")
    assert _status(api.post(f"/v1/people/{other}/blocks", org.tokens["Bo"], json={"person_id": me}), 403,
                   "not_your_account")
    assert _status(api.post(f"/v1/people/{me}/blocks", org.tokens["Bo"], json={"person_id": "0" * 24}), 404,
                   "person_not_found")
    blocked = api.post(f"/v1/people/{me}/blocks", org.tokens["Bo"], json={"person_id": other})
    assert blocked.status_code == 201, blocked.text
    assert (blocked.json()["blocked_person_id"], blocked.json()["match_id"]) == (other, match_id)
    assert _status(api.post(f"/v1/people/{me}/blocks", org.tokens["Bo"], json={"person_id": other}), 409,
                   "already_blocked")

    eventually(lambda: _refused(send(api, org, match_id, "Ada"), "match_not_active"))
    assert api.get(f"/v1/matches/{match_id}", org.coordinator).json()["status"] == "ended"
    again = api.post("/v1/matches", org.coordinator, json={"mentee_id": me, "mentor_id": other})
    assert again.status_code in (409, 422) and code(again) == "repeat_pair", again.text
    assert all(r["mentor_id"] != other for r in
               api.get(f"/v1/people/{me}/recommendations", org.coordinator).json()["items"])


def _refused(response, error):
    assert response.status_code == 409 and code(response) == error, response.text


def _status(response, status, error):
    assert response.status_code == status and code(response) == error, response.text
    return True
