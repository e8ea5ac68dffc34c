"""A mentor reads their mentee's public profile (name, interests, languages, bio, time zone) while
they are proposed or matched, never contact details, and not before or after: profiles asks
matching over RPC (services/profiles/handlers.py visible_person)."""

import pytest

from tests.support.events import eventually

pytestmark = pytest.mark.integration

PUBLIC = {"id", "role", "name", "timezone", "languages", "interests", "bio", "availability"}


def test_a_mentor_sees_their_mentee_only_while_they_are_proposed_or_matched(org, api):
    org.add("Amara", "mentor", interests=["robotics"])
    org.add("Bea", "mentor", interests=["robotics"])
    org.add("Jamie", "mentee", interests=["robotics"], languages=("en", "es"), timezone="America/Bogota")
    api.patch(f"/v1/people/{org.id('Jamie')}", org.token, json={"bio": "I build robots"})
    org.wait_known("Jamie")
    amara, bea = org.token_for("Amara"), org.token_for("Bea")

    assert api.get(f"/v1/people/{org.id('Jamie')}", amara).status_code == 404  # not matched yet

    def proposed():
        response = api.post("/v1/matches", org.token_for("Jamie"),
                            json={"mentee_id": org.id("Jamie"), "mentor_id": org.id("Amara")})
        assert response.status_code == 201, response.text
        return response.json()["id"]
    match_id = eventually(proposed)

    seen = api.get(f"/v1/people/{org.id('Jamie')}", amara)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert set(body) <= PUBLIC and "email" not in body and "phone" not in body and "guardian" not in body
    assert (body["name"], body["bio"], body["timezone"]) == ("Jamie", "I build robots", "America/Bogota")
    assert body["languages"] == ["en", "es"] and body["interests"] == ["robotics"]
    assert api.get(f"/v1/people/{org.id('Jamie')}", bea).status_code == 404  # another mentor: still nothing

    for name in ("Amara", "Jamie"):
        assert api.post(f"/v1/matches/{match_id}/accept", org.token_for(name), json={}).status_code == 200
    assert api.get(f"/v1/people/{org.id('Jamie')}", amara).json()["name"] == "Jamie"  # active
    assert api.patch(f"/v1/people/{org.id('Jamie')}", amara, json={"bio": "x"}).status_code == 403

    ended = api.post(f"/v1/matches/{match_id}/end", amara, json={"reason": "programme over"})
    assert ended.status_code == 200, ended.text
    assert api.get(f"/v1/people/{org.id('Jamie')}", amara).status_code == 404  # ended: closed again
