"""Request and response bodies of the profiles API (they also generate its OpenAPI)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from ementor_contracts import VettingLevel
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from ementor.platform.text import SingleLine

from .guardian_schemas import (
    ConsentState,
    CreateOfflineConsent,
    GuardianConsentView,
    GuardianContact,
    OfflineConsent,
)

CustomValue = str | float | int | list[str]
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- organisations and tokens -------------------------------------------------------------
class CreateOrganisation(Strict):
    slug: SingleLine = Field(min_length=1, max_length=63, examples=["northside-school"])
    name: SingleLine = Field(min_length=1, max_length=200, examples=["Northside School"])


class Organisation(BaseModel):
    id: str
    slug: str
    name: str
    created_at: datetime
    status: Literal["active", "disabled"] = "active"
    disabled_at: datetime | None = None


class OrganisationList(BaseModel):
    items: list[Organisation]
    next_cursor: str | None


class OrganisationWithKey(Organisation):
    api_key: str = Field(description="Shown once: store it now. Exchange it at POST /v1/auth/token.")


class RotateKey(Strict):
    previous_key_valid_for_seconds: int = Field(
        default=0, ge=0, le=7 * 86400, description="Grace period in which the old key still works."
    )
    read_only: bool = Field(
        default=False, description="Issue an extra read-only key (its tokens may only GET); the current keys stay."
    )


class NewKey(BaseModel):
    api_key: str
    previous_keys_expire_at: datetime | None


class TokenRequest(Strict):
    person_id: str | None = Field(default=None, description="Act as this mentor or mentee; omit for a coordinator token.")


class Token(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    role: str
    person_id: str | None = None


# -- programmes ---------------------------------------------------------------------------
class FieldDefinition(Strict):
    key: SingleLine = Field(min_length=1, max_length=40, examples=["year_group"])
    label: SingleLine = Field(min_length=1, max_length=200)
    type: Literal["text", "single_choice", "multiple_choice", "number"]
    options: list[SingleLine] = Field(default_factory=list, max_length=100)
    required: bool = False


class CreateProgramme(Strict):
    name: SingleLine = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    custom_fields: list[FieldDefinition] = Field(default_factory=list, max_length=50)


class Programme(BaseModel):
    id: str
    name: str
    description: str | None
    custom_fields: list[FieldDefinition]
    created_at: datetime


class ProgrammeList(BaseModel):
    items: list[Programme]
    next_cursor: str | None


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


# -- people -------------------------------------------------------------------------------
class Channels(Strict):
    email: bool = True
    sms: bool = False


class QuietHours(Strict):
    start: str = Field(default="21:00", description="Local time (HH:MM) from which no SMS is sent.")
    end: str = Field(default="08:00", description="Local time (HH:MM) until which SMS waits.")

    @field_validator("start", "end")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not TIME_OF_DAY.match(value):
            raise ValueError("must be a time of day as HH:MM, e.g. 21:00")
        return value


class CreatePerson(Strict):
    role: Literal["mentor", "mentee"]
    name: SingleLine = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: SingleLine | None = Field(default=None, description="E.164, e.g. +447700900123")
    timezone: SingleLine = Field(examples=["Europe/London"])
    languages: list[SingleLine] = Field(default_factory=list, max_length=10)
    interests: list[SingleLine] = Field(default_factory=list, max_length=20)
    bio: str | None = Field(default=None, max_length=2000)
    locale: SingleLine | None = Field(default=None, description="The language of the app and emails: en or es.",
                                      examples=["es"])
    availability: str | None = Field(default=None, max_length=500,
                                     description="When the person is usually free, in their words (public profile).",
                                     examples=["Weekday evenings after 6pm, Saturday mornings"])
    capacity: int | None = Field(default=None, description=(
        "Mentors only: how many mentees at once (0-20; 1 when left out). 0: not taking new mentees for now; "
        "their current matches go on."))
    is_minor: bool = False
    vetted: bool = Field(default=False, description="Background-checked; only a coordinator sets it. Kept for "
                                                    "older clients: true records `basic` (use vetting_level).")
    vetting_level: VettingLevel | None = Field(
        default=None, description="The background check staff recorded: none < basic < standard < enhanced "
                                  "(like UK DBS checks); staff only. The organisation's video settings may "
                                  "require a level for sessions with a minor.", examples=["enhanced"])
    programme_id: str | None = None
    custom_fields: dict[str, CustomValue] = Field(default_factory=dict)
    channels: Channels = Field(default_factory=Channels)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    guardian: GuardianContact | None = Field(
        default=None, description="A minor mentee's parent or guardian, asked for consent by email.")
    consent_recorded_offline: CreateOfflineConsent | None = Field(
        default=None, description="Instead of (or as well as) a guardian: consent your organisation collected "
                                  "itself, recorded under your name.")
    invite: bool = Field(default=False, description="Email them an invitation with a one-time sign-in link "
                                                    "(within seconds; a minor's once their guardian has consented).")


class InvitationQueued(BaseModel):
    person_id: str
    email: str = Field(description="Where the invitation goes.")


class InviteNotSignedIn(Strict):
    """Who gets a new invitation: everyone not signed in yet, narrowed like GET /v1/people."""

    role: Literal["mentor", "mentee"] | None = None
    programme_id: SingleLine | None = None
    interest: SingleLine | None = None
    invitations_per_hour: int = Field(100, ge=1, le=10_000, description=(
        "The pace, as for an import: the n-th invitation goes n × 3600 / invitations_per_hour seconds from now."))
    dry_run: bool = Field(False, description=(
        "Only count: say who would get one and who would be left out, and send nothing (to ask before sending)."))


class InvitationsQueued(BaseModel):
    """What a new round of invitations did (or, as a dry run, would do): who gets one, and who was left out and why."""

    dry_run: bool = Field(description="True when nothing was sent: the figures say what sending would do.")
    queued: int = Field(description="New invitations, sent at the pace asked for.")
    last_due_at: datetime | None = Field(None, description="When the last of them goes.")
    waiting_for_consent: int = Field(description="Minors left out: their guardian has not consented.")
    on_its_way: int = Field(description="Left out: an invitation of theirs is already waiting to go.")
    invited_recently: int = Field(description="Left out: sent an invitation in the last day.")


class InvitationStatus(BaseModel):
    """Where a mentor's or mentee's invitation to sign in stands, for staff."""

    person_id: str
    email: str = Field(description="Where invitations go.")
    status: Literal["not_invited", "waiting_for_consent", "queued", "retrying", "not_delivered", "sent",
                    "signed_in"] = Field(description=(
        "not_invited: none was ever sent (or it was more than 180 days ago); waiting_for_consent: a minor's "
        "goes once their guardian consents; queued: it goes at `due_at`; retrying: the mail server did not "
        "take it (`last_error`), tried again at `due_at`; not_delivered: given up after repeated refusals, "
        "check the address and send a new one; sent: sent, not yet used to sign in; signed_in: they have "
        "signed in since."))
    due_at: datetime | None = None
    sent_at: datetime | None = Field(None, description="When the latest invitation was sent.")
    attempts: int = Field(0, description="Emails the mail server did not take.")
    last_error: str | None = None
    last_signed_in_at: datetime | None = None


class UpdatePerson(Strict):
    """Every field optional; those sent are changed. `role` cannot change."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: SingleLine | None = None
    timezone: SingleLine | None = None
    languages: list[SingleLine] | None = Field(default=None, max_length=10)
    interests: list[SingleLine] | None = Field(default=None, max_length=20)
    bio: str | None = Field(default=None, max_length=2000)
    locale: SingleLine | None = Field(default=None, description="en or es; null: the browser's language.")
    availability: str | None = Field(default=None, max_length=500)
    capacity: int | None = Field(default=None, description=(
        "Mentors only, 0-20; the mentor may change their own. 0: not taking new mentees for now."))
    is_minor: bool | None = None
    vetted: bool | None = Field(default=None, description="Staff only. Kept for older clients: true records "
                                                         "`basic` unless a higher level is recorded; false, `none`.")
    vetting_level: VettingLevel | None = Field(
        default=None, description="Staff only: record the background check (none, basic, standard, enhanced); "
                                  "who recorded it and when are kept.")
    programme_id: str | None = None
    custom_fields: dict[str, CustomValue] | None = None
    channels: Channels | None = None
    quiet_hours: QuietHours | None = None
    guardian: GuardianContact | None = Field(
        default=None, description="Coordinators only. A new guardian email sends a new consent request.")
    consent_recorded_offline: OfflineConsent | None = Field(
        default=None, description="Coordinators only: a guardian's decision your organisation collected itself.")


