"""Matching rules: settings validation, which proposals are refused and why, time zones, the worker."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.matching import domain
from services.matching.domain import Candidate, InvalidSettings, ProgrammeField, RuleViolation
from services.matching.scoring import Person, Rules
from services.matching.solver_process import Problem

pytestmark = pytest.mark.unit

FIELDS = [ProgrammeField("sector", "single_choice", ("a", "b")), ProgrammeField("bio", "text")]
WEIGHTS = {"interests": 1.0, "language": 0.25, "timezone": 0.25, "field": 0.5}


@pytest.mark.parametrize("weights, min_shared, key, field", [
    ({**WEIGHTS, "interests": 10.5}, 1, None, "weights.interests"),
    ({**WEIGHTS, "language": -0.1}, 1, None, "weights.language"),
    ({"interests": 0, "language": 0, "timezone": 0, "field": 3}, 1, None, "weights"),  # field not counted
    (WEIGHTS, 21, None, "min_shared_interests"),
    (WEIGHTS, 1, "year", "field_key"),
    (WEIGHTS, 1, "bio", "field_key"),
])
def test_settings_out_of_range_name_the_field(weights, min_shared, key, field):
    with pytest.raises(InvalidSettings) as caught:
        domain.validate_settings(weights, min_shared, key, FIELDS)
    assert caught.value.field == field


def test_valid_settings_pass_and_become_rules():
    domain.validate_settings({**WEIGHTS, "field": 2}, 2, "sector", FIELDS)
    rules = domain.rules_from({**WEIGHTS, "field": 2}, 2, "sector")
    assert rules.field_key == "sector" and rules.min_shared_interests == 2 and rules.weights.field == 2


def person(pid, role, **kw) -> Candidate:
    return Candidate(id=pid, role=role, programme_id="p", interests=("law", "music"), capacity=2, **kw)


@pytest.mark.parametrize("mentee, mentor, kwargs, code", [
    (person("a", "mentor"), person("b", "mentor"), {}, "not_a_mentee"),
    (person("a", "mentee"), person("b", "mentee"), {}, "not_a_mentor"),
    (Candidate(id="a", role="mentee", programme_id="q", interests=("law",)), person("b", "mentor"), {},
     "programme_mismatch"),
    (person("a", "mentee"), person("b", "mentor"), {"open_match_id": "m1"}, "mentee_already_matched"),
    (person("a", "mentee"), person("b", "mentor"), {"closed_before": True}, "repeat_pair"),
    (person("a", "mentee", is_minor=True), person("b", "mentor", vetted=True), {}, "guardian_consent_required"),
    (person("a", "mentee", is_minor=True, guardian_consent="withdrawn"), person("b", "mentor", vetted=True), {},
     "guardian_consent_required"),
    (person("a", "mentee", is_minor=True, guardian_consent="granted"), person("b", "mentor"), {}, "mentor_not_vetted"),
    (Candidate(id="a", role="mentee", programme_id="p", interests=("golf",)), person("b", "mentor"), {},
     "too_few_shared_interests"),
    (person("a", "mentee"), person("b", "mentor"), {"active": 2}, "mentor_at_capacity"),
])
def test_proposals_breaking_a_rule_are_refused_with_its_name(mentee, mentor, kwargs, code):
    options = {"open_match_id": None, "closed_before": False, "active": 0, **kwargs}
    with pytest.raises(RuleViolation) as caught:
        domain.check_proposal(mentee, mentor, "p", Rules(), **options)
    assert caught.value.code == code


def test_a_fitting_pair_may_be_proposed():
    domain.check_proposal(person("a", "mentee", is_minor=True, guardian_consent="granted"),
                          person("b", "mentor", vetted=True), "p", Rules(),
                          open_match_id=None, closed_before=False, active=1)


def test_time_zone_offsets_follow_daylight_saving():
    winter = datetime(2025, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 12, tzinfo=UTC)
    london = Candidate(id="x", role="mentee", timezone="Europe/London")
    assert london.person(winter).utc_offset_minutes == 0
    assert london.person(summer).utc_offset_minutes == 60
    assert Candidate(id="y", role="mentee", timezone="Asia/Kolkata").person(summer).utc_offset_minutes == 330


def test_the_worker_process_solves_and_reports_progress_then_the_result():
    problem = Problem(
        mentees=[Person(id="ana", interests=("law", "music")), Person(id="ben", interests=("law",))],
        mentors=[Person(id="law", interests=("law",), places=1), Person(id="music", interests=("music",), places=1)],
        rules=Rules(),
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-m", "services.matching.solver_process"], input=pickle.dumps(problem),
                          capture_output=True, cwd=root, timeout=120, check=True)
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    result = lines[-1]["result"]
    assert {(p["mentee_id"], p["mentor_id"]) for p in result["pairs"]} == {("ana", "music"), ("ben", "law")}
    assert result["optimal"] is True
    for pair in result["pairs"]:
        assert sum(part["contribution"] for part in pair["reasons"].values()) == pytest.approx(pair["score"], abs=3e-4)


def test_the_worker_splits_the_passes_over_processes_and_finds_the_same_optimum():
    from bench.matching_data import cohort as synthetic_cohort
    from services.matching.cohort import plan

    mentees, mentors = synthetic_cohort(1500, 400, n_tags=60, seed=12)
    problem = Problem(mentees=mentees, mentors=mentors, rules=Rules(), options={"workers": 2, "block_rows": 256})
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-m", "services.matching.solver_process"], input=pickle.dumps(problem),
                          capture_output=True, cwd=root, timeout=300, check=True)
    result = json.loads(done.stdout.decode().splitlines()[-1])["result"]
    alone = plan(mentees, mentors, Rules(), workers=1, block_rows=256)
    # The same optimum; the float sums may differ in their last digits with the summation order.
    assert result["total_score"] == pytest.approx(alone.total_score, rel=1e-8)
    # Ties between equally good assignments may be broken differently; the size must agree.
    assert len(result["pairs"]) == len(alone.pairs)


def test_declining_and_ending_close_the_match_and_name_who_and_why():
    from datetime import UTC, datetime

    from services.matching import domain

    at = datetime(2026, 1, 2, tzinfo=UTC)
    declined = domain.declining("mentor-1", "no time", at)
    assert declined.from_status == domain.PROPOSED
    assert declined.changes == {"status": domain.DECLINED, "open": False, "declined_at": at,
                                "declined_by": "mentor-1", "decline_reason": "no time"}
    ended = domain.ending("coordinator", None, at)
    assert ended.from_status == domain.ACTIVE
    assert ended.changes == {"status": domain.ENDED, "open": False, "ended_at": at, "ended_by": "coordinator",
                             "end_reason": None}
