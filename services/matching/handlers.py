"""The matching use cases: plain functions over the repository, called by the entrypoints."""

from __future__ import annotations

import logging
from datetime import date, datetime

from ementor_contracts import (
    GoalCompleted,
    GoalSet,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    PersonErased,
    ProgrammeCreated,
)

from ementor.platform.http.auth import Principal
from ementor.platform.http.errors import Conflict, Forbidden, NotFound, Unprocessable

from . import domain, schemas
from .documents import ACTIVE, DECLINED, ENDED, PROPOSED, Goal, Match, MatchingRun, new_id, utcnow
from .domain import COORDINATOR, RuleViolation
from .repository import Duplicate, MatchingRepository, pending
from .views import Views

log = logging.getLogger(__name__)


def conflict(violation: RuleViolation) -> Conflict | Unprocessable:
    if violation.code in ("not_a_mentee", "not_a_mentor"):
        field = violation.details.get("field")
        return Unprocessable(violation.message, code=violation.code, details=[{"field": field, "message": violation.message}])
    return Conflict(violation.message, code=violation.code, details=violation.details or None)


# -- views --------------------------------------------------------------------------------------------
def match_view(doc: dict) -> schemas.Match:
    return schemas.Match(
        id=doc["_id"], programme_id=doc.get("programme_id"), mentee_id=doc["mentee_id"], mentor_id=doc["mentor_id"],
        status=doc["status"], mentee_accepted=bool(doc.get("mentee_accepted")),
        mentor_accepted=bool(doc.get("mentor_accepted")), score=float(doc.get("score") or 0.0),
        reasons=doc.get("reasons") or {}, proposed_by=doc.get("proposed_by"),
        matching_run_id=doc.get("matching_run_id"), created_at=doc["created_at"], updated_at=doc["updated_at"],
        accepted_at=doc.get("accepted_at"), declined_at=doc.get("declined_at"), declined_by=doc.get("declined_by"),
        decline_reason=doc.get("decline_reason"), ended_at=doc.get("ended_at"), ended_by=doc.get("ended_by"),
        end_reason=doc.get("end_reason"),
    )


def goal_view(doc: dict) -> schemas.Goal:
    due = doc.get("due_date")
    return schemas.Goal(id=doc["_id"], match_id=doc["match_id"], title=doc["title"],
                        due_date=date.fromisoformat(due) if due else None, set_by=doc.get("set_by"),
                        created_at=doc["created_at"], completed_at=doc.get("completed_at"),
                        completed_by=doc.get("completed_by"))


def run_view(doc: dict) -> schemas.MatchingRun:
    return schemas.MatchingRun(
        id=doc["_id"], programme_id=doc["programme_id"], status=doc["status"], stage=doc.get("stage") or doc["status"],
        progress=float(doc.get("progress") or 0.0), created_at=doc["created_at"], started_at=doc.get("started_at"),
        finished_at=doc.get("finished_at"), mentees_considered=int(doc.get("mentees_considered") or 0),
        mentors_considered=int(doc.get("mentors_considered") or 0), places=int(doc.get("places") or 0),
        already_matched=int(doc.get("already_matched") or 0), matched_count=int(doc.get("matched_count") or 0),
        unmatched_count=int(doc.get("unmatched_count") or 0), total_score=float(doc.get("total_score") or 0.0),
        upper_bound=doc.get("upper_bound"), optimal=doc.get("optimal"),
        unmatched=[schemas.Unmatched(**u) for u in doc.get("unmatched") or []],
        timings={k: float(v) for k, v in (doc.get("timings") or {}).items()}, error=doc.get("error"),
    )


# -- the candidate projection ---------------------------------------------------------------------------
def on_profile(repo: MatchingRepository, tenant_id: str, event, at: datetime) -> None:
    snapshot = {
        "role": event.role, "programme_id": event.programme_id, "timezone": event.timezone,
        "languages": list(event.languages), "interests": list(event.interests), "capacity": int(event.capacity),
        "is_minor": bool(event.is_minor), "vetted": bool(event.vetted), "custom_fields": dict(event.custom_fields),
    }
    if not repo.apply_snapshot(tenant_id, event.person_id, snapshot, at):
        log.info("ignored a stale or foreign profile snapshot of %s", event.person_id)
        return
    if event.role == "mentor":
        repo.set_capacity(tenant_id, event.person_id, int(event.capacity))
    repo.bump(tenant_id)