class VettingRecord(BaseModel):
    level: VettingLevel
    recorded_by: str = Field(description="The member of staff (`staff:<id>`, or `integration:<key>`).")
    recorded_at: datetime


class Person(BaseModel):
    id: str
    role: str
    name: str
    email: str | None = Field(description="Only shown to the person and coordinators.")
    phone: str | None
    timezone: str
    languages: list[str]
    interests: list[str]
    bio: str | None
    locale: str | None = Field(default=None, description="The language of the app and emails (en, es); null when unset.")
    availability: str | None = None
    capacity: int
    is_minor: bool
    vetted: bool = Field(description="True for any vetting level above none.")
    vetting_level: VettingLevel = Field(default="none", description="none < basic < standard < enhanced.")
    vetting: VettingRecord | None = Field(
        default=None, description="Staff only: who recorded the vetting level, and when (null before any record).")
    programme_id: str | None
    custom_fields: dict[str, CustomValue]
    channels: Channels
    quiet_hours: QuietHours
    guardian_consent: ConsentState = Field(description="Whether a minor's guardian consented; not_required for adults.")
    guardian_consent_detail: GuardianConsentView = Field(
        description="When and how consent was decided; the guardian's contact is shown to staff only.")
    last_signed_in_at: datetime | None = Field(None, description="Staff only: when they last signed in to the web "
                                                                 "app (none: never, or not since this was recorded).")
    created_at: datetime
    updated_at: datetime


