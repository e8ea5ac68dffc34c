"""Events published by the profiles service."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from ..base import Event
from .common import ContractModel, Id, Role

CustomFieldType = Literal["text", "single_choice", "multiple_choice", "number"]
CustomFieldValue = str | float | list[str]


class CustomFieldDefinition(ContractModel):
    """A programme-specific profile question, used by matching."""

    key: str = Field(
        min_length=1,
        description="Stable key under which answers appear in profiles.",
        examples=["year_group"],
    )
    label: str = Field(description="The question as shown to people.", examples=["Year group"])
    type: CustomFieldType = Field(description="The kind of answer.")
    options: list[str] = Field(
        default=[], description="The allowed answers of a choice field; empty otherwise."
    )
    required: bool = Field(description="Whether every profile in the programme must answer it.")


class ChannelPreferences(ContractModel):
    """Which channels a person agreed to be contacted on (not the contact details themselves)."""

    email: bool = Field(description="The person accepts email notifications.", examples=[True])
    sms: bool = Field(description="The person accepts SMS notifications.")


class OrganisationCreated(Event):
    """Published when the platform operator creates an organisation (a tenant)."""

    source_service = "profiles"
    subject_field = "organisation_id"

    organisation_id: Id = Field(description="The new organisation; also the event's `tenantid`.")
    slug: str = Field(
        description="URL-safe short name, unique on the platform.", examples=["northside-school"]
    )
    name: str = Field(description="The organisation's display name.", examples=["Northside School"])


class ProgrammeCreated(Event):
    """Published when a coordinator creates a mentoring programme."""

    source_service = "profiles"
    subject_field = "programme_id"

    programme_id: Id = Field(description="The new programme.")
    name: str = Field(description="The programme's display name.", examples=["Year 10 careers mentoring"])
    custom_fields: list[CustomFieldDefinition] = Field(
        description="Extra profile questions that people in this programme answer."
    )


# Background checks, lowest first (after the UK's DBS checks: basic, standard, enhanced). A level meets a
# requirement when it is at least as high; `vetted` in the events is `vetting_level != "none"`.
VettingLevel = Literal["none", "basic", "standard", "enhanced"]
VETTING_LEVELS: tuple[str, ...] = ("none", "basic", "standard", "enhanced")

GuardianConsentState = Literal["not_required", "pending", "granted", "declined", "withdrawn"]


class _ProfileSnapshot(Event):
    # Not registered (no source_service): the attributes both profile events carry in full, so a
    # consumer's projection never depends on having seen an earlier event.
    person_id: Id = Field(description="The person whose profile this is.")
    role: Role = Field(description="Whether the person mentors or is mentored.")
    programme_id: Id | None = Field(default=None, description="The programme the person belongs to, if any.")
    timezone: str = Field(description="IANA time zone name.", examples=["Europe/London"])
    languages: list[str] = Field(
        description="Languages the person speaks, as BCP 47 tags.", examples=[["en", "cy"]]
    )
    interests: list[str] = Field(
        description="Interest tags used for matching.", examples=[["engineering", "music"]]
    )
    capacity: int = Field(
        ge=0, description="How many mentees a mentor takes at once; 0 for mentees.", examples=[2]
    )
    is_minor: bool = Field(description="The person is under 18, so safeguarding rules apply.")
    vetted: bool = Field(
        description="A coordinator has completed background checks (meaningful for mentors).", examples=[True]
    )
    vetting_level: VettingLevel | None = Field(
        default=None,
        description="The level of background check staff recorded (none < basic < standard < enhanced); `vetted` "
        "is true for any level above none. Absent from publishers older than vetting levels: read `vetted` "
        "as `basic` then.",
        examples=["enhanced"],
    )
    custom_fields: dict[str, CustomFieldValue] = Field(
        default={},
        description="Answers to the programme's custom fields, keyed by field key.",
        examples=[{"year_group": "10"}],
    )
    channels: ChannelPreferences = Field(description="Notification channels the person accepts.")
    guardian_consent: GuardianConsentState | None = Field(
        default=None,
        description="Whether a minor's parent or guardian consented (`not_required` for adults); absent from "
        "publishers older than guardian consent.",
    )
    locale: str | None = Field(
        default=None,
        description="The language the person reads ementor and its emails in (`en`, `es`); absent when unset "
        "and from publishers older than it.",
        examples=["es"],
    )


class ProfileCreated(_ProfileSnapshot):
    """Published when a mentor or mentee profile is created."""

    source_service = "profiles"
    subject_field = "person_id"


class ProfileUpdated(_ProfileSnapshot):
    """Published for every change to a profile; it carries the full snapshot after the change."""

    source_service = "profiles"
    subject_field = "person_id"

    changed: list[str] = Field(
        description=(
            "Names of the profile fields that changed in this update, as the API names them. Besides the "
            "snapshot attributes these may be `name`, `email`, `phone`, `bio`, `availability` and `quiet_hours`: named, "
            "never carried (read them from the profiles API when needed)."
        ),
        examples=[["interests", "capacity"], ["bio"]],
    )


class PersonErased(Event):
    """Published when a person is erased; every service deletes or anonymises what it holds on them."""

    source_service = "profiles"
    subject_field = "person_id"

    person_id: Id = Field(description="The erased person.")
    role: Role = Field(description="The role the person had.")


class AccessRevoked(Event):
    """Published when access ends: every service refuses tokens issued before `effective_at` for the subject.

    Sent on sign-out (a session), erasure (a person, also implied by PersonErased), staff removal,
    API-key rotation (the retired key, effective at the end of its grace period), an admin's "sign
    out everywhere" (a person or a member of staff) and a disabled organisation. Never carries
    contact details or tokens.
    """

    source_service = "profiles"
    subject_field = "subject_id"

    scope: Literal["session", "person", "staff", "api_key", "organisation"] = Field(
        description="What `subject_id` names: a session, a person, a member of staff, an API key id, an organisation."
    )
    subject_id: Id = Field(description="The revoked session, person, member of staff, API key or organisation.")
    effective_at: AwareDatetime = Field(
        description="From when tokens issued before it are refused (a key rotation's is the end of its grace period)."
    )


class GuardianConsentChanged(Event):
    """Published when a minor's guardian consent changes state (requested, granted, declined, withdrawn).

    It says only what the state is: never who the guardian is or how to reach them. Until the state
    is `granted`, a minor is not proposed for a match, cannot message and cannot be scheduled.
    """

    source_service = "profiles"
    subject_field = "person_id"

    person_id: Id = Field(description="The minor (a mentee) whose consent changed.")
    state: GuardianConsentState = Field(description="The consent state after the change.", examples=["granted"])
