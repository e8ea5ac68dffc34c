"""Mentees waiting for a mentor, as a coordinator's dashboard and Matching page read them."""

from __future__ import annotations

import uuid

import pytest

from services.matching import waiting as waiting_module
from tests.support.events import eventually

from .conftest import make_org, wait_for_mentors

pytestmark = pytest.mark.integration


def waiting(org, query: str = "") -> dict:
    response = org.api.get(f"/v1/waiting-mentees{query}", org.token)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_coordinator_sees_who_waits_and_who_has_no_mentor_to_choose(org, api):
    org.add("Ada", "mentor", interests=["robotics", "chess"], capacity=2, vetted=True)
    org.add("Bo", "mentor", interests=["robotics"], capacity=1)
    org.add("Cy", "mentee", interests=["robotics"])  # both mentors
    org.add("Kid", "mentee", interests=["robotics"], is_minor=True)  # only the vetted one
    org.add("Golfer", "mentee", interests=["golf"])  # nobody shares golf
    org.add("Matched", "mentee", interests=["chess"])
    response = api.post("/v1/people", org.token, json={  # a minor whose guardian has not answered yet
        "role": "mentee", "name": "Lily", "email": f"lily-{uuid.uuid4().hex[:6]}@example.org", "is_minor": True,
        "timezone": "Europe/London", "languages": ["en"],
        "interests": ["chess"], "programme_id": org.programme_id,
        "guardian": {"name": "Sam", "email": f"sam-{uuid.uuid4().hex[:6]}@example.org"}})
    assert response.status_code == 201, response.text
    org.people["Lily"] = response.json()
    wait_for_mentors(org, "Cy", ["Ada", "Bo"])
    proposed = api.post("/v1/matches", org.token, json={"mentee_id": org.id("Matched"), "mentor_id": org.id("Ada")})
    assert proposed.status_code == 201, proposed.text

    def everyone_listed():
        body = waiting(org)
        found = {item["mentee_id"]: item for item in body["items"]}
        assert set(found) == {org.id(n) for n in ("Cy", "Kid", "Golfer", "Lily")}  # a proposed match is not waiting
        return found

    found = eventually(everyone_listed)
    assert [i["mentee_id"] for i in waiting(org)["items"]] == sorted(found)
    assert {n: found[org.id(n)]["mentors_to_choose"] for n in ("Cy", "Kid", "Golfer", "Lily")} == \
        {"Cy": 2, "Kid": 1, "Golfer": 0, "Lily": 1}
    assert found[org.id("Lily")]["awaiting_consent"] and not found[org.id("Kid")]["awaiting_consent"]
    assert found[org.id("Cy")]["programme_id"] == org.programme_id
    # The count is what "Find a mentor" lists.
    cy = api.get(f"/v1/people/{org.id('Cy')}/recommendations?limit=50", org.token).json()
    assert len(cy["items"]) == 2

    none_to_choose = waiting(org, "?no_mentor=true")
    assert [i["mentee_id"] for i in none_to_choose["items"]] == [org.id("Golfer")]

    # However big the organisation, a page examines a bounded number of mentees; reading on finds the rest.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(waiting_module, "BLOCK", 1)
        patch.setattr(waiting_module, "SCAN", 2)
        pages, cursor = [], None
        while True:
            page = waiting(org, "?no_mentor=true" + (f"&cursor={cursor}" if cursor else ""))
            pages.append(page["items"])
            if not (cursor := page["next_cursor"]):
                break
    assert len(pages) == 2 and [i["mentee_id"] for items in pages for i in items] == [org.id("Golfer")]

    first = waiting(org, "?limit=3")
    assert len(first["items"]) == 3 and first["next_cursor"] == first["items"][-1]["mentee_id"]
    rest = waiting(org, f"?limit=3&cursor={first['next_cursor']}")
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {i["mentee_id"] for i in first["items"] + rest["items"]} == set(found)

    # Declining frees the mentee and rules that mentor out for them: one mentor fewer to choose.
    declined = api.post(f"/v1/matches/{proposed.json()['id']}/decline", org.token,
                        json={"reason": "timetable clash", "person_id": org.id("Ada")})
    assert declined.status_code == 200, declined.text

    def matched_waits_again_with_nobody():
        items = {i["mentee_id"]: i for i in waiting(org, "?no_mentor=true")["items"]}
        assert set(items) == {org.id("Golfer"), org.id("Matched")}

    eventually(matched_waits_again_with_nobody)


def test_only_coordinators_of_the_organisation_see_it_and_bad_queries_are_refused(org, api):
    org.add("Cy", "mentee", interests=["robotics"])
    org.wait_known("Cy")
    assert api.get("/v1/waiting-mentees", org.token_for("Cy")).status_code == 403
    stranger = make_org(api, "stranger")
    assert api.get("/v1/waiting-mentees", stranger.token).json()["items"] == []
    for query, field in (("?limit=0", "limit"), ("?limit=201", "limit"), ("?no_mentor=perhaps", "no_mentor"),
                         ("?cursor=", "cursor"), ("?colour=red", "colour")):
        response = api.get(f"/v1/waiting-mentees{query}", org.token)
        assert response.status_code == 422, (query, response.text)
        assert response.json()["error"]["details"][0]["field"] == field, query