def on_programme(repo: MatchingRepository, tenant_id: str, event: ProgrammeCreated) -> None:
    fields = [{"key": f.key, "type": f.type, "options": list(f.options)} for f in event.custom_fields]
    repo.upsert_programme(tenant_id, event.programme_id, event.name, fields)


def on_erased(repo: MatchingRepository, tenant_id: str, event: PersonErased, at: datetime) -> None:
    """Forget the person: close their matches (telling the other side), drop goals, keep a tombstone."""
    person_id = event.person_id
    for match in repo.open_matches_of(tenant_id, person_id):
        ids = {"match_id": match["_id"], "mentee_id": match["mentee_id"], "mentor_id": match["mentor_id"]}
        if match["status"] == PROPOSED:
            repo.transition(tenant_id, match["_id"], {"status": PROPOSED},
                            {"status": DECLINED, "open": False, "declined_at": utcnow(), "declined_by": person_id,
                             "decline_reason": "person_erased"},
                            [pending(MatchDeclined(**ids, declined_by=person_id, reason="person_erased"), tenant_id)])
        elif match["status"] == ACTIVE:
            repo.transition(tenant_id, match["_id"], {"status": ACTIVE},
                            {"status": ENDED, "open": False, "ended_at": utcnow(), "ended_by": person_id,
                             "end_reason": "person_erased"},
                            [pending(MatchEnded(**ids, ended_by=person_id, reason="person_erased"), tenant_id)])
        repo.release_place(tenant_id, match["mentor_id"], match["_id"])
    repo.scrub_goals(tenant_id, [m["_id"] for m in repo.matches_of(tenant_id, person_id)])
    repo.erase_candidate(tenant_id, person_id, at)
    if event.role == "mentor":
        repo.delete_load(tenant_id, person_id)
    repo.forget_person_in_runs(tenant_id, person_id)
    repo.bump(tenant_id)


# -- settings ---------------------------------------------------------------------------------------------
def get_settings(repo: MatchingRepository, auth: Principal, programme_id: str | None) -> schemas.MatchingSettings:
    auth.require_coordinator()
    if programme_id is not None:
        _programme_or_404(repo, auth.tenant_id, programme_id)
    doc, source = None, "default"
    if programme_id is not None:
        doc = repo.settings(auth.tenant_id, programme_id)
        source = "programme" if doc else source
    if doc is None:
        doc = repo.settings(auth.tenant_id, None)
        source = "organisation" if doc else "default"
    rules = domain.rules_from(doc.get("weights") if doc else None, doc.get("min_shared_interests") if doc else None,
                              doc.get("field_key") if doc else None)
    return schemas.MatchingSettings(
        programme_id=programme_id, weights=schemas.Weights(**rules.weights.as_dict()),
        min_shared_interests=rules.min_shared_interests, field_key=rules.field_key, inherited_from=source,
        updated_at=doc.get("updated_at") if doc else None)


def put_settings(repo: MatchingRepository, auth: Principal, body: schemas.PutSettings) -> schemas.MatchingSettings:
    auth.require_coordinator()
    fields = None
    if body.programme_id is not None:
        programme = _programme_or_404(repo, auth.tenant_id, body.programme_id)
        if programme is not None:
            fields = [domain.ProgrammeField(f["key"], f["type"], tuple(f.get("options") or ()))
                      for f in programme.get("custom_fields", [])]
    weights = body.weights.model_dump()
    try:
        domain.validate_settings(weights, body.min_shared_interests, body.field_key, fields)
    except domain.InvalidSettings as exc:
        raise Unprocessable(exc.message, details=[{"field": exc.field, "message": exc.message}])
    repo.save_settings(auth.tenant_id, body.programme_id, weights, body.min_shared_interests, body.field_key)
    repo.bump(auth.tenant_id)
    return get_settings(repo, auth, body.programme_id)


def _programme_or_404(repo: MatchingRepository, tenant_id: str, programme_id: str) -> dict | None:
    programme = repo.programme(tenant_id, programme_id)
    if programme is None and not repo.has_candidates(tenant_id, programme_id):
        raise NotFound(f"no programme {programme_id} in this organisation")
    return programme


