"""Request and response bodies of the safeguarding API (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import domain

Category = Literal[tuple(domain.CATEGORIES)]  # type: ignore[valid-type]
Decision = Literal[domain.DECISIONS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- concerns ---------------------------------------------------------------------------------------
class RaiseConcern(Strict):
    category: Category = Field(description="What it is about: " + "; ".join(
        f"`{k}` ({v})" for k, v in domain.CATEGORIES.items()), examples=["uncomfortable"])
    match_id: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="The match it is about; its contact pauses at once.")
    message_id: str | None = Field(default=None, min_length=1, max_length=64,
                                   description="A message of that match it is about (needs match_id).")
    details: str | None = Field(default=None, max_length=4000,
                                description="In your own words; only safeguarding leads read it.")

    @model_validator(mode="after")
    def message_needs_match(self):
        if self.message_id and not self.match_id:
            raise ValueError("message_id needs the match_id of its conversation")
        return self


class Acknowledge(Strict):
    note: str | None = Field(default=None, max_length=2000, description="For the audit.")


class Resolve(Strict):
    decision: Decision = Field(description="`resume` contact, `end_match`, `suspend_person` (needs person_id: "
                                           "all their matches pause), or `refer_outside`.", examples=["resume"])
    reason: str = Field(min_length=3, max_length=4000, description="Why: goes into the audit.")
    person_id: str | None = Field(default=None, description="With suspend_person: the mentor or mentee to suspend.")
    resume_contact: bool = Field(default=False, description="With refer_outside: also resume the match's contact.")


class ConcernsQuery(Strict):
    status: Literal["open", "acknowledged", "resolved"] | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class ReceivedConcern(BaseModel):
    """What the person who raised a concern sees: that it was received, and where it stands."""

    id: str
    status: str
    category: str
    match_id: str | None
    created_at: datetime
    message: str


class EscalationStepView(BaseModel):
    step: int
    to_operator: bool
    contact_name: str | None
    at: datetime
    email: str | None
    sms: str | None


class ConcernView(ReceivedConcern):
    """What a safeguarding lead sees."""

    serious: bool
    message_id: str | None
    mentor_id: str | None
    mentee_id: str | None
    mentor_name: str | None = Field(default=None, description="The mentor's name, for the lead's page (null when "
                                                                "profiles did not answer in time).")
    mentee_name: str | None = Field(default=None, description="The mentee's name (a lead may not read a mentee's "
                                                                "profile otherwise); null when profiles did not answer.")
    details: str | None
    raised_by: str
    raised_via: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    decision: str | None
    reason: str | None
    suspended_person_id: str | None
    next_alert_at: datetime | None
    escalation: list[EscalationStepView]


class ConcernList(BaseModel):
    items: list[ConcernView]
    next_cursor: str | None


class ContextMessage(BaseModel):
    id: str
    sender_id: str
    status: str
    body: str | None
    created_at: datetime | None
    is_concern_message: bool


class ConcernMessages(BaseModel):
    concern_id: str
    match_id: str
    items: list[ContextMessage] = Field(description="The conversation around the concern, oldest first.")


# -- settings ---------------------------------------------------------------------------------------
class ContactIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +447700900123")
    staff_id: str | None = Field(default=None, description="The member of staff (a safeguarding lead) this is.")

    @model_validator(mode="after")
    def reachable(self):
        if not (self.email or self.phone):
            raise ValueError("a contact needs an email or a phone number (or both)")
        return self


class SettingsIn(Strict):
    contacts: list[ContactIn] = Field(min_length=1, max_length=20, description="Alerted in this order.")
    acknowledge_within_minutes: int = Field(ge=domain.ACK_MINUTES_MIN, le=domain.ACK_MINUTES_MAX,
                                            description="How long each contact has to acknowledge before the next "
                                                        "is alerted.", examples=[15])


class SettingsView(BaseModel):
    contacts: list[ContactIn]
    acknowledge_within_minutes: int
    operator_is_last_step: bool = True
    updated_at: datetime | None = None
    updated_by: str | None = None


# -- blocks -----------------------------------------------------------------------------------------
class BlockIn(Strict):
    person_id: str = Field(min_length=1, max_length=64, description="The person to block.")


class BlockView(BaseModel):
    id: str
    person_id: str
    blocked_person_id: str
    match_id: str | None
    created_at: datetime


# -- audit ------------------------------------------------------------------------------------------
class AuditQuery(Strict):
    after_seq: int = Field(default=0, ge=0)
    limit: int = Field(default=500, ge=1, le=5000)


class AuditEntryView(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    subject_id: str
    data: dict
    prev_hash: str
    hash: str


class AuditExport(BaseModel):
    organisation_id: str
    head_seq: int
    verified: bool
    broken_at: int | None
    problem: str | None
    items: list[AuditEntryView]
