"""Contact paused while safeguarding acts: the rule messaging and video share (409 `match_paused`).

A concern about a match pauses it for both sides until a lead resumes it; a lead's suspension pauses
every match of the person. Each service keeps the reasons (`paused_for`) on its own view of a match
through its repository's `set_paused` and `pause_person`; the mixin subscribes the service.
"""

from __future__ import annotations

from typing import Protocol

from ementor_contracts import ConcernRaised, ConcernResolved

from .consumer import subscribe

CONCERN = "concern"  # while a concern about the match is open
SUSPENDED = "suspended"  # on every match of a person a lead suspended


class PausableMatches(Protocol):
    def set_paused(self, tenant_id: str, mentee_id: str, reason: str, paused: bool, *,
                   match_id: str | None = None) -> None: ...

    def pause_person(self, tenant_id: str, person_id: str, reason: str) -> None: ...


def concern_raised(repo: PausableMatches, tenant_id: str, event: ConcernRaised) -> None:
    if event.match_id and event.mentee_id:
        repo.set_paused(tenant_id, event.mentee_id, CONCERN, True, match_id=event.match_id)


def concern_resolved(repo: PausableMatches, tenant_id: str, event: ConcernResolved) -> None:
    if event.decision == "suspend_person" and event.suspended_person_id:
        repo.pause_person(tenant_id, event.suspended_person_id, SUSPENDED)
    if event.resume and event.match_id and event.mentee_id:
        repo.set_paused(tenant_id, event.mentee_id, CONCERN, False, match_id=event.match_id)


class PausesOnConcerns:
    """Mix into a service whose `repo` is PausableMatches."""

    @subscribe(ConcernRaised)
    def on_concern_raised(self, event: ConcernRaised, envelope):
        concern_raised(self.repo, envelope.tenantid, event)

    @subscribe(ConcernResolved)
    def on_concern_resolved(self, event: ConcernResolved, envelope):
        concern_resolved(self.repo, envelope.tenantid, event)
