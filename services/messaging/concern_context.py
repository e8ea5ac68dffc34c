"""What a safeguarding lead sees of a conversation: the messages around a concern, held ones too.

(Pausing on a concern is the kit's rule: ementor/platform/concern_pauses.py.)"""

from __future__ import annotations

from .repository import MessagingRepository

CONTEXT_MESSAGES = 200


def concern_messages(repo: MessagingRepository, tenant_id: str, match_id: str, message_id: str | None) -> list[dict]:
    """The conversation's latest messages, oldest first, every status (a lead sees what was held too)."""
    found = repo.messages(tenant_id, match_id, viewer_person_id=None, coordinator=True, limit=CONTEXT_MESSAGES,
                          before=None)
    return [{"id": m.id, "sender_id": m.sender_id, "status": m.status, "body": m.body,
             "created_at": m.created_at.isoformat() if m.created_at else None,
             "is_concern_message": m.id == message_id} for m in reversed(found)]
