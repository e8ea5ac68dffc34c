"""Events published by the messaging service. They never carry the message body."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from ..base import Event
from .common import ContractModel, Id


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
    delivered_at: AwareDatetime | None = Field(
        default=None, description="When the recipient could first see it: a ConversationRead whose `up_to` is "
        "this or later covers it.", examples=["2025-03-04T16:02:11.250Z"],
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


class ConversationRead(Event):
    """Published when a person's read marker in a conversation moves forward: they have seen every
    message delivered up to `up_to`. Notifications drops a new-message notice that has not gone yet
    and tells only of messages read."""

    source_service = "messaging"
    subject_field = "match_id"

    match_id: Id = Field(description="The match whose conversation was read.")
    reader_id: Id = Field(description="The person who read it.")
    up_to_message_id: Id = Field(description="The last message they have read.")
    up_to: AwareDatetime = Field(description="When that message was delivered: every message delivered by then "
                                 "is read.", examples=["2025-03-04T16:02:11.250Z"])


class TopicEntry(ContractModel):
    """One of an organisation's changes to the default taxonomy: a topic added, relabelled, given
    extra keywords, or (a default) removed."""

    id: Id = Field(description="The topic id, a lower-case slug; a default's id changes that default.",
                   examples=["higher-apprenticeships"])
    label: str | None = Field(default=None, description="Its label; none keeps the default's.",
                              examples=["Higher apprenticeships"])
    keywords: list[str] = Field(default=[], description="Words or phrases that tag a message or goal with it, "
                                "added to a default's own cues.", examples=[["level 4", "higher apprenticeship"]])
    removed: bool = Field(default=False, description="True when the organisation removed this default topic.")


class TopicTaxonomyChanged(Event):
    """Published when an organisation changes its conversation topic taxonomy; matching and insights keep
    their own copy to tag goals and label topics. Configuration only: the whole list of the organisation's
    entries (the defaults apply where it has none), so the latest revision replaces any earlier one."""

    source_service = "messaging"
    subject_field = "organisation_id"

    organisation_id: Id = Field(description="The organisation.")
    revision: int = Field(ge=1, description="Counts the organisation's changes: a consumer keeps the highest.",
                          examples=[3])
    topics: list[TopicEntry] = Field(default=[], description="The organisation's entries, applied to the "
                                     "platform's default taxonomy in order.")