# -- recommendations ----------------------------------------------------------------------------------------
def recommendations(views: Views, auth: Principal, person_id: str, limit: int) -> schemas.RecommendationList:
    if not auth.is_coordinator and auth.person_id != person_id:
        raise NotFound(f"no mentee {person_id} in this organisation")
    view = views.get(auth.tenant_id)
    mentee = view.people.get(person_id)
    if mentee is None:
        raise NotFound(f"no mentee {person_id} in this organisation")
    if mentee.role != "mentee":
        raise Unprocessable("recommendations are for mentees: this person is a mentor", code="not_a_mentee")
    built = view.index(mentee.programme_id)
    person = mentee.person(utcnow(), 0)
    _, order = built.index.top(person, limit, excluded=view.closed.get(person_id, ()))
    items = []
    explainer = built.index.explainer(person)
    for j in order.tolist():
        reasons = explainer.reasons(j)
        items.append(schemas.Recommendation(mentor_id=built.index.ids[j], score=score_of(reasons), reasons=reasons))
    return schemas.RecommendationList(items=items, next_cursor=None)


def score_of(reasons: dict) -> float:
    return round(sum(part["contribution"] for part in reasons.values()), 4)


# -- matches ---------------------------------------------------------------------------------------------
def propose(repo: MatchingRepository, views: Views, auth: Principal, body: schemas.ProposeMatch) -> dict:
    tenant = auth.tenant_id
    if not auth.is_coordinator and auth.person_id != body.mentee_id:
        raise Forbidden("a mentee may propose a match only for themself", code="not_yourself")
    mentee_doc = repo.candidate(tenant, body.mentee_id)
    if mentee_doc is None:
        raise NotFound(f"no mentee {body.mentee_id} in this organisation")
    mentor_doc = repo.candidate(tenant, body.mentor_id)
    if mentor_doc is None:
        raise NotFound(f"no mentor {body.mentor_id} in this organisation")
    mentee, mentor = domain.Candidate.from_document(mentee_doc), domain.Candidate.from_document(mentor_doc)
    programme_id = body.programme_id if body.programme_id is not None else mentee.programme_id
    view = views.get(tenant)
    rules = view.rules(programme_id)
    load = repo.load(tenant, mentor.id) or {}
    open_match = repo.open_match_of(tenant, mentee.id)
    try:
        domain.check_proposal(mentee, mentor, programme_id, rules, open_match_id=open_match["_id"] if open_match else None,
                              closed_before=repo.closed_before(tenant, mentee.id, mentor.id),
                              active=int(load.get("active", 0)))
    except RuleViolation as violation:
        raise conflict(violation)
    reasons = pair_reasons(view, mentee, mentor, programme_id)
    by = domain.actor_name(auth.role, auth.person_id)
    match = Match(tenant_id=tenant, programme_id=programme_id, mentee_id=mentee.id, mentor_id=mentor.id,
                  score=score_of(reasons), reasons=reasons, proposed_by=by,
                  # a mentee choosing a mentor has said yes already; the mentor still has to
                  mentee_accepted=auth.role == "mentee")
    match.record(MatchProposed(match_id=match.id, mentee_id=mentee.id, mentor_id=mentor.id, programme_id=programme_id,
                               proposed_by=by, score=match.score))
    try:
        repo.insert_match(match)
    except Duplicate:
        raise Conflict("the mentee already has a proposed or active match", code="mentee_already_matched")
    return repo.match(tenant, match.id)


def pair_reasons(view, mentee: domain.Candidate, mentor: domain.Candidate, programme_id: str | None) -> dict:
    built = view.index(programme_id)
    j = built.index.position.get(mentor.id)
    if j is None:  # the view has not seen this mentor yet: score against them alone
        from .scoring import MentorIndex

        index = MentorIndex([mentor.person(utcnow(), 1)], built.rules)
        j = 0
    else:
        index = built.index
    person = mentee.person(utcnow(), 0)
    return index.reasons(person, j)


def visible_match(repo: MatchingRepository, auth: Principal, match_id: str) -> dict:
    match = repo.match(auth.tenant_id, match_id)
    if match is None or not (auth.is_coordinator or auth.person_id in (match["mentee_id"], match["mentor_id"])):
        raise NotFound(f"no match {match_id} in this organisation")
    return match


def list_matches(repo: MatchingRepository, auth: Principal, query: schemas.MatchQuery) -> schemas.MatchList:
    person_id = query.person_id
    if not auth.is_coordinator:
        if person_id is not None and person_id != auth.person_id:
            raise Forbidden("a person may list only their own matches", code="not_yourself")
        person_id = auth.person_id
    docs = repo.matches(auth.tenant_id, person_id=person_id, status=query.status, limit=query.limit + 1,
                        after=query.cursor)
    page = docs[:query.limit]
    next_cursor = page[-1]["_id"] if len(docs) > query.limit else None
    return schemas.MatchList(items=[match_view(d) for d in page], next_cursor=next_cursor)


