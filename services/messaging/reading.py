"""Read markers: how far each person of a conversation has read, told to other services.

A marker only moves forward. Each move records ConversationRead in the same write, so
notifications can drop a new-message notice for messages already read.
"""

from __future__ import annotations

from ementor_contracts import ConversationRead

from ementor.platform.errors import Invalid
from ementor.platform.outbox import Pending
from ementor.platform.principal import Principal

from . import domain, schemas
from .handlers import conversation_view, readable_conversation
from .repository import MessagingRepository


def mark_read(repo: MessagingRepository, auth: Principal, match_id: str,
              message_id: str) -> tuple[schemas.ConversationView, list[Pending]]:
    """Move the reader's marker to the message; the conversation as they now see it, and the event
    to hand over (none when the marker was already there or beyond)."""
    conversation = readable_conversation(repo, auth, match_id)
    message = repo.message(auth.tenant_id, message_id)
    if message is None or message.match_id != match_id or not domain.visible_to(
            message.status, message.sender_id, viewer_person_id=auth.person_id, coordinator=False):
        raise Invalid(
            f"up_to_message_id {message_id} is not a message of this conversation that you can see",
            details=[{"field": "up_to_message_id", "message": "unknown message"}],
        )
    event = ConversationRead(match_id=match_id, reader_id=auth.person_id, up_to_message_id=message.id,
                             up_to=repo.read_point(message))
    pending = repo.mark_read(auth.tenant_id, match_id, auth.person_id, message, event)
    view = conversation_view(repo, auth, repo.conversation(auth.tenant_id, match_id) or conversation)
    return view, pending
