"""Concerns: raised by a participant (or moderation), seen and decided by safeguarding leads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ementor_contracts import ConcernRaised, ConcernResolved

from ementor.platform.errors import Conflict, Invalid, NotFound
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal

from . import audit, domain, schemas
from .documents import Concern
from .repository import Duplicate, SafeguardingRepository, aware

# Asks matching for a match's people and status: a dict, or None when there is no such match.
MatchFacts = Callable[[str, str], "dict | None"]
RECEIVED = ("Thank you for telling us. A safeguarding lead has been alerted, and messages and sessions in this "
            "match are paused until they have looked at it.")


def _ids(concern: Concern) -> dict:
    return {"concern_id": concern.id, "category": concern.category, "match_id": concern.match_id,
            "mentor_id": concern.mentor_id, "mentee_id": concern.mentee_id}


def raise_concern(repo: SafeguardingRepository, auth: Principal, body: schemas.RaiseConcern,
                  match_facts: MatchFacts, now: datetime) -> Concern:
    """A participant raises a concern; the match pauses for both sides (ConcernRaised) and the clock starts."""
    match = None
    if body.match_id:
        match = match_facts(auth.tenant_id, body.match_id)
        if match is None or auth.person_id not in (match["mentor_id"], match["mentee_id"]):
            raise NotFound(f"no match {body.match_id} that you take part in", code="match_not_found")
    concern = Concern(
        tenant_id=auth.tenant_id, category=body.category, serious=body.category in domain.SERIOUS,
        match_id=body.match_id, message_id=body.message_id, details=body.details,
        mentor_id=match["mentor_id"] if match else None, mentee_id=match["mentee_id"] if match else None,
        raised_by=auth.actor, raised_via="participant", created_at=now, next_alert_at=now,
    )
    concern.record(ConcernRaised(**_ids(concern), message_id=concern.message_id, raised_via="participant"))
    repo.add_concern(concern)
    audit.record(repo, auth.tenant_id, now, auth.actor, "concern_raised", concern.id,
                 {"category": concern.category, "match_id": concern.match_id, "message_id": concern.message_id})
    return concern


def raise_from_moderation(repo: SafeguardingRepository, tenant_id: str, *, category: str, match_id: str,
                          message_id: str, mentor_id: str, mentee_id: str, now: datetime) -> Concern:
    """Moderation held a message in a serious risk category: the same concern, raised by the system."""
    # One concern per held message, whatever the number of deliveries: its id is the message's.
    concern = Concern(id=f"msg-{message_id}", tenant_id=tenant_id, category=category, serious=True,
                      match_id=match_id, message_id=message_id, mentor_id=mentor_id, mentee_id=mentee_id,
                      raised_by="moderation", raised_via="moderation", created_at=now, next_alert_at=now)
    concern.record(ConcernRaised(**_ids(concern), message_id=message_id, raised_via="moderation"))
    try:
        repo.add_concern(concern)
    except Duplicate:
        return repo.concern(tenant_id, concern.id)
    audit.record(repo, tenant_id, now, "moderation", "concern_raised", concern.id,
                 {"category": category, "match_id": match_id, "message_id": message_id})
    return concern


def concern_for(repo: SafeguardingRepository, auth: Principal, concern_id: str) -> Concern:
    """A lead sees any concern of the organisation; the person who raised it sees theirs; others 404."""
    concern = repo.concern(auth.tenant_id, concern_id)
    if concern is None or not (auth.holds("safeguarding") or concern.raised_by == auth.actor):
        raise NotFound(f"no concern {concern_id} that you may see", code="concern_not_found")
    return concern


def received_view(concern: Concern) -> schemas.ReceivedConcern:
    return schemas.ReceivedConcern(id=concern.id, status=concern.status, category=concern.category,
                                   match_id=concern.match_id, created_at=aware(concern.created_at),
                                   message=RECEIVED if concern.status != "resolved"
                                   else "A safeguarding lead has looked at this and decided what happens next.")


def concern_view(concern: Concern) -> schemas.ConcernView:
    steps = [schemas.EscalationStepView(step=s.step, to_operator=s.to_operator, contact_name=s.contact_name,
                                        at=aware(s.at), email=s.email, sms=s.sms) for s in concern.escalation]
    return schemas.ConcernView(
        **received_view(concern).model_dump(), serious=concern.serious, message_id=concern.message_id,
        mentor_id=concern.mentor_id, mentee_id=concern.mentee_id, details=concern.details,
        raised_by=concern.raised_by, raised_via=concern.raised_via, acknowledged_at=aware(concern.acknowledged_at),
        acknowledged_by=concern.acknowledged_by, resolved_at=aware(concern.resolved_at),
        resolved_by=concern.resolved_by, decision=concern.decision, reason=concern.reason,
        suspended_person_id=concern.suspended_person_id, next_alert_at=aware(concern.next_alert_at),
        escalation=steps)


def with_names(view, names: Callable[[list[str]], dict[str, str]]):
    """A lead's view (one concern or a page of them) with the match's people named, in one look-up."""
    concerns = view.items if isinstance(view, schemas.ConcernList) else [view]
    ids = sorted({p for c in concerns for p in (c.mentor_id, c.mentee_id) if p})
    found = names(ids) if ids else {}
    for c in concerns:
        c.mentor_name = found.get(c.mentor_id) if c.mentor_id else None
        c.mentee_name = found.get(c.mentee_id) if c.mentee_id else None
    return view


def list_concerns(repo: SafeguardingRepository, auth: Principal, query: schemas.ConcernsQuery) -> schemas.ConcernList:
    rows = repo.concerns(auth.tenant_id, query.status, query.limit + 1, query.cursor)
    return page_of(schemas.ConcernList, rows, query.limit, concern_view)


def acknowledge(repo: SafeguardingRepository, auth: Principal, concern_id: str, note: str | None,
                now: datetime) -> Concern:
    """A lead has it in hand: the escalation clock stops (contact stays paused until resolved)."""
    concern = concern_for(repo, auth, concern_id)
    if concern.status == "resolved":
        raise Conflict("this concern is already resolved", code="concern_resolved")
    if concern.status == "acknowledged":
        return concern
    updated = repo.acknowledge(auth.tenant_id, concern_id, auth.actor, now)
    if updated.acknowledged_by == auth.actor and aware(updated.acknowledged_at) == now:
        audit.record(repo, auth.tenant_id, now, auth.actor, "concern_acknowledged", concern_id,
                     {"note": note} if note else {})
    return updated


def resolve(repo: SafeguardingRepository, auth: Principal, concern_id: str, body: schemas.Resolve,
            now: datetime) -> Concern:
    concern = concern_for(repo, auth, concern_id)
    participants = tuple(p for p in (concern.mentor_id, concern.mentee_id) if p)
    try:
        domain.check_decision(body.decision, concern.status, person_id=body.person_id, participants=participants)
    except domain.RuleBroken as broken:
        if broken.code == "concern_resolved":
            raise Conflict(str(broken), code=broken.code) from None
        raise Invalid(str(broken), code=broken.code,
                      details=[{"field": "person_id" if "person" in broken.code else "decision",
                                "message": str(broken)}]) from None
    others = repo.other_open_concerns(auth.tenant_id, concern.match_id, concern.id) if concern.match_id else 0
    resume = not domain.keeps_contact_paused(body.decision, body.resume_contact) and others == 0
    event = ConcernResolved(**_ids(concern), decision=body.decision, resume=resume,
                            suspended_person_id=body.person_id)
    changes = {"resolved_at": now, "resolved_by": auth.actor, "decision": body.decision, "reason": body.reason,
               "suspended_person_id": body.person_id}
    resolved = repo.resolve(auth.tenant_id, concern_id, changes, event)
    if resolved is None:
        raise Conflict("this concern was resolved meanwhile by someone else", code="concern_resolved")
    audit.record(repo, auth.tenant_id, now, auth.actor, "concern_resolved", concern_id,
                 {"decision": body.decision, "reason": body.reason, "person_id": body.person_id,
                  "contact_resumed": resume, "match_id": concern.match_id})
    return resolved
