"""The matching use cases: recommendations, the match lifecycle and matching runs.

The other jobs have their own modules: projection.py (profiles' events), goals.py,
organisation_settings.py, match_views.py (response models), candidates.py (the candidate cache).
"""

from __future__ import annotations

import logging

from ementor_contracts import MatchAccepted, MatchDeclined, MatchEnded, MatchProposed

from ementor.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal

from . import domain, runs, schemas
from .candidates import CandidateCache, TenantView
from .documents import Match, MatchingRun, utcnow
from .domain import ACTIVE, COORDINATOR, DECLINED, ENDED, PROPOSED, RuleViolation
from .match_views import match_view
from .organisation_settings import programme_or_404
from .repository import CLOSED, Duplicate, MatchingRepository, pending
from .scoring import Candidates

log = logging.getLogger(__name__)


def conflict(violation: RuleViolation) -> Conflict | Invalid:
    if violation.code in ("not_a_mentee", "not_a_mentor"):
        field = violation.details.get("field")
        return Invalid(violation.message, code=violation.code, details=[{"field": field, "message": violation.message}])
    return Conflict(violation.message, code=violation.code, details=violation.details or None)


def recommendations(cache: CandidateCache, auth: Principal, person_id: str, limit: int) -> schemas.RecommendationList:
    if not auth.is_coordinator and auth.person_id != person_id:
        raise NotFound(f"no mentee {person_id} in this organisation")
    view = cache.get(auth.tenant_id)
    mentee = view.people.get(person_id)
    if mentee is None:
        raise NotFound(f"no mentee {person_id} in this organisation")
    if mentee.role != "mentee":
        raise Invalid("recommendations are for mentees: this person is a mentor", code="not_a_mentee")
    built = view.index(mentee.programme_id)
    person = mentee.person(utcnow(), 0)
    found, order = built.index.top(person, limit, excluded=view.closed.get(person_id, ()))
    items = []
    explainer = built.index.explainer(person)
    for j in order.tolist():
        reasons = explainer.reasons(j)
        items.append(schemas.Recommendation(mentor_id=built.index.ids[j], score=score_of(reasons), reasons=reasons))
    pool = mentor_pool(view, mentee, found, any_left=bool(items)) if len(items) < limit else None
    return schemas.RecommendationList(items=items, next_cursor=None, pool=pool)


def mentor_pool(view: TenantView, mentee: domain.Candidate, found: Candidates, *,
                any_left: bool) -> schemas.MentorPool:
    """Why a list came out short, so a coordinator can act: the mentee's programme's mentors, how many
    each rule ruled out, and (when none is left) how many mentors with room are in other programmes."""
    ruled_out = {rule: int(mask.sum()) for rule, mask in found.ineligible.items()}
    elsewhere = 0
    if not any_left:
        elsewhere = sum(1 for p in view.people.values()
                        if p.role == "mentor" and p.programme_id != mentee.programme_id and view.places(p) > 0
                        and (p.vetted or not mentee.is_minor))
    return schemas.MentorPool(programme_id=mentee.programme_id, mentors=len(found.score), ruled_out=ruled_out,
                              with_room_elsewhere=elsewhere)


def score_of(reasons: dict) -> float:
    return round(sum(part["contribution"] for part in reasons.values()), 4)


# -- matches ---------------------------------------------------------------------------------------------
def propose(repo: MatchingRepository, cache: CandidateCache, auth: Principal, body: schemas.ProposeMatch) -> dict:
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
    view = cache.get(tenant)
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
    return page_of(schemas.MatchList, docs, query.limit, match_view, cursor=lambda doc: doc["_id"])


def _acting_side(auth: Principal, match: dict, person_id: str | None, *, required: bool) -> str | None:
    """Which side ("mentee"/"mentor") acts; None for a coordinator acting as the organisation."""
    if auth.is_coordinator:
        if person_id is None:
            if required:
                raise Invalid("a coordinator accepting for one side must send person_id (the mentee or the mentor)",
                                    details=[{"field": "person_id", "message": "required for a coordinator"}])
            return None
        side = domain.side_of(match["mentee_id"], match["mentor_id"], person_id)
        if side is None:
            raise Invalid(f"{person_id} is neither the mentee nor the mentor of this match",
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
        mentee = repo.candidate(tenant, match["mentee_id"])
        if mentee is not None and domain.Candidate.from_document(mentee).awaits_consent:
            raise conflict(domain.consent_required(domain.Candidate.from_document(mentee)))
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
        # Declined, or made active by a simultaneous accept of this same match (which shares this place):
        # only a closed match gives its place back, else an active match would hold none. Then look again.
        now = repo.match(tenant, match_id)
        if now is not None and now["status"] in CLOSED:
            repo.release_place(tenant, match["mentor_id"], match_id)
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
    step = domain.declining(by, body.reason, utcnow())
    updated = repo.transition(tenant, match_id, {"status": step.from_status}, step.changes, [pending(event, tenant)])
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
    step = domain.ending(by, body.reason, utcnow())
    updated = repo.transition(tenant, match_id, {"status": step.from_status}, step.changes, [pending(event, tenant)])
    if updated is None:
        current = repo.match(tenant, match_id)
        if current["status"] == ENDED:
            return current
        raise Conflict(f"the match is {current['status']} now", code="match_not_active",
                       details={"status": current["status"]})
    repo.release_place(tenant, match["mentor_id"], match_id)
    repo.bump(tenant)
    return updated


# -- matching runs -------------------------------------------------------------------------------------------
def start_run(repo: MatchingRepository, auth: Principal, body: schemas.StartRun) -> dict:
    auth.require_coordinator()
    programme_or_404(repo, auth.tenant_id, body.programme_id)
    run = MatchingRun(tenant_id=auth.tenant_id, programme_id=body.programme_id, requested_by=COORDINATOR,
                      publish=body.publish)
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



NOT_PUBLISHABLE = {
    "publishing": ("run_publishing", "this run is being published right now"),
    "not_reviewable": ("run_not_reviewable", ("this run proposed its matches when it finished: there is nothing "
                                              "to publish (start a run with publish false to review first)")),
    "failed": ("run_failed", "this run failed, so it has nothing to publish: start a new run"),
}


def publish_run(repo: MatchingRepository, auth: Principal, run_id: str) -> dict:
    auth.require_coordinator()
    try:
        return runs.publish(repo, auth.tenant_id, run_id)
    except LookupError:
        raise NotFound(f"no matching run {run_id} in this organisation") from None
    except runs.NotReady as not_ready:
        code, message = NOT_PUBLISHABLE.get(not_ready.reason, (
            "run_not_finished", "this run is still working: publish it once it is ready for review"))
        raise Conflict(message, code=code, details={"run_id": run_id}) from None
