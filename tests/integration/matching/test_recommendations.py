"""Recommendations over HTTP, from candidates projected out of real ProfileCreated events."""

from __future__ import annotations

import pytest

from tests.support.events import eventually

from .conftest import make_org, wait_for_mentors

pytestmark = pytest.mark.integration


def contributions(item: dict) -> float:
    return sum(part["contribution"] for part in item["reasons"].values())


def test_mentors_are_ranked_by_score_and_every_score_is_explained(org, api):
    for i in range(4):
        org.add(f"Music{i}", "mentor", interests=["music", f"hobby-{i}"], capacity=2, vetted=True)
    org.add("Stella", "mentor", interests=["astronomy"], languages=["en"], timezone="America/New_York", capacity=1)
    org.add("Golfer", "mentor", interests=["golf"], capacity=3)
    org.add("Mia", "mentee", interests=["music", "astronomy"], languages=["en", "fr"])

    items = wait_for_mentors(org, "Mia", ["Stella", "Music0", "Music1", "Music2", "Music3"])["items"]

    assert items[0]["mentor_id"] == org.id("Stella")  # the rare shared interest outweighs the common one
    assert org.id("Golfer") not in {i["mentor_id"] for i in items}  # nothing shared: never recommended
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    for item in items:
        assert item["score"] == round(contributions(item), 4)
    stella = items[0]["reasons"]
    assert [s["interest"] for s in stella["interests"]["shared"]] == ["astronomy"]
    assert stella["language"]["shared"] == ["en"]
    assert stella["timezone"]["gap_hours"] in (4.0, 5.0)  # New York is 4 or 5 hours behind London
    music = items[1]["reasons"]["interests"]["shared"]
    assert music[0]["interest"] == "music" and music[0]["rarity"] < stella["interests"]["shared"][0]["rarity"]


def test_a_minor_is_only_recommended_vetted_mentors(org, api):
    org.add("Unvetted", "mentor", interests=["chess"], capacity=2)
    org.add("Kid", "mentee", interests=["chess"], is_minor=True)
    org.add("Adult", "mentee", interests=["chess"])
    wait_for_mentors(org, "Adult", ["Unvetted"])
    kid = api.get(f"/v1/people/{org.id('Kid')}/recommendations", org.token)
    assert kid.status_code == 200 and kid.json()["items"] == []

    org.add("Vetted", "mentor", interests=["chess"], capacity=1, vetted=True)
    items = wait_for_mentors(org, "Kid", ["Vetted"])["items"]
    assert [i["mentor_id"] for i in items] == [org.id("Vetted")]


def test_a_mentee_sees_their_own_recommendations_and_nobody_elses(org, api):
    org.add("Ada", "mentor", interests=["robotics"], capacity=1)
    org.add("Cy", "mentee", interests=["robotics"])
    org.add("Di", "mentee", interests=["robotics"])
    wait_for_mentors(org, "Cy", ["Ada"])

    own = api.get(f"/v1/people/{org.id('Cy')}/recommendations?limit=1", org.token_for("Cy"))
    assert own.status_code == 200 and own.json()["items"][0]["mentor_id"] == org.id("Ada")
    other = api.get(f"/v1/people/{org.id('Di')}/recommendations", org.token_for("Cy"))
    assert other.status_code == 404
    mentor = api.get(f"/v1/people/{org.id('Cy')}/recommendations", org.token_for("Ada"))
    assert mentor.status_code == 403
    of_mentor = api.get(f"/v1/people/{org.id('Ada')}/recommendations", org.token)
    assert of_mentor.status_code == 422 and of_mentor.json()["error"]["code"] == "not_a_mentee"
    bad_limit = api.get(f"/v1/people/{org.id('Cy')}/recommendations?limit=0", org.token)
    assert bad_limit.status_code == 422 and bad_limit.json()["error"]["details"][0]["field"] == "limit"
    unknown = api.get("/v1/people/000000000000000000000000/recommendations", org.token)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"

    stranger = make_org(api, "stranger")
    foreign = api.get(f"/v1/people/{org.id('Cy')}/recommendations", stranger.token)
    assert foreign.status_code == 404