def _acting_side(auth: Principal, match: dict, person_id: str | None, *, required: bool) -> str | None:
    """Which side ("mentee"/"mentor") acts; None for a coordinator acting as the organisation."""
    if auth.is_coordinator:
        if person_id is None:
            if required:
                raise Unprocessable("a coordinator accepting for one side must send person_id (the mentee or the mentor)",
                                    details=[{"field": "person_id", "message": "required for a coordinator"}])
            return None
        side = domain.side_of(match["mentee_id"], match["mentor_id"], person_id)
        if side is None:
            raise Unprocessable(f"{person_id} is neither the mentee nor the mentor of this match",
                                details=[{"field": "person_id", "message": "not part of this match"}])
        return side
    if person_id is not None and person_id != auth.person_id:
        raise Forbidden("a person may act only for themself", code="not_yourself")
    return domain.side_of(match["mentee_id"], match["mentor_id"], auth.person_id)


def _ids(match: dict) -> dict:
    return {"match_id": match["_id"], "mentee_id": match["mentee_id"], "mentor_id": match["mentor_id"]}


def accept(repo: MatchingRepository, auth: Principal, match_id: str, body: schemas.ActOnMatch) -> dict:
    tenant = auth.tenant_id
    for _ in range(3):
        match = visible_match(repo, auth, match_id)
        side = _acting_side(auth, match, body.person_id, required=True)
        other = "mentor" if side == "mentee" else "mentee"
        if match["status"] == ACTIVE or (match["status"] == PROPOSED and match.get(f"{side}_accepted")):
            return match  # accepting twice changes nothing
        if match["status"] != PROPOSED:
            raise Conflict(f"the match is {match['status']}: only a proposed match can be accepted",
                           code="match_not_proposed", details={"status": match["status"]})
        expect = {"status": PROPOSED, f"{side}_accepted": {"$ne": True}}
        if not match.get(f"{other}_accepted"):
            updated = repo.transition(tenant, match_id, {**expect, f"{other}_accepted": {"$ne": True}},
                                      {f"{side}_accepted": True})
            if updated is not None:
                return updated
            continue  # the other side accepted meanwhile: this acceptance activates the match
        # Both will have accepted: the mentor's place is taken first, atomically, then the match flips.
        taken, load = repo.claim_place(tenant, match["mentor_id"], match_id)
        if not taken:
            load = load or {}
            raise Conflict("the mentor has no free place: their other matches took it first", code="mentor_at_capacity",
                           details={"capacity": int(load.get("capacity", 0)), "active": int(load.get("active", 0))})
        event = MatchAccepted(**_ids(match), programme_id=match.get("programme_id"))
        updated = repo.transition(tenant, match_id, {**expect, f"{other}_accepted": True},
                                  {f"{side}_accepted": True, "status": ACTIVE, "accepted_at": utcnow()},
                                  [pending(event, tenant)])
        if updated is not None:
            repo.bump(tenant)
            return updated
        repo.release_place(tenant, match["mentor_id"], match_id)  # declined or accepted meanwhile: look again
    raise Conflict("the match changed while accepting it; try again", code="concurrent_change")


def decline(repo: MatchingRepository, auth: Principal, match_id: str, body: schemas.DeclineMatch) -> dict:
    tenant = auth.tenant_id
    match = visible_match(repo, auth, match_id)
    _acting_side(auth, match, body.person_id, required=False)
    if match["status"] == DECLINED:
        return match
    if match["status"] != PROPOSED:
        raise Conflict(f"the match is {match['status']}: only a proposed match can be declined (end an active one)",
                       code="match_not_proposed", details={"status": match["status"]})
    by = domain.actor_name(auth.role, auth.person_id)
    event = MatchDeclined(**_ids(match), declined_by=by, reason=body.reason)
    updated = repo.transition(tenant, match_id, {"status": PROPOSED},
                              {"status": DECLINED, "open": False, "declined_at": utcnow(), "declined_by": by,
                               "decline_reason": body.reason}, [pending(event, tenant)])
    if updated is None:  # changed meanwhile: declined by the other side (fine), or accepted (too late)
        current = repo.match(tenant, match_id)
        if current["status"] == DECLINED:
            return current
        raise Conflict(f"the match is {current['status']} now: end it instead", code="match_not_proposed",
                       details={"status": current["status"]})
    repo.release_place(tenant, match["mentor_id"], match_id)  # held only if an accept raced this decline
    repo.bump(tenant)
    return updated