class PublicPerson(BaseModel):
    """What another person of the organisation may see: no contact details."""

    id: str
    role: str
    name: str
    timezone: str
    languages: list[str]
    interests: list[str]
    bio: str | None
    availability: str | None = Field(default=None, description="When they are usually free, in their words.")


class PersonList(BaseModel):
    items: list[Person]
    next_cursor: str | None


class PeopleQuery(PageQuery):
    role: Literal["mentor", "mentee"] | None = None
    programme_id: str | None = None
    interest: str | None = None
    signed_in: bool | None = Field(None, description="false: only those who have never signed in; true: only "
                                                      "those who have.")


# -- staff --------------------------------------------------------------------------------
StaffRole = Literal["admin", "coordinator", "safeguarding_lead"]


class InviteStaff(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: StaffRole
    locale: Literal["en", "es"] | None = Field(default=None, description=(
        "The language of the emails they get from ementor (invitation, sign-in links); null: English."))


class StaffMember(BaseModel):
    id: str
    name: str
    email: str
    role: StaffRole
    status: Literal["invited", "active", "removed"]
    locale: Literal["en", "es"] | None = None
    invited_by: str | None = None
    created_at: datetime


class StaffList(BaseModel):
    items: list[StaffMember]
    next_cursor: str | None = None


# -- sign-in and sessions -----------------------------------------------------------------
class SignIn(Strict):
    organisation: str = Field(min_length=1, max_length=63, description="The organisation's slug.",
                              examples=["northside-school"])
    email: EmailStr
    return_to: str | None = Field(default=None, max_length=500, examples=["/matches/m1/conversation"], description=(
        "A path on this site the emailed link opens once signed in (`next=` on the link); "
        "another host or a scheme is a 400 `return_to_invalid`."))


class SignInRequested(BaseModel):
    status: Literal["sent_if_known"] = "sent_if_known"
    message: str = "If this address belongs to someone in the organisation, a sign-in link is on its way."


class CompleteSignIn(Strict):
    token: str = Field(min_length=10, max_length=200, description="The token from the emailed link.")
    organisation: str | None = Field(default=None, max_length=63,
                                     description="The organisation the web app is signing in to (its slug); a link of "
                                                 "another organisation is then refused.")


class Refresh(Strict):
    refresh_token: str | None = Field(default=None, max_length=200,
                                      description="Omit when the session cookie is sent instead.")


class SessionTokens(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    refresh_token: str
    csrf_token: str = Field(description="Send it as X-CSRF-Token with unsafe requests that use the session cookie.")


class Me(BaseModel):
    role: str
    organisation_id: str | None
    staff_id: str | None = None
    person_id: str | None = None
    name: str | None = None
    locale: str | None = Field(None, description=(
        "Their language, for the app and their emails: a member of staff's own (PATCH /v1/me), a mentor's or "
        "mentee's from their profile; null: the browser's, and English for emails."))
    permissions: list[str]


class UpdateMe(Strict):
    """What a member of staff changes about themselves."""

    locale: Literal["en", "es"] | None = Field(description=(
        "The language of the app and of the emails they get from ementor (sign-in links); null: English."))
