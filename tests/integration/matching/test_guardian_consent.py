"""Matching and guardian consent: a minor without consent is refused and left out of runs."""

from __future__ import annotations

import uuid

import pytest

from tests.support.events import eventually

from .conftest import wait_for_mentors

pytestmark = pytest.mark.integration


def test_a_run_leaves_out_a_minor_whose_guardian_declined_until_consent_is_granted(org, api, events):
    org.add("Robo", "mentor", interests=["robotics"], capacity=2, vetted=True)
    created = api.post("/v1/people", org.token, json={
        "role": "mentee", "name": "Kid", "email": f"kid-{uuid.uuid4().hex[:6]}@example.org",
        "timezone": "Europe/London", "interests": ["robotics"], "programme_id": org.programme_id, "is_minor": True,
        "consent_recorded_offline": {"decision": "decline", "evidence": "parent said no at the open evening"}})
    assert created.status_code == 201, created.text
    kid = org.people["Kid"] = created.json()
    assert kid["guardian_consent"] == "declined"
    wait_for_mentors(org, "Kid", ["Robo"])  # recommendations are still shown to coordinators

    run = api.post("/v1/matching-runs", org.token, json={"programme_id": org.programme_id}).json()
    events.wait_for("MatchingRunCompleted", lambda e: e.subject == run["id"], timeout=60)
    result = api.get(f"/v1/matching-runs/{run['id']}", org.token).json()
    assert result["matched_count"] == 0
    assert [(u["mentee_id"], u["reason"]) for u in result["unmatched"]] == [(kid["id"], "guardian_consent_required")]
    refused = api.post("/v1/matches", org.token, json={"mentee_id": kid["id"], "mentor_id": org.id("Robo")})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["guardian_consent"] == "declined"

    granted = api.post(f"/v1/people/{kid['id']}/guardian-consent", org.token,
                       json={"decision": "grant", "evidence": "signed form returned on 3 December"})
    assert granted.status_code == 200, granted.text

    def proposed():
        response = api.post("/v1/matches", org.token, json={"mentee_id": kid["id"], "mentor_id": org.id("Robo")})
        assert response.status_code == 201, response.text

    eventually(proposed)
