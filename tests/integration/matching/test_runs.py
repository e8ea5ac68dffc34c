"""Cohort matching runs over HTTP: optimal (not greedy), explained, off the hub, and calm when empty."""

from __future__ import annotations

import time

import pytest

from tests.support.events import eventually

from .conftest import make_org, wait_for_mentors

pytestmark = pytest.mark.integration


def test_a_run_proposes_the_optimal_matches_and_says_who_is_left_and_why(org, api, events):
    # Ana fits Robo best, but Ben fits nobody else: greedy (best pair first) would strand Ben.
    org.add("Robo", "mentor", interests=["robotics", "music"], capacity=1)
    org.add("Bot", "mentor", interests=["robotics"], capacity=1)
    org.add("Lex", "mentor", interests=["law"], capacity=2)  # not vetted
    org.add("Ana", "mentee", interests=["robotics", "music"])
    org.add("Ben", "mentee", interests=["music", "chess"])
    org.add("Kid", "mentee", interests=["law"], is_minor=True)
    org.add("Eve", "mentee", interests=["golf"])
    wait_for_mentors(org, "Ana", ["Robo", "Bot"])
    wait_for_mentors(org, "Ben", ["Robo"])
    wait_for_mentors(org, "Eve", [])
    scores = {(mentee, item["mentor_id"]): item["score"] for mentee in ("Ana", "Ben")
              for item in api.get(f"/v1/people/{org.id(mentee)}/recommendations", org.token).json()["items"]}
    greedy_total = scores[("Ana", org.id("Robo"))]
    optimal_total = scores[("Ana", org.id("Bot"))] + scores[("Ben", org.id("Robo"))]
    assert optimal_total > greedy_total

    started = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id})
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "queued"
    busy = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "run_in_progress"
    assert busy.json()["error"]["details"] == {"run_id": run["id"]}

    def running():
        state = api.get(f"/v1/matching-runs/{run['id']}", org.token).json()
        assert state["status"] in ("running", "completed")
        return state

    eventually(running)
    begun = time.perf_counter()  # the solver works in its own process: the service answers meanwhile
    assert api.get(f"/v1/people/{org.id('Eve')}/recommendations", org.token).status_code == 200
    assert time.perf_counter() - begun < 0.5

    completed = events.wait_for("MatchingRunCompleted", lambda e: e.subject == run["id"], timeout=60)[0]
    result = api.get(f"/v1/matching-runs/{run['id']}", org.token).json()
    assert result["status"] == "completed" and result["stage"] == "completed" and result["progress"] == 1.0
    assert result["matched_count"] == 2 and result["unmatched_count"] == 2
    assert result["total_score"] == pytest.approx(optimal_total, abs=2e-4)
    assert result["optimal"] is True and result["upper_bound"] == pytest.approx(result["total_score"], abs=1e-3)
    assert {u["mentee_id"]: u["reason"] for u in result["unmatched"]} == {
        org.id("Kid"): "no_vetted_mentor", org.id("Eve"): "no_shared_interests"}
    assert completed.data == {"run_id": run["id"], "programme_id": org.programme_id, "matched_count": 2,
                              "unmatched_count": 2, "total_score": result["total_score"]}

    proposed = events.wait_for("MatchProposed", lambda e: e.data.get("matching_run_id") == run["id"], count=2)
    assert {(e.data["mentee_id"], e.data["mentor_id"]) for e in proposed} == {
        (org.id("Ana"), org.id("Bot")), (org.id("Ben"), org.id("Robo"))}
    matches = api.get("/v1/matches?status=proposed", org.token).json()["items"]
    assert all(m["matching_run_id"] == run["id"] and m["reasons"]["interests"]["shared"] for m in matches)
    ben = next(m for m in matches if m["mentee_id"] == org.id("Ben"))
    api.post(f"/v1/matches/{ben['id']}/accept", org.token_for("Ben"), json={})
    assert api.post(f"/v1/matches/{ben['id']}/accept", org.token_for("Robo"), json={}).json()["status"] == "active"

    again = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id}).json()
    events.wait_for("MatchingRunCompleted", lambda e: e.subject == again["id"], timeout=60)
    second = api.get(f"/v1/matching-runs/{again['id']}", org.token).json()
    assert second["already_matched"] == 2 and second["matched_count"] == 0  # nobody is proposed twice


