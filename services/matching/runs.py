"""Cohort matching runs: claimed by one replica, solved in a child process, proposed as matches.

`POST /v1/matching-runs` only stores a queued run. Every replica runs a `RunExecutor`, which
claims queued runs with an atomic update and a lease (renewed while it works, so a run whose
replica died is taken over by another). The heavy part -- scoring every pair and solving the
assignment -- runs in `services.matching.solver_process`, a child process, so the replica's eventlet hub
keeps serving requests and events meanwhile; progress flows back line by line into the run.

A run started with `publish: false` stops short of proposing: it keeps its pairs, with their reasons,
for a coordinator to review (stage `review`); `POST /v1/matching-runs/{id}/publish` then proposes
them (`publish` below), and only then do the people hear about it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import pickle
import socket
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from ementor_contracts import MatchingRunCompleted, MatchProposed
from eventlet.green import subprocess

from ementor.platform.extension import ServiceDependency
from ementor.platform.loop import BackgroundLoop

from . import domain
from .documents import PROPOSED, utcnow
from .repository import MatchingRepository, new_id, pending
from .solver_process import Problem

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
PROGRESS_EVERY = 0.5  # seconds between progress writes
INSERT_BATCH = 500
MAX_UNMATCHED_LISTED = 5000
MAX_REVIEW_PAIRS = 10_000  # a reviewed run keeps its pairs in its own document (16 MB at most)
PUBLISH_LEASE = timedelta(minutes=5)  # a publish cut short may be taken up again after this
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SolverFailed(RuntimeError):
    pass


def rules_for(repo: MatchingRepository, tenant_id: str, programme_id: str | None):
    """The programme's settings, else the organisation's default, else the built-in default."""
    doc = (repo.settings(tenant_id, programme_id) if programme_id is not None else None) or repo.settings(tenant_id, None)
    if doc is None:
        return domain.DEFAULT_RULES
    return domain.rules_from(doc.get("weights"), doc.get("min_shared_interests"), doc.get("field_key"))


def load_problem(repo: MatchingRepository, tenant_id: str, programme_id: str) -> tuple[Problem, dict, list[dict]]:
    """The run's inputs as they stand now: unmatched mentees, mentors' free places, past pairs, rules;
    and the minors left out because their guardian has not consented (reported as unmatched)."""
    at = utcnow()
    people = [domain.Candidate.from_document(d) for d in repo.candidates(tenant_id, programme_id=programme_id)]
    mentors = [p for p in people if p.role == "mentor"]
    mentees = [p for p in people if p.role == "mentee"]
    open_matches = repo.open_matches_in(tenant_id, programme_id)
    taken = {m["mentee_id"] for m in open_matches}
    free = [m for m in mentees if m.id not in taken and not m.awaits_consent]
    awaiting = [m for m in mentees if m.id not in taken and m.awaits_consent]
    loads = repo.loads(tenant_id, [m.id for m in mentors])
    pending_by_mentor: dict[str, int] = {}
    for match in open_matches:
        if match["status"] == PROPOSED:
            pending_by_mentor[match["mentor_id"]] = pending_by_mentor.get(match["mentor_id"], 0) + 1
    mentor_people = []
    for mentor in mentors:
        active = int((loads.get(mentor.id) or {}).get("active", 0))
        places = max(0, mentor.capacity - active - pending_by_mentor.get(mentor.id, 0))
        mentor_people.append(mentor.person(at, places))
    excluded: dict[str, list[str]] = {}
    free_ids = {m.id for m in free}
    for mentee_id, mentor_id in repo.closed_pairs(tenant_id):
        if mentee_id in free_ids:
            excluded.setdefault(mentee_id, []).append(mentor_id)
    rules = rules_for(repo, tenant_id, programme_id)
    problem = Problem(mentees=[m.person(at) for m in free], mentors=mentor_people, rules=rules,
                      excluded_pairs=excluded)
    facts = {"mentees_considered": len(free), "mentors_considered": len(mentors),
             "places": sum(m.places for m in mentor_people), "already_matched": len(taken)}
    skipped = [{"mentee_id": m.id, "reason": "guardian_consent_required", "eligible_mentors": None,
                "message": domain.consent_required(m).message} for m in awaiting]
    return problem, facts, skipped


def solve_in_child(problem: Problem, on_progress) -> dict:
    """Run the worker process; call on_progress(stage, fraction) as it reports; return its result."""
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    child = subprocess.Popen([sys.executable, "-m", "services.matching.solver_process"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, cwd=str(PROJECT_ROOT), env=env)
    result = None
    try:
        child.stdin.write(pickle.dumps(problem, protocol=pickle.HIGHEST_PROTOCOL))
        child.stdin.close()
        for line in child.stdout:
            message = json.loads(line)
            if "progress" in message:
                on_progress(message["progress"]["stage"], message["progress"]["fraction"])
            elif "result" in message:
                result = message["result"]
        code = child.wait()
    except BaseException:
        child.kill()
        child.wait()
        raise
    if code != 0 or result is None:
        raise SolverFailed(f"the solver process failed (exit code {code})")
    return result


def execute(repo: MatchingRepository, run: dict, holder: str, solve=solve_in_child) -> None:
    tenant_id, run_id, programme_id = run["tenant_id"], run["_id"], run["programme_id"]
    state = {"last": 0.0}

    def report(stage: str, fraction: float, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - state["last"] >= PROGRESS_EVERY:
            state["last"] = now
            if not repo.update_run(tenant_id, run_id, holder, LEASE, stage=stage, progress=round(fraction, 3)):
                raise SolverFailed("the run was taken over by another replica")

    try:
        report("loading", 0.0, force=True)
        problem, facts, skipped = load_problem(repo, tenant_id, programme_id)
        repo.update_run(tenant_id, run_id, holder, LEASE, **facts)
        if not problem.mentees or not problem.mentors:
            outcome = {"pairs": [], "unmatched": [], "total_score": 0.0, "upper_bound": 0.0, "optimal": True,
                       "timings": {}}
            if problem.mentees:  # mentees but no mentor at all
                outcome["unmatched"] = [{"mentee_id": m.id, "reason": "no_mentors", "eligible_mentors": 0,
                                         "message": "no mentor in the programme has a free place"}
                                        for m in problem.mentees]
        else:
            outcome = solve(problem, lambda stage, fraction: report(stage, fraction))
        if run.get("publish", True) is False:
            review(repo, run, holder, outcome, skipped)
            return
        report("proposing", 0.0, force=True)
        matched, total, meanwhile = propose_all(repo, tenant_id, run_id, programme_id, outcome["pairs"], report)
        unmatched = outcome["unmatched"] + skipped + [
            {"mentee_id": p["mentee_id"], "reason": "matched_meanwhile", "eligible_mentors": None,
             "message": "the mentee got a match while the run was in progress"} for p in meanwhile]
        upper = outcome.get("upper_bound")
        fields = {
            "stage": "completed", "progress": 1.0, "matched_count": matched, "unmatched_count": len(unmatched),
            "total_score": round(total, 6), "optimal": bool(outcome.get("optimal")) and not meanwhile,
            "upper_bound": None if upper is None or math.isinf(upper) else round(float(upper), 6),
            "unmatched": sorted(unmatched, key=lambda u: u["mentee_id"])[:MAX_UNMATCHED_LISTED],
            "timings": outcome.get("timings", {}),
        }
        event = MatchingRunCompleted(run_id=run_id, programme_id=programme_id, matched_count=matched,
                                     unmatched_count=len(unmatched), total_score=round(total, 6))
        repo.finish_run(tenant_id, run_id, holder, failed=False, fields=fields, events=[pending(event, tenant_id)])
        if matched:
            repo.bump(tenant_id)
        log.info("matching run %s of programme %s: %d matched, %d unmatched, total %.4f", run_id, programme_id,
                 matched, len(unmatched), total)
    except Exception as exc:
        log.exception("matching run %s failed", run_id)
        repo.finish_run(tenant_id, run_id, holder, failed=True,
                        fields={"stage": "failed", "error": str(exc) or exc.__class__.__name__})


def propose_all(repo: MatchingRepository, tenant_id: str, run_id: str, programme_id: str, pairs: list[dict],
                report) -> tuple[int, float, list[dict]]:
    """Insert the run's matches in batches, each with its MatchProposed event in its outbox.

    A mentee who got a match while the run was solving is refused by the one-open-match index
    and reported as such, never matched twice.
    """
    matched, total, meanwhile = 0, 0.0, []
    for start in range(0, len(pairs), INSERT_BATCH):
        batch = pairs[start:start + INSERT_BATCH]
        documents = [match_document(tenant_id, run_id, programme_id, pair, new_id()) for pair in batch]
        refused = repo.insert_matches(documents)
        for position, pair in enumerate(batch):
            if position in refused:
                meanwhile.append(pair)
            else:
                matched += 1
                total += float(pair["score"])
        report("proposing", min(1.0, (start + len(batch)) / max(1, len(pairs))))
    return matched, total, meanwhile


def pair_score(pair: dict) -> float:
    """A pair's score as its match stores it: the sum of its factors' contributions."""
    return round(sum(part["contribution"] for part in pair["reasons"].values()), 4) if pair["reasons"] \
        else round(pair["score"], 4)


def match_document(tenant_id: str, run_id: str, programme_id: str, pair: dict, match_id: str) -> dict:
    """A proposed match of a run, with its MatchProposed event in its outbox."""
    score = pair_score(pair)
    event = MatchProposed(match_id=match_id, mentee_id=pair["mentee_id"], mentor_id=pair["mentor_id"],
                          programme_id=programme_id, proposed_by=domain.COORDINATOR, score=score,
                          matching_run_id=run_id)
    now = utcnow()
    return {
        "_id": match_id, "tenant_id": tenant_id, "programme_id": programme_id,
        "mentee_id": pair["mentee_id"], "mentor_id": pair["mentor_id"], "status": PROPOSED, "open": True,
        "mentee_accepted": False, "mentor_accepted": False, "score": score, "reasons": pair["reasons"],
        "proposed_by": domain.COORDINATOR, "matching_run_id": run_id, "created_at": now, "updated_at": now,
        "outbox": [pending(event, tenant_id)], "delete_when_published": False,
    }


def review(repo: MatchingRepository, run: dict, holder: str, outcome: dict, skipped: list[dict]) -> None:
    """Finish a `publish: false` run: keep its pairs (best first) for review; propose nothing yet."""
    tenant_id, run_id = run["tenant_id"], run["_id"]
    if len(outcome["pairs"]) > MAX_REVIEW_PAIRS:
        raise SolverFailed(f"{len(outcome['pairs'])} pairs are too many to review (at most {MAX_REVIEW_PAIRS}): "
                           "start the run with publish true")
    pairs = sorted(({"match_id": new_id(), "mentee_id": p["mentee_id"], "mentor_id": p["mentor_id"],
                     "score": pair_score(p), "reasons": p["reasons"]} for p in outcome["pairs"]),
                   key=lambda p: (-p["score"], p["mentee_id"]))
    unmatched = outcome["unmatched"] + skipped
    upper = outcome.get("upper_bound")
    fields = {
        "stage": "review", "progress": 1.0, "pairs": pairs, "matched_count": 0, "unmatched_count": len(unmatched),
        "total_score": round(sum(p["score"] for p in pairs), 6), "optimal": bool(outcome.get("optimal")),
        "upper_bound": None if upper is None or math.isinf(upper) else round(float(upper), 6),
        "unmatched": sorted(unmatched, key=lambda u: u["mentee_id"])[:MAX_UNMATCHED_LISTED],
        "timings": outcome.get("timings", {}),
    }
    repo.finish_run(tenant_id, run_id, holder, failed=False, fields=fields)
    log.info("matching run %s of programme %s: %d pairs kept for review", run_id, run["programme_id"], len(pairs))


class NotReady(Exception):
    """The run cannot be published: it is not a finished run awaiting review (see `reason`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def publish(repo: MatchingRepository, tenant_id: str, run_id: str) -> dict:
    """Propose a reviewed run's pairs as matches (each with its MatchProposed event), once.

    Publishing again returns the published run. A mentee who got a match since the review is left
    out and listed as `matched_meanwhile`. Each pair's match id was chosen at review time, so a
    publish cut short and taken up again never proposes a pair twice.
    """
    run = repo.claim_publish(tenant_id, run_id, PUBLISH_LEASE)
    if run is None:
        current = repo.run(tenant_id, run_id)
        if current is None:
            raise LookupError(run_id)
        if current.get("published_at") is not None:
            return current
        raise NotReady("publishing" if current.get("publishing_until") else
                       "not_reviewable" if current.get("publish", True) else current["status"])
    pairs = run.get("pairs") or []
    already = repo.existing_matches(tenant_id, [p["match_id"] for p in pairs])
    meanwhile: list[dict] = []
    for start in range(0, len(pairs), INSERT_BATCH):
        batch = [p for p in pairs[start:start + INSERT_BATCH] if p["match_id"] not in already]
        documents = [match_document(tenant_id, run_id, run["programme_id"], p, p["match_id"]) for p in batch]
        refused = repo.insert_matches(documents)
        meanwhile += [p for position, p in enumerate(batch) if position in refused]
    left_out = {p["match_id"] for p in meanwhile}
    kept = [p for p in pairs if p["match_id"] not in left_out]
    matched, total = len(kept), sum(p["score"] for p in kept)
    late = [{"mentee_id": p["mentee_id"], "reason": "matched_meanwhile", "eligible_mentors": None,
             "message": "the mentee got a match between the review and the publish"} for p in meanwhile]
    unmatched = sorted([*(run.get("unmatched") or []), *late], key=lambda u: u["mentee_id"])
    fields = {"stage": "completed", "matched_count": matched, "unmatched_count": int(run.get("unmatched_count") or 0)
              + len(late), "unmatched": unmatched[:MAX_UNMATCHED_LISTED], "total_score": round(total, 6),
              "pairs": [{**p, "published": p["match_id"] not in left_out} for p in pairs]}
    if late:
        fields["optimal"] = False
    event = MatchingRunCompleted(run_id=run_id, programme_id=run["programme_id"], matched_count=matched,
                                 unmatched_count=fields["unmatched_count"], total_score=round(total, 6))
    published = repo.finish_publish(tenant_id, run_id, fields, [pending(event, tenant_id)])
    if matched:
        repo.bump(tenant_id)
    log.info("matching run %s published: %d matches proposed, %d matched meanwhile", run_id, matched, len(late))
    return published


class RunExecutor(ServiceDependency):
    """Claims and executes matching runs in this replica, one at a time."""

    poll_seconds = 2.0

    def setup(self):
        self.open_database()
        self.repo = MatchingRepository()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.loop = BackgroundLoop(self.container.service_name, "matching-runs", self.run_claimable,
                                   poll_seconds=self.poll_seconds)

    def start(self):
        self.loop.start(lambda run: self.container.spawn_managed_thread(run, identifier="matching-runs"))

    def stop(self):
        # A run cut short is taken over by another replica once its lease lapses.
        self.loop.stop(timeout=0)

    kill = stop

    def kick(self) -> None:
        self.loop.kick()

    def get_dependency(self, worker_ctx):
        return self

    def run_claimable(self) -> None:
        """Claim and execute runs until none is left to claim."""
        while (run := self.repo.claim_run(self.holder, LEASE)) is not None:
            execute(self.repo, run, self.holder)
