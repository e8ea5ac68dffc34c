"""What video does when safeguarding acts: no sessions while a concern about the match is open, none
for a suspended person (409 match_paused)."""

from __future__ import annotations

from ementor_contracts import ConcernRaised, ConcernResolved

from .repository import VideoRepository

CONCERN = "concern"
SUSPENDED = "suspended"


def concern_raised(repo: VideoRepository, tenant_id: str, event: ConcernRaised) -> None:
    if event.match_id and event.mentee_id:
        repo.set_paused(tenant_id, event.mentee_id, CONCERN, True, match_id=event.match_id)


def concern_resolved(repo: VideoRepository, tenant_id: str, event: ConcernResolved) -> None:
    if event.decision == "suspend_person" and event.suspended_person_id:
        repo.pause_person(tenant_id, event.suspended_person_id, SUSPENDED)
    if event.resume and event.match_id and event.mentee_id:
        repo.set_paused(tenant_id, event.mentee_id, CONCERN, False, match_id=event.match_id)
