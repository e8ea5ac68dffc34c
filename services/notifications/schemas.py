"""Request and response bodies of the notifications API (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ementor.platform.text import SingleLine

from .documents import MESSAGE_NOTICE_MINUTES, SKIP_CODES, STATUSES

E164 = r"^\+[1-9]\d{6,14}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- the delivery log -------------------------------------------------------------------------
class DeliveryQuery(Strict):
    person_id: str | None = Field(
        default=None,
        description='Whose notifications; a person sees only their own. "coordinator" for notices to the coordinator.',
    )
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class DeliveryView(BaseModel):
    id: str
    person_id: str = Field(description='The recipient: a person id, or "coordinator".')
    channel: Literal["email", "sms"]
    kind: str = Field(examples=["match_proposed"])
    status: str = Field(description="pending, deferred, sending, sent, delivered, failed or skipped.")
    subject: str | None = Field(description="The email's subject line, once rendered.")
    cause_event_id: str
    cause_event_type: str = Field(examples=["MatchProposed"])
    attempts: int
    last_error: str | None = Field(description="Why the last attempt failed or why it was skipped; no contact details.")
    skip_code: Literal[SKIP_CODES] | None = Field(  # type: ignore[valid-type]
        default=None, description="Why it was skipped, as a code to word in any language: read_in_app (a new-message "
        "notice whose messages were all read in the app first), email_off, sms_off, minors_sms_off (the "
        "organisation does not text under-18s), unknown_or_erased, no_coordinator_email.")
    provider_status: str | None = Field(description="The latest status reported by Twilio, for SMS.")
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


class DeliveryList(BaseModel):
    items: list[DeliveryView]
    next_cursor: str | None


# -- an organisation's settings -----------------------------------------------------------------
class TemplateOverride(Strict):
    subject: SingleLine | None = Field(default=None, max_length=300)
    text: str | None = Field(default=None, max_length=10_000)
    html: str | None = Field(default=None, max_length=50_000)
    sms: str | None = Field(default=None, max_length=640)


class NotificationSettings(Strict):
    coordinator_email: EmailStr | None = Field(
        default=None, description="Where notices for the coordinator go (held messages, quiet matches)."
    )
    organisation_name: SingleLine | None = Field(
        default=None, max_length=200, description="Shown in emails and SMS; defaults to the organisation's name."
    )
    sign_off: str | None = Field(
        default=None, max_length=500, examples=["Best wishes, the Northside mentoring team"],
        description="Ends every email; may use $organisation.",
    )
    sms_from: str | None = Field(default=None, pattern=E164, description="The organisation's own Twilio number.")
    messaging_service_sid: str | None = Field(
        default=None, pattern=r"^MG[0-9a-fA-F]{32}$", description="A Twilio Messaging Service to send SMS through."
    )
    allow_sms_to_minors: bool = Field(default=False, description="Whether people under 18 may get SMS at all.")
    nudge_after_days: int = Field(
        default=14, ge=0, le=365, description="Days without a message before both people are nudged; 0 turns nudges off."
    )
    escalate_after_days: int = Field(
        default=7, ge=0, le=365, description="Days after a nudge, still without a message, before the coordinator is told."
    )
    message_notice_minutes: int = Field(
        default=MESSAGE_NOTICE_MINUTES, ge=0, le=1440,
        description="At most one new-message email (and SMS) per conversation and person in this many minutes: "
                    "the first of a quiet spell goes at once, later ones are told together at the end of the "
                    "spell's window. 0: one for every message.")
    templates: dict[str, TemplateOverride] = Field(
        default_factory=dict,
        description="Overrides by notification kind (e.g. match_proposed), each part a $-template.",
    )


class NotificationSettingsView(NotificationSettings):
    updated_at: datetime | None = None
