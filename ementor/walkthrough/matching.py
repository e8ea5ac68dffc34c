"""Walkthrough: explained recommendations, a proposed and accepted match, and a cohort run."""

from __future__ import annotations

import time


def _wait_for_recommendations(tour, mentee_id: str, token: str, timeout: float = 15.0) -> list[dict]:
    """Matching learns people from profile events: give the projection a moment to catch up."""
    deadline = time.monotonic() + timeout
    while True:
        response = tour.api.get(f"/v1/people/{mentee_id}/recommendations?limit=3", token, expect=(200, 404))
        if response.status_code == 200 and response.json()["items"]:
            return response.json()["items"]
        if time.monotonic() > deadline:
            raise RuntimeError(f"matching has no recommendations for {mentee_id} after {timeout}s")
        time.sleep(0.1)


def _explain(item: dict, names: dict) -> str:
    reasons = item["reasons"]
    shared = ", ".join(f"{s['interest']} (rarity {s['rarity']})" for s in reasons["interests"]["shared"]) or "none"
    total = " + ".join(f"{name} {part['contribution']:.3f}" for name, part in reasons.items())
    languages = ", ".join(reasons["language"]["shared"]) or "none"
    parts = [f"{names.get(item['mentor_id'], item['mentor_id']):<13} score {item['score']:.3f} = {total}",
             f"   shared interests: {shared}; languages: {languages}; time-zone gap: {reasons['timezone']['gap_hours']:g} h"]
    if "field" in reasons:
        parts[-1] += f"; {reasons['field']['key']}: {reasons['field']['mentee']} / {reasons['field']['mentor']}"
    return "\n".join(parts)


def run(tour) -> None:
    api, state = tour.api, tour.state
    token, token_for = state["coordinator_token"], state["token_for"]
    mentors, mentees = state["mentors"], state["mentees"]
    names = {p["id"]: p["name"] for p in mentors + mentees}

    settings = api.call("PUT", "/v1/settings/matching", token, json={
        "programme_id": state["programme_id"], "field_key": "sector", "min_shared_interests": 1,
        "weights": {"interests": 1.0, "language": 0.25, "timezone": 0.25, "field": 0.5}}).json()
    tour.say("The coordinator sets the programme's matching weights (PUT /v1/settings/matching)",
             f"weights {settings['weights']}, custom field compared: {settings['field_key']}, "
             f"at least {settings['min_shared_interests']} shared interest")

    first = mentees[0]
    for mentee in mentees:
        _wait_for_recommendations(tour, mentee["id"], token)
    items = _wait_for_recommendations(tour, first["id"], token_for(first["id"]))
    minor = " (a minor: vetted mentors only)" if first.get("is_minor") else ""
    tour.say(f"Recommendations for {first['name']}{minor}, every score explained",
             "\n".join(_explain(item, names) for item in items))

    top = items[0]
    match = api.post("/v1/matches", token, json={"mentee_id": first["id"], "mentor_id": top["mentor_id"]}).json()
    tour.say("The coordinator proposes the top match", f"{first['name']} + {names[top['mentor_id']]}: "
             f"status {match['status']}, score {match['score']}")
    api.post(f"/v1/matches/{match['id']}/accept", token_for(first["id"]), json={})
    match = api.post(f"/v1/matches/{match['id']}/accept", token_for(top["mentor_id"]), json={}).json()
    tour.say("Mentee and mentor both accept: the match is active", f"status {match['status']}")
    tour.events.wait_for("MatchAccepted", lambda e: e.subject == match["id"], timeout=10)
    tour.say("Events that flowed")
    tour.show_events("MatchProposed", "MatchAccepted")
    state["match"] = match

    run_ = api.post("/v1/matching-runs", token, json={"programme_id": state["programme_id"]}).json()
    tour.say("A cohort run matches everyone else at once (POST /v1/matching-runs -> 202)",
             f"run {run_['id']}: {run_['status']}; the optimisation runs in a worker process")
    tour.events.wait_for("MatchingRunCompleted", lambda e: e.subject == run_["id"], timeout=60)
    result = api.get(f"/v1/matching-runs/{run_['id']}", token).json()
    proposed = api.get("/v1/matches?status=proposed", token).json()["items"]
    proof = "proven optimal" if result["optimal"] else "within the reported bound"
    lines = [(f"{result['matched_count']} matched, {result['unmatched_count']} unmatched, "
              f"{result['already_matched']} already matched; total score {result['total_score']:.3f} ({proof})")]
    lines += [f"proposed: {names[m['mentee_id']]} + {names[m['mentor_id']]} (score {m['score']})"
              for m in proposed if m["matching_run_id"] == run_["id"]]
    lines += [f"unmatched: {names.get(u['mentee_id'], u['mentee_id'])}: {u['message']}" for u in result["unmatched"]]
    tour.say("The run's result", "\n".join(lines))

    waiting = api.get("/v1/waiting-mentees", token).json()["items"]
    tour.say("Who still waits for a mentor (GET /v1/waiting-mentees), as the staff overview counts them",
             "\n".join(f"{names.get(w['mentee_id'], w['mentee_id'])}: {w['mentors_to_choose']} mentors to choose"
                       + (" (guardian has not consented yet)" if w["awaiting_consent"] else "") for w in waiting)
             or "nobody: every mentee has a proposed or active match")