def end(repo: MatchingRepository, auth: Principal, match_id: str, body: schemas.EndMatch) -> dict:
    tenant = auth.tenant_id
    match = visible_match(repo, auth, match_id)
    _acting_side(auth, match, body.person_id, required=False)
    if match["status"] == ENDED:
        return match
    if match["status"] != ACTIVE:
        raise Conflict(f"the match is {match['status']}, not active: only an active match can be ended",
                       code="match_not_active", details={"status": match["status"]})
    by = domain.actor_name(auth.role, auth.person_id)
    event = MatchEnded(**_ids(match), ended_by=by, reason=body.reason)
    updated = repo.transition(tenant, match_id, {"status": ACTIVE},
                              {"status": ENDED, "open": False, "ended_at": utcnow(), "ended_by": by,
                               "end_reason": body.reason}, [pending(event, tenant)])
    if updated is None:
        current = repo.match(tenant, match_id)
        if current["status"] == ENDED:
            return current
        raise Conflict(f"the match is {current['status']} now", code="match_not_active",
                       details={"status": current["status"]})
    repo.release_place(tenant, match["mentor_id"], match_id)
    repo.bump(tenant)
    return updated


# -- goals ---------------------------------------------------------------------------------------------------
def _active_match(repo: MatchingRepository, auth: Principal, match_id: str) -> dict:
    match = visible_match(repo, auth, match_id)
    if match["status"] != ACTIVE:
        raise Conflict(f"the match is {match['status']}: goals are set and completed in an active match",
                       code="match_not_active", details={"status": match["status"]})
    return match


def add_goal(repo: MatchingRepository, auth: Principal, match_id: str, body: schemas.CreateGoal) -> dict:
    _active_match(repo, auth, match_id)
    by = domain.actor_name(auth.role, auth.person_id)
    goal = Goal(id=new_id(), tenant_id=auth.tenant_id, match_id=match_id, title=body.title,
                due_date=body.due_date.isoformat() if body.due_date else None, set_by=by)
    goal.record(GoalSet(goal_id=goal.id, match_id=match_id, set_by=by))
    repo.add_goal(goal)
    return repo.goal(auth.tenant_id, match_id, goal.id)


def list_goals(repo: MatchingRepository, auth: Principal, match_id: str) -> list[dict]:
    visible_match(repo, auth, match_id)  # readable in any state: the history of an ended match
    return repo.goals(auth.tenant_id, match_id)


def complete_goal(repo: MatchingRepository, auth: Principal, match_id: str, goal_id: str) -> dict:
    _active_match(repo, auth, match_id)
    goal = repo.goal(auth.tenant_id, match_id, goal_id)
    if goal is None:
        raise NotFound(f"no goal {goal_id} in this match")
    if goal.get("completed_at"):
        return goal
    by = domain.actor_name(auth.role, auth.person_id)
    event = pending(GoalCompleted(goal_id=goal_id, match_id=match_id, completed_by=by), auth.tenant_id)
    return repo.complete_goal(auth.tenant_id, match_id, goal_id, by, event) or repo.goal(auth.tenant_id, match_id, goal_id)


# -- matching runs -------------------------------------------------------------------------------------------
def start_run(repo: MatchingRepository, auth: Principal, body: schemas.StartRun) -> dict:
    auth.require_coordinator()
    _programme_or_404(repo, auth.tenant_id, body.programme_id)
    run = MatchingRun(tenant_id=auth.tenant_id, programme_id=body.programme_id, requested_by=COORDINATOR)
    try:
        repo.create_run(run)
    except Duplicate:
        current = repo.run_in_progress(auth.tenant_id, body.programme_id)
        raise Conflict("a matching run of this programme is already in progress", code="run_in_progress",
                       details={"run_id": current["_id"] if current else None})
    return repo.run(auth.tenant_id, run.id)


def get_run(repo: MatchingRepository, auth: Principal, run_id: str) -> dict:
    auth.require_coordinator()
    run = repo.run(auth.tenant_id, run_id)
    if run is None:
        raise NotFound(f"no matching run {run_id} in this organisation")
    return run