def test_an_organisation_sets_the_weights_and_rankings_follow(org, api):
    org.add("SameSector", "mentor", interests=["finance"], capacity=1, custom_fields={"sector": "health"})
    org.add("Abroad", "mentor", interests=["finance", "golf"], timezone="Asia/Tokyo", capacity=1,
            custom_fields={"sector": "law"})
    org.add("Nia", "mentee", interests=["finance", "golf"], custom_fields={"sector": "health"})
    items = wait_for_mentors(org, "Nia", ["SameSector", "Abroad"])["items"]
    assert items[0]["mentor_id"] == org.id("Abroad")  # by default: more shared interests win

    before = api.get(f"/v1/settings/matching?programme_id={org.programme_id}", org.token).json()
    assert before["inherited_from"] == "default" and before["field_key"] is None
    put = api.request("PUT", "/v1/settings/matching", org.token, json={
        "programme_id": org.programme_id, "field_key": "sector",
        "weights": {"interests": 0.5, "language": 0.25, "timezone": 2.0, "field": 3.0}})
    assert put.status_code == 200, put.text
    assert put.json()["inherited_from"] == "programme" and put.json()["weights"]["field"] == 3.0

    def reranked():
        items = api.get(f"/v1/people/{org.id('Nia')}/recommendations", org.token).json()["items"]
        assert items[0]["mentor_id"] == org.id("SameSector")
        return items

    items = eventually(reranked)
    assert items[0]["reasons"]["field"] == {"weight": 3.0, "factor": 1.0, "contribution": items[0]["reasons"]["field"][
        "contribution"], "key": "sector", "mentee": "health", "mentor": "health"}
    organisation_default = api.get("/v1/settings/matching", org.token).json()
    assert organisation_default["inherited_from"] == "default"  # the programme's settings stay its own


BAD_SETTINGS = [
    ({"weights": {"interests": 11}}, "weights.interests"),
    ({"weights": {"language": -1}}, "weights.language"),
    ({"weights": {"interests": 0, "language": 0, "timezone": 0, "field": 0}}, "weights"),
    ({"min_shared_interests": 99}, "min_shared_interests"),
    ({"field_key": "shoe_size"}, "field_key"),
    ({"weights": {"charm": 1}}, "weights.charm"),
]


def test_bad_settings_are_refused_with_422_and_only_coordinators_of_the_programme_may_set_them(org, api):
    for body, field in BAD_SETTINGS:
        response = api.request("PUT", "/v1/settings/matching", org.token, json={"programme_id": org.programme_id, **body})
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field, body
    assert api.get(f"/v1/settings/matching?programme_id={org.programme_id}", org.token).json()["inherited_from"] == \
        "default"  # nothing bad was stored

    org.add("Cy", "mentee", interests=["robotics"])
    assert api.request("PUT", "/v1/settings/matching", org.token_for("Cy"), json={}).status_code == 403
    stranger = make_org(api, "stranger")
    response = api.request("PUT", "/v1/settings/matching", stranger.token, json={"programme_id": org.programme_id})
    assert response.status_code == 404


def test_a_short_list_says_why_so_a_coordinator_can_find_the_mentee_a_mentor(org, api):
    org.add("Full", "mentor", interests=["chess"], capacity=1, vetted=True)
    org.add("Unvetted", "mentor", interests=["chess"], capacity=2)
    org.add("Golfer", "mentor", interests=["golf"], capacity=2, vetted=True)
    org.add("Taken", "mentee", interests=["chess"])
    org.add("Kid", "mentee", interests=["chess"], is_minor=True)
    org.add("Loner", "mentee", interests=["chess"], programme_id=None)  # added with no programme
    proposed = api.post("/v1/matches", org.token, json={"mentee_id": org.id("Taken"), "mentor_id": org.id("Full")})
    assert proposed.status_code == 201, proposed.text
    assert api.post(f"/v1/matches/{proposed.json()['id']}/accept", org.token_for("Full")).status_code == 200
    assert api.post(f"/v1/matches/{proposed.json()['id']}/accept", org.token_for("Taken")).status_code == 200

    def kid_sees_why():
        body = api.get(f"/v1/people/{org.id('Kid')}/recommendations", org.token).json()
        assert body["items"] == []
        assert body["pool"] == {"programme_id": org.programme_id, "mentors": 3, "with_room_elsewhere": 0,
                                "ruled_out": {"mentor_at_capacity": 1, "too_few_shared_interests": 1,
                                              "mentor_not_vetted": 1, "repeat_pair": 0}}

    eventually(kid_sees_why)
    loner = api.get(f"/v1/people/{org.id('Loner')}/recommendations", org.token).json()
    assert loner["items"] == [] and loner["pool"]["programme_id"] is None and loner["pool"]["mentors"] == 0
    assert loner["pool"]["with_room_elsewhere"] == 2  # Unvetted and Golfer: an adult may have either

    moved = api.request("PATCH", f"/v1/people/{org.id('Loner')}", org.token, json={"programme_id": org.programme_id})
    assert moved.status_code == 200, moved.text
    listed = wait_for_mentors(org, "Loner", ["Unvetted"])
    assert [i["mentor_id"] for i in listed["items"]] == [org.id("Unvetted")]
    assert listed["pool"]["ruled_out"]["mentor_at_capacity"] == 1  # one mentor of ten asked for: still short
    full_list = api.get(f"/v1/people/{org.id('Loner')}/recommendations?limit=1", org.token).json()
    assert full_list["pool"] is None  # as many as asked: nothing to explain
