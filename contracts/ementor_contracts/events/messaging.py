"""Events published by the messaging service. They never carry the message body."""

from __future__ import annotations

from pydantic import Field

from ..base import Event
from .common import Id


class _MessageEvent(Event):
    # Not registered: who a message is between; the body stays in messaging's database.
    message_id: Id = Field(description="The message.")
    match_id: Id = Field(description="The match whose conversation the message is in.")
    sender_id: Id = Field(description="The person who wrote the message.")
    recipient_id: Id = Field(description="The other person of the match.")


class MessageSent(_MessageEvent):
    """Published when a message is delivered to its recipient, directly or after approval."""

    source_service = "messaging"
    subject_field = "message_id"

    length: int = Field(ge=0, description="Length of the body in characters.", examples=[240])
    topics: list[str] = Field(
        default=[],
        description="Topic ids from the organisation's taxonomy that the message is about (labels only).",
        examples=[["university-applications", "personal-statements"]],
    )


class MessageHeld(_MessageEvent):
    """Published when a message is held for a coordinator's review instead of being delivered."""

    source_service = "messaging"
    subject_field = "message_id"

    reasons: list[str] = Field(
        description="Why it was held, e.g. `contact_details`, `link`, `flagged_word`.",
        examples=[["contact_details"]],
    )


class MessageApproved(_MessageEvent):
    """Published when a coordinator approves a held message; a MessageSent follows."""

    source_service = "messaging"
    subject_field = "message_id"

    moderator_id: str = Field(description='Who approved it: a person id, or "coordinator".')


class MessageRejected(_MessageEvent):
    """Published when a coordinator rejects a held message, which is then never delivered."""

    source_service = "messaging"
    subject_field = "message_id"

    moderator_id: str = Field(description='Who rejected it: a person id, or "coordinator".')
    reason: str | None = Field(
        default=None, description="Why it was rejected, if given.", examples=["Shares a phone number"]
    )
