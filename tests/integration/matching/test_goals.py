"""Goals within a match: set and completed by its two people (or a coordinator), only while active."""

from __future__ import annotations

import pytest

from .conftest import wait_for_mentors

pytestmark = pytest.mark.integration


def test_the_pair_sets_and_completes_goals_in_an_active_match_only(org, api, events):
    org.add("Ada", "mentor", interests=["robotics"], capacity=2)
    org.add("Cy", "mentee", interests=["robotics"])
    org.add("Di", "mentee", interests=["robotics"])
    wait_for_mentors(org, "Cy", ["Ada"])
    match = api.post("/v1/matches", org.token, json={"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")}).json()
    goals = f"/v1/matches/{match['id']}/goals"

    early = api.post(goals, org.token_for("Cy"), json={"title": "Build a line-following robot"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "match_not_active"

    api.post(f"/v1/matches/{match['id']}/accept", org.token_for("Cy"), json={})
    api.post(f"/v1/matches/{match['id']}/accept", org.token_for("Ada"), json={})
    set_by_mentee = api.post(goals, org.token_for("Cy"), json={"title": "Build a line-following robot",
                                                              "due_date": "2030-06-30"})
    assert set_by_mentee.status_code == 201, set_by_mentee.text
    goal = set_by_mentee.json()
    assert goal["due_date"] == "2030-06-30" and goal["set_by"] == org.id("Cy") and goal["completed_at"] is None
    by_coordinator = api.post(goals, org.token, json={"title": "Practise for the apprenticeship interview"})
    assert by_coordinator.status_code == 201 and by_coordinator.json()["set_by"] == "coordinator"
    assert api.post(goals, org.token_for("Cy"), json={"title": ""}).status_code == 422
    assert api.post(goals, org.token_for("Cy"), json={"title": "Robots\r\nand more"}).status_code == 422
    assert api.post(goals, org.token_for("Cy"), json={"title": "x", "due_date": "soon"}).status_code == 422
    assert api.post(goals, org.token_for("Di"), json={"title": "Not my match"}).status_code == 404

    done = api.post(f"{goals}/{goal['id']}/complete", org.token_for("Ada"))
    assert done.status_code == 200 and done.json()["completed_by"] == org.id("Ada") and done.json()["completed_at"]
    again = api.post(f"{goals}/{goal['id']}/complete", org.token_for("Cy"))
    assert again.status_code == 200 and again.json()["completed_by"] == org.id("Ada")  # completing twice: no change
    assert api.post(f"{goals}/000000000000000000000000/complete", org.token_for("Cy")).status_code == 404

    listed = api.get(goals, org.token_for("Ada")).json()["items"]
    assert [g["title"] for g in listed] == ["Build a line-following robot", "Practise for the apprenticeship interview"]
    assert api.get(goals, org.token_for("Di")).status_code == 404

    set_events = events.wait_for("GoalSet", count=2)
    assert {e.data["set_by"] for e in set_events} == {org.id("Cy"), "coordinator"}
    # Labels only (knowledge recommends reading from them); the title never leaves matching.
    assert {e.data["set_by"]: e.data["topics"] for e in set_events} == {
        org.id("Cy"): [], "coordinator": ["apprenticeships", "interviews"]}
    assert not any("title" in e.data for e in set_events)
    completed = events.wait_for("GoalCompleted")
    assert len(completed) == 1 and completed[0].data == {"goal_id": goal["id"], "match_id": match["id"],
                                                        "completed_by": org.id("Ada")}

    api.post(f"/v1/matches/{match['id']}/end", org.token_for("Cy"), json={})
    after = api.post(goals, org.token_for("Cy"), json={"title": "Too late"})
    assert after.status_code == 409 and after.json()["error"]["code"] == "match_not_active"
    assert len(api.get(goals, org.token_for("Cy")).json()["items"]) == 2  # the history stays readable
