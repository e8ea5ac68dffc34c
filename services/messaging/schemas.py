"""Request and response models of the messaging API (they also generate its OpenAPI)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .domain import (
    DEFAULT_MESSAGES_PER_MINUTE,
    MAX_BLOCKED_WORD_CHARS,
    MAX_BLOCKED_WORDS,
    MAX_BODY_CHARS,
    MAX_MESSAGES_PER_MINUTE,
)

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, description="next_cursor of the previous page")

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value is not None and not OBJECT_ID.match(value):
            raise ValueError("not a cursor returned by this endpoint")
        return value


# -- messages -----------------------------------------------------------------------------------
class PostMessage(Strict):
    body: str = Field(
        description=f"The message text: 1 to {MAX_BODY_CHARS} characters "
                    "(surrounding whitespace is trimmed).",
        json_schema_extra={"minLength": 1, "maxLength": MAX_BODY_CHARS},
        examples=["Hi Jamie, how did the robotics club go?"],
    )

    @field_validator("body")
    @classmethod
    def _size(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the message is empty")
        if len(value) > MAX_BODY_CHARS:
            raise ValueError(f"the message has {len(value)} characters; at most {MAX_BODY_CHARS} are allowed")
        return value


class FindingView(BaseModel):
    kind: Literal["email", "phone", "social_handle", "contact_request", "link", "flagged_word"]
    text: str


class ModerationView(BaseModel):
    decision: Literal["approved", "rejected", "withdrawn"]
    decided_by: str
    decided_at: datetime
    reason: str | None


class CardView(BaseModel):
    kind: Literal["article"] = Field(description="What the card shows; `article`: a knowledge library article.")
    article_id: str = Field(description="Open it with GET /v1/articles/{article_id}.")
    title: str


class MessageView(BaseModel):
    id: str
    match_id: str
    sender_id: str
    recipient_id: str
    body: str | None = Field(description="null once the sender's data was erased")
    length: int
    status: Literal["delivered", "held", "rejected", "withdrawn"] = Field(
        description="delivered: the recipient sees it; held: waiting for a coordinator (only the sender and "
                    "coordinators see it); rejected / withdrawn: never delivered"
    )
    held_reasons: list[str] = Field(description="Why it was held: shown to its sender and coordinators.")
    findings: list[FindingView] | None = Field(
        default=None, description="Coordinators only: what moderation found."
    )
    moderation: ModerationView | None = Field(default=None, description="The coordinator's decision, if any.")
    created_at: datetime
    delivered_at: datetime | None
    erased: bool = False
    card: CardView | None = Field(default=None, description="An article shared from the knowledge library.")


class MessageList(BaseModel):
    items: list[MessageView]
    next_cursor: str | None


class MessagesQuery(PageQuery):
    pass


class MarkRead(Strict):
    up_to_message_id: str = Field(description="The newest message the person has read.")


class ConversationView(BaseModel):
    match_id: str
    status: Literal["proposed", "active", "declined", "ended"]
    mentor_id: str
    mentee_id: str
    moderation_policy: Literal["minor", "adult"] = Field(
        description="minor: contact details, links and safeguarding phrases are always held"
    )
    opened_at: datetime | None
    ended_at: datetime | None
    ended_reason: str | None
    paused_for: list[str] = Field(
        default_factory=list,
        description="Why an active conversation is paused (messages 409): `guardian_consent` while the minor's "
                    "guardian consent is not granted.")
    last_read_message_id: str | None = Field(default=None, description="Mentor and mentee only.")
    unread: int | None = Field(
        default=None, description="Mentor and mentee only: delivered to them, not yet read."
    )


class PersonStatsView(BaseModel):
    person_id: str
    role: Literal["mentor", "mentee"]
    delivered: int = Field(description="Messages of theirs the other person can see.")
    held: int
    rejected: int
    median_response_seconds: float | None = Field(
        description="Median time this person took to answer the other's first unanswered message."
    )


class ConversationStatsView(BaseModel):
    match_id: str
    people: list[PersonStatsView]
    total_delivered: int
    median_response_seconds: float | None
    last_message_at: datetime | None
    days_since_last_message: float | None


# -- moderation ---------------------------------------------------------------------------------
class QueueQuery(PageQuery):
    status: Literal["held", "approved", "rejected", "withdrawn"] = "held"
    match_id: str | None = None


class Decision(Strict):
    reason: str | None = Field(default=None, max_length=1000, description="Why; kept in the audit log.")


class AuditQuery(PageQuery):
    message_id: str | None = None
    match_id: str | None = None


class AuditEntryView(BaseModel):
    id: str
    at: datetime
    actor: str = Field(description='Who decided: "staff:<id>" (a named member of staff), "integration:<key id>" '
                                   '(the API key) or "system"')
    decision: Literal["held", "approved", "rejected", "withdrawn"]
    message_id: str
    match_id: str
    reason: str | None
    held_reasons: list[str]


class AuditList(BaseModel):
    items: list[AuditEntryView]
    next_cursor: str | None


# -- settings -----------------------------------------------------------------------------------
class MinorPolicy(BaseModel):
    hold_contact_details: Literal[True] = True
    hold_links: Literal[True] = True
    safeguarding_phrases: list[str]


class UpdateSettings(Strict):
    """The whole settings document; fields left out take their defaults."""

    blocked_words: list[str] = Field(
        default_factory=list, max_length=MAX_BLOCKED_WORDS,
        description="Words or phrases (case-insensitive, whole words, at most "
                    f"{MAX_BLOCKED_WORD_CHARS} characters each) whose messages are held in every "
                    "conversation.",
    )
    hold_contact_details_for_adults: bool = Field(
        default=True, description="Hold e-mail addresses, phone numbers and handles between adults."
    )
    hold_links_for_adults: bool = Field(default=False, description="Hold links between adults.")
    messages_per_minute: int = Field(
        default=DEFAULT_MESSAGES_PER_MINUTE, ge=1, le=MAX_MESSAGES_PER_MINUTE,
        description="Per-person rate limit; a burst of this many is allowed, then one every 60/n seconds.",
    )


class SettingsView(BaseModel):
    blocked_words: list[str]
    hold_contact_details_for_adults: bool
    hold_links_for_adults: bool
    messages_per_minute: int
    minors: MinorPolicy = Field(description="Fixed: what is always held when the mentee is a minor.")
    updated_at: datetime | None


# -- topic taxonomy -----------------------------------------------------------------------------
class TopicEntryIn(Strict):
    """One change to the default taxonomy (topics.taxonomy_from)."""

    id: str = Field(description="A lower-case slug; a default's id changes that default, another adds a topic.",
                    examples=["work-placements"])
    label: str | None = Field(default=None, description="Its label (required for a new topic).",
                              examples=["Work placements"])
    keywords: list[str] = Field(default_factory=list, description="Words or phrases (whole words, any case) "
                                "that tag a message or goal with it; added to a default's own cues.",
                                examples=[["placement year", "sandwich course"]])
    removed: bool = Field(default=False, description="Remove this default topic.")


class UpdateTopics(Strict):
    """The organisation's whole list of entries; a default without one stays as it is."""

    topics: list[TopicEntryIn] = Field(default_factory=list)


class TopicView(BaseModel):
    id: str
    label: str
    keywords: list[str] = Field(description="The keywords the organisation added (a default's own cues are not "
                                "listed).")
    source: Literal["default", "changed", "custom"] = Field(
        description="default: as the platform ships it; changed: a default the organisation relabelled or gave "
                    "keywords; custom: the organisation's own.")
    default_label: str | None = Field(description="A default topic's label as shipped.")


class RemovedTopic(BaseModel):
    id: str
    label: str


class TopicLimits(BaseModel):
    topics: int
    keywords_per_topic: int
    keyword_chars: int
    label_chars: int


class TopicSettingsView(BaseModel):
    topics: list[TopicView] = Field(description="Every topic in force, in tagging order.")
    removed: list[RemovedTopic] = Field(description="Default topics the organisation removed.")
    revision: int = Field(description="How many times the organisation changed it (0: never).")
    limits: TopicLimits
    updated_at: datetime | None
    updated_by: str | None
