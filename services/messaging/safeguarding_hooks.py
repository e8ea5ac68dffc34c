"""What messaging does when safeguarding acts: pause a conversation while a concern about it is open,
pause every conversation of a suspended person, and show a lead the conversation around a concern."""

from __future__ import annotations

from ementor_contracts import ConcernRaised, ConcernResolved

from .repository import MessagingRepository

CONCERN = "concern"  # the pause reason while a concern about the match is open (409 match_paused)
SUSPENDED = "suspended"  # the pause reason on every conversation of a person a lead suspended
CONTEXT_MESSAGES = 200


def concern_raised(repo: MessagingRepository, tenant_id: str, event: ConcernRaised) -> None:
    if event.match_id and event.mentee_id:
        repo.set_paused(tenant_id, event.mentee_id, CONCERN, True, match_id=event.match_id)


def concern_resolved(repo: MessagingRepository, tenant_id: str, event: ConcernResolved) -> None:
    if event.decision == "suspend_person" and event.suspended_person_id:
        repo.pause_person(tenant_id, event.suspended_person_id, SUSPENDED)
    if event.resume and event.match_id and event.mentee_id:
        repo.set_paused(tenant_id, event.mentee_id, CONCERN, False, match_id=event.match_id)


def concern_messages(repo: MessagingRepository, tenant_id: str, match_id: str, message_id: str | None) -> list[dict]:
    """The conversation's latest messages, oldest first, every status (a lead sees what was held too)."""
    found = repo.messages(tenant_id, match_id, viewer_person_id=None, coordinator=True, limit=CONTEXT_MESSAGES,
                          before=None)
    return [{"id": m.id, "sender_id": m.sender_id, "status": m.status, "body": m.body,
             "created_at": m.created_at.isoformat() if m.created_at else None,
             "is_concern_message": m.id == message_id} for m in reversed(found)]
