"""What matching does when safeguarding acts: pause on a concern, carry out a lead's decision, end a
blocked pair's match (a closed pair is never proposed again: domain.check_proposal's repeat_pair)."""

from __future__ import annotations

import logging

from ementor_contracts import (
    COORDINATOR,
    ConcernRaised,
    ConcernResolved,
    MatchDeclined,
    MatchEnded,
    PersonBlocked,
)

from . import domain
from .documents import utcnow
from .domain import ACTIVE, PROPOSED
from .repository import MatchingRepository, pending

log = logging.getLogger(__name__)

CONCERN = "concern"  # the pause reason while a concern about the match is open
SUSPENDED = "suspended"  # the pause reason on every match of a person a lead suspended


def concern_raised(repo: MatchingRepository, tenant_id: str, event: ConcernRaised) -> None:
    if event.match_id:
        repo.pause_match(tenant_id, event.match_id, CONCERN, True)


def concern_resolved(repo: MatchingRepository, tenant_id: str, event: ConcernResolved) -> None:
    if event.decision == "end_match" and event.match_id:
        close(repo, tenant_id, event.match_id, "ended by a safeguarding decision")
    if event.decision == "suspend_person" and event.suspended_person_id:
        repo.pause_person(tenant_id, event.suspended_person_id, SUSPENDED)
    if event.resume and event.match_id:
        repo.pause_match(tenant_id, event.match_id, CONCERN, False)


def person_blocked(repo: MatchingRepository, tenant_id: str, event: PersonBlocked) -> None:
    if event.match_id:
        close(repo, tenant_id, event.match_id, "blocked")


def close(repo: MatchingRepository, tenant_id: str, match_id: str, reason: str) -> None:
    """End an active match or decline a proposed one, telling the other services; safe to repeat."""
    match = repo.match(tenant_id, match_id)
    if match is None or match["status"] not in (PROPOSED, ACTIVE):
        return
    ids = {"match_id": match_id, "mentee_id": match["mentee_id"], "mentor_id": match["mentor_id"]}
    if match["status"] == PROPOSED:
        step = domain.declining(COORDINATOR, reason, utcnow())
        event = MatchDeclined(**ids, declined_by=COORDINATOR, reason=reason)
    else:
        step = domain.ending(COORDINATOR, reason, utcnow())
        event = MatchEnded(**ids, ended_by=COORDINATOR, reason=reason)
    if repo.transition(tenant_id, match_id, {"status": step.from_status}, step.changes, [pending(event, tenant_id)]):
        repo.release_place(tenant_id, match["mentor_id"], match_id)
        repo.bump(tenant_id)
    else:
        raise RuntimeError(f"match {match_id} changed while closing it; the event is retried")