def test_a_run_on_an_empty_programme_completes_with_nothing_to_do(org, api, events):
    started = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id})
    assert started.status_code == 202
    run_id = started.json()["id"]
    completed = events.wait_for("MatchingRunCompleted", lambda e: e.subject == run_id, timeout=30)[0]
    assert completed.data["matched_count"] == 0 and completed.data["unmatched_count"] == 0
    result = api.get(f"/v1/matching-runs/{run_id}", org.token).json()
    assert result["status"] == "completed" and result["error"] is None
    assert (result["mentees_considered"], result["mentors_considered"], result["matched_count"]) == (0, 0, 0)
    assert result["unmatched"] == [] and result["total_score"] == 0.0

    unknown = api.post("/v1/matching-runs", org.token, json={"programme_id": "000000000000000000000000"})
    assert unknown.status_code == 404
    stranger = make_org(api, "stranger")
    assert api.get(f"/v1/matching-runs/{run_id}", stranger.token).status_code == 404
    assert api.post("/v1/matching-runs", stranger.token, json={"programme_id": org.programme_id}).status_code == 404
    org.add("Cy", "mentee", interests=["robotics"])
    assert api.post("/v1/matching-runs", org.token_for("Cy"), json={"programme_id": org.programme_id}).status_code == 403
    assert api.post("/v1/matching-runs", org.token, json={}).status_code == 422


def test_a_review_run_proposes_nothing_until_a_coordinator_publishes_it(org, api, events):
    org.add("Robo", "mentor", interests=["robotics", "music"], capacity=1)
    org.add("Ana", "mentee", interests=["robotics", "music"])
    org.add("Eve", "mentee", interests=["golf"])
    wait_for_mentors(org, "Ana", ["Robo"])
    wait_for_mentors(org, "Eve", [])

    started = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id, "publish": False})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.json()["publish"] is False
    early = api.post(f"/v1/matching-runs/{run_id}/publish", org.token)  # the solver process is still starting
    assert early.status_code == 409 and early.json()["error"]["code"] == "run_not_finished", early.text

    def reviewable():
        state = api.get(f"/v1/matching-runs/{run_id}", org.token).json()
        assert state["stage"] == "review", state["stage"]
        return state

    review = eventually(reviewable, timeout=30)
    assert review["stage"] == "review" and review["published_at"] is None
    assert [(p["mentee_id"], p["mentor_id"]) for p in review["pairs"]] == [(org.id("Ana"), org.id("Robo"))]
    assert review["pairs"][0]["reasons"]["interests"]["shared"]
    assert [u["mentee_id"] for u in review["unmatched"]] == [org.id("Eve")]
    assert api.get("/v1/matches?status=proposed", org.token).json()["items"] == []  # nothing sent yet

    published = api.post(f"/v1/matching-runs/{run_id}/publish", org.token)
    assert published.status_code == 200, published.text
    assert published.json()["stage"] == "completed" and published.json()["matched_count"] == 1
    proposed = events.wait_for("MatchProposed", lambda e: e.data.get("matching_run_id") == run_id)[0]
    assert proposed.data["match_id"] == review["pairs"][0]["match_id"]
    completed = events.wait_for("MatchingRunCompleted", lambda e: e.subject == run_id, timeout=30)[0]
    assert completed.data["matched_count"] == 1
    again = api.post(f"/v1/matching-runs/{run_id}/publish", org.token)
    assert again.status_code == 200 and len(api.get("/v1/matches?status=proposed", org.token).json()["items"]) == 1

    at_once = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id}).json()
    events.wait_for("MatchingRunCompleted", lambda e: e.subject == at_once["id"], timeout=60)
    refused = api.post(f"/v1/matching-runs/{at_once['id']}/publish", org.token)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "run_not_reviewable"
    assert api.post(f"/v1/matching-runs/{run_id}/publish", make_org(api, "stranger").token).status_code == 404
    assert api.post(f"/v1/matching-runs/{run_id}/publish", org.token_for("Eve")).status_code == 403
