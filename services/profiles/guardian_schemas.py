"""Request and response bodies of guardian consent (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

ConsentState = Literal["not_required", "pending", "granted", "declined", "withdrawn"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GuardianContact(_Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Sam Taylor"])
    email: EmailStr = Field(examples=["sam.taylor@example.org"])


class OfflineConsent(_Strict):
    """A decision the organisation collected itself, recorded by the member of staff sending it."""

    decision: Literal["grant", "decline", "withdraw"]
    evidence: str = Field(min_length=3, max_length=500,
                          description="How it was collected, e.g. 'signed paper form, 1 Sept 2026, filed by the office'.")


class CreateOfflineConsent(OfflineConsent):
    decision: Literal["grant", "decline"]


class GuardianConsentView(BaseModel):
    state: ConsentState
    decided_at: datetime | None = Field(default=None, description="When the guardian or staff decided.")
    method: Literal["link", "offline"] | None = Field(
        default=None, description="link: the guardian through the emailed link; offline: recorded by staff.")
    recorded_by: str | None = Field(default=None, description="'guardian', or the member of staff (e.g. staff:<id>).")
    request_sent_at: datetime | None = Field(default=None, description="While pending: when the link was emailed.")
    guardian: GuardianContact | None = Field(default=None, description="Shown to staff only.")


class ConsentHistoryEntry(BaseModel):
    at: datetime
    state: ConsentState
    action: Literal["requested", "grant", "decline", "withdraw", "not_required"]
    method: Literal["link", "offline", "request", "system"]
    actor: str
    evidence: str | None = None
    ip_hash: str | None = Field(default=None, description="Keyed hash of the address a link decision came from.")


class ConsentRecord(BaseModel):
    person_id: str
    consent: GuardianConsentView
    history: list[ConsentHistoryEntry] = Field(description="Every step, oldest first; append-only.")


class ConsentPage(BaseModel):
    """What the guardian's consent page shows: no contact details, no surname."""

    purpose: Literal["decide", "withdraw"]
    mentee_first_name: str
    organisation: str
    programme: str | None
    programme_description: str | None
    supervision: list[str] = Field(description="How contact with the child is supervised, one sentence each.")
    state: ConsentState
    decisions: list[Literal["grant", "decline", "withdraw"]]
    expires_at: datetime


class CompleteConsent(_Strict):
    token: str = Field(min_length=1, max_length=200)
    decision: Literal["grant", "decline"]


class WithdrawConsent(_Strict):
    token: str = Field(min_length=1, max_length=200)


class ConsentDecision(BaseModel):
    state: ConsentState
    decided_at: datetime
