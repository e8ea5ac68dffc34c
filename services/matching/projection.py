"""The candidate projection, fed by profiles' events: snapshots, programmes, erasure."""

from __future__ import annotations

import logging
from datetime import datetime

from ementor_contracts import (
    GuardianConsentChanged,
    MatchDeclined,
    MatchEnded,
    PersonErased,
    ProgrammeCreated,
)

from . import domain
from .documents import utcnow
from .domain import ACTIVE, PROPOSED
from .repository import MatchingRepository, pending

log = logging.getLogger(__name__)


def on_profile(repo: MatchingRepository, tenant_id: str, event, at: datetime) -> None:
    snapshot = {
        "role": event.role, "programme_id": event.programme_id, "timezone": event.timezone,
        "languages": list(event.languages), "interests": list(event.interests), "capacity": int(event.capacity),
        "is_minor": bool(event.is_minor), "vetted": bool(event.vetted), "custom_fields": dict(event.custom_fields),
    }
    if not repo.apply_snapshot(tenant_id, event.person_id, snapshot, at):
        log.info("ignored a stale or foreign profile snapshot of %s", event.person_id)
        return
    if event.guardian_consent is not None:
        repo.apply_consent(tenant_id, event.person_id, event.guardian_consent, at)
    if event.role == "mentor":
        repo.set_capacity(tenant_id, event.person_id, int(event.capacity))
    repo.bump(tenant_id)


def on_guardian_consent(repo: MatchingRepository, tenant_id: str, event: GuardianConsentChanged, at: datetime) -> None:
    """Keep the minor's consent; until it is granted their open match is paused (withdrawal pauses at once)."""
    if not repo.apply_consent(tenant_id, event.person_id, event.state, at):
        log.info("ignored a stale consent state of %s (or their profile is not known yet)", event.person_id)
        return
    repo.set_paused(tenant_id, event.person_id, domain.GUARDIAN_CONSENT, domain.paused_for_consent(event.state))
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
            step = domain.declining(person_id, "person_erased", utcnow())
            event = MatchDeclined(**ids, declined_by=person_id, reason="person_erased")
        elif match["status"] == ACTIVE:
            step = domain.ending(person_id, "person_erased", utcnow())
            event = MatchEnded(**ids, ended_by=person_id, reason="person_erased")
        else:
            step = None
        if step is not None:
            repo.transition(tenant_id, match["_id"], {"status": step.from_status}, step.changes,
                            [pending(event, tenant_id)])
        repo.release_place(tenant_id, match["mentor_id"], match["_id"])
    repo.scrub_goals(tenant_id, [m["_id"] for m in repo.matches_of(tenant_id, person_id)])
    repo.erase_candidate(tenant_id, person_id, at)
    if event.role == "mentor":
        repo.delete_load(tenant_id, person_id)
    repo.forget_person_in_runs(tenant_id, person_id)
    repo.bump(tenant_id)
