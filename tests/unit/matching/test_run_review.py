"""A run for review (publish false) keeps its pairs and proposes nothing until it is published, once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ementor.platform.mongo import open_database
from services.matching import runs
from services.matching.documents import DOCUMENTS, Match, MatchingRun
from services.matching.match_views import run_view
from services.matching.repository import MatchingRepository

TENANT = "t1"


def reasons(interest: float, language: float = 0.1) -> dict:
    return {"interests": {"weight": 1.0, "value": interest, "contribution": interest,
                          "shared": [{"interest": "robotics", "rarity": 1.0}]},
            "language": {"weight": 0.25, "value": 1.0, "contribution": language, "shared": ["en"]}}


OUTCOME = {
    "pairs": [{"mentee_id": "ana", "mentor_id": "bot", "score": 0.4, "reasons": reasons(0.3)},
              {"mentee_id": "ben", "mentor_id": "robo", "score": 0.7, "reasons": reasons(0.6)}],
    "unmatched": [{"mentee_id": "eve", "reason": "no_shared_interests", "eligible_mentors": 0,
                   "message": "no mentor shares an interest with this mentee"}],
    "total_score": 1.1, "upper_bound": 1.1, "optimal": True, "timings": {"solve": 0.01},
}


@pytest.fixture
def repo(mongodb, monkeypatch):
    open_database("matching", mongodb, DOCUMENTS)
    problem = SimpleNamespace(mentees=["ana", "ben", "eve"], mentors=["bot", "robo"])
    facts = {"mentees_considered": 3, "mentors_considered": 2, "places": 2, "already_matched": 0}
    monkeypatch.setattr(runs, "load_problem", lambda repo, tenant_id, programme_id: (problem, facts, []))
    return MatchingRepository()


def run_to_the_end(repo: MatchingRepository, *, publish: bool) -> str:
    run = MatchingRun(tenant_id=TENANT, programme_id="p1", publish=publish)
    repo.create_run(run)
    claimed = repo.claim_run("me", runs.LEASE)
    runs.execute(repo, claimed, "me", solve=lambda problem, report: OUTCOME)
    return run.id


def matches() -> list[dict]:
    return list(Match.raw().find({"tenant_id": TENANT}))


def test_a_review_run_keeps_its_pairs_best_first_and_proposes_nothing(repo):
    run_id = run_to_the_end(repo, publish=False)
    view = run_view(repo.run(TENANT, run_id))
    assert (view.status, view.stage, view.publish, view.published_at) == ("completed", "review", False, None)
    assert [(p.mentee_id, p.mentor_id, p.score) for p in view.pairs] == [("ben", "robo", 0.7), ("ana", "bot", 0.4)]
    assert view.pairs[0].reasons["interests"]["shared"] == [{"interest": "robotics", "rarity": 1.0}]
    assert view.matched_count == 0 and view.total_score == pytest.approx(1.1)
    assert [u.mentee_id for u in view.unmatched] == ["eve"]
    assert matches() == []  # nobody has been told anything
    assert MatchingRun.raw().find_one({"_id": run_id, "tenant_id": TENANT}).get("outbox", []) == []  # no MatchingRunCompleted yet


def test_publishing_proposes_each_pair_once_and_announces_the_run(repo):
    run_id = run_to_the_end(repo, publish=False)
    reviewed = repo.run(TENANT, run_id)
    published = run_view(runs.publish(repo, TENANT, run_id))
    assert published.stage == "completed" and published.published_at is not None
    assert published.matched_count == 2 and all(p.published for p in published.pairs)
    stored = {m["_id"]: m for m in matches()}
    assert set(stored) == {p["match_id"] for p in reviewed["pairs"]}  # the ids shown at review
    assert {(m["mentee_id"], m["mentor_id"], m["status"], m["matching_run_id"]) for m in stored.values()} == {
        ("ana", "bot", "proposed", run_id), ("ben", "robo", "proposed", run_id)}
    assert all(m["outbox"][0]["type"] == "MatchProposed" for m in stored.values())
    outbox = MatchingRun.raw().find_one({"_id": run_id, "tenant_id": TENANT})["outbox"]
    assert [e["type"] for e in outbox] == ["MatchingRunCompleted"]

    again = run_view(runs.publish(repo, TENANT, run_id))  # a retried click changes nothing
    assert again.matched_count == 2 and len(matches()) == 2
    assert len(MatchingRun.raw().find_one({"_id": run_id, "tenant_id": TENANT})["outbox"]) == 1


def test_a_mentee_matched_since_the_review_is_left_out_and_said_so(repo):
    run_id = run_to_the_end(repo, publish=False)
    Match.raw().insert_one({"_id": "elsewhere", "tenant_id": TENANT, "mentee_id": "ben", "mentor_id": "zed",
                            "status": "proposed", "open": True})
    published = run_view(runs.publish(repo, TENANT, run_id))
    assert published.matched_count == 1 and published.optimal is False
    assert {p.mentee_id: p.published for p in published.pairs} == {"ben": False, "ana": True}
    assert {u.mentee_id: u.reason for u in published.unmatched} == {"ben": "matched_meanwhile",
                                                                     "eve": "no_shared_interests"}
    assert published.unmatched_count == 2


def test_only_a_finished_review_run_can_be_published(repo):
    at_once = run_to_the_end(repo, publish=True)
    assert len(matches()) == 2  # the default still proposes as soon as it finishes
    with pytest.raises(runs.NotReady) as refused:
        runs.publish(repo, TENANT, at_once)
    assert refused.value.reason == "not_reviewable"

    queued = MatchingRun(tenant_id=TENANT, programme_id="p2", publish=False)
    repo.create_run(queued)
    with pytest.raises(runs.NotReady) as waiting:
        runs.publish(repo, TENANT, queued.id)
    assert waiting.value.reason == "queued"
    with pytest.raises(LookupError):
        runs.publish(repo, "another-tenant", queued.id)


def test_erasing_someone_removes_their_pair_from_a_run_awaiting_review(repo):
    run_id = run_to_the_end(repo, publish=False)
    repo.forget_person_in_runs(TENANT, "robo")
    assert [p["mentee_id"] for p in repo.run(TENANT, run_id)["pairs"]] == ["ana"]
