"""Request and response bodies of the video API (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from . import domain


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# A time as the viewer reads it: ISO 8601 with their own offset ("+00:00", never "Z", for London in winter).
LocalTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

DURATION = Field(ge=1, le=24 * 60, description="Length in minutes, within the organisation's limits.",
                 examples=[45])


# -- sessions -------------------------------------------------------------------------------
class Observer(BaseModel):
    staff_id: str
    name: str


class ScheduleSession(Strict):
    starts_at: AwareDatetime = Field(
        description="ISO 8601 with a UTC offset; a time without one is refused.",
        examples=["2025-03-04T17:00:00+01:00"],
    )
    duration_minutes: int = DURATION


class RescheduleSession(Strict):
    starts_at: AwareDatetime | None = Field(default=None, examples=["2025-03-05T17:00:00+01:00"])
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


class CancelSession(Strict):
    reason: str | None = Field(default=None, max_length=500, examples=["Exam week"])


class ViewQuery(Strict):
    timezone: str | None = Field(
        default=None, description="Show times in this IANA zone instead of the viewer's own.",
        examples=["America/New_York"],
    )


class SessionListQuery(ViewQuery):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None
    status: Literal["scheduled", "cancelled"] | None = None
    upcoming: bool = Field(default=False, description="Only sessions that have not ended yet.")


class PersonSessionsQuery(SessionListQuery):
    person_id: str | None = Field(default=None, description="Whose sessions; a person token defaults to its own.")


class Session(BaseModel):
    id: str
    match_id: str
    mentor_id: str
    mentee_id: str
    starts_at: LocalTime = Field(description="In the viewer's time zone (see `timezone`).")
    ends_at: LocalTime
    timezone: str = Field(description="The IANA zone the times are shown in.", examples=["Europe/London"])
    duration_minutes: int
    status: Literal["scheduled", "cancelled"]
    sequence: int = Field(description="iCalendar SEQUENCE: raised by every reschedule and by cancellation.")
    provider: str = Field(examples=["jitsi"])
    join_url: str | None = Field(
        description="The viewer's own link to the call (personal: do not share); null for coordinators and "
                    "cancelled sessions.")
    moderator: bool = Field(description="Whether the viewer joins as the call's moderator (the mentor does).")
    invite_url: str = Field(description="The iCalendar invite for the viewer.")
    created_at: LocalTime
    updated_at: LocalTime
    cancelled_at: LocalTime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    observer: Observer | None = Field(
        default=None, description="The staff member who observes this session with a minor; both people see who.")
    guardian_invited: bool = Field(default=False, description="The minor mentee's guardian is invited (by email, "
                                                               "with their own link).")


class SessionList(BaseModel):
    items: list[Session]
    next_cursor: str | None


# -- settings -------------------------------------------------------------------------------
class JitsiSettings(Strict):
    start_audio_muted: bool = False
    start_video_muted: bool = False


class MinorSessions(Strict):
    """What a session with a minor needs before it can be booked."""

    require_observer: bool = Field(
        default=False, description="A named member of staff observes, with their own slot-bound link.")
    observer_staff_id: str | None = Field(
        default=None, max_length=64, description="Who observes (a current member of staff); needed when required.",
        examples=["6650f1c2a7b3e4d5f6a7b8c9"])
    invite_guardian: bool = Field(
        default=False, description="Invite a minor mentee's guardian to each new session: profiles emails the "
                                   "guardian (named in the invitation) their own slot-bound link, never a moderator.")
    require_vetted_mentor: bool = Field(
        default=False, description="Only a vetted mentor may meet a minor by video: at `min_vetting_level` when "
                                   "it is set, else at least `basic` (any recorded check).")
    min_vetting_level: Literal["basic", "standard", "enhanced"] | None = Field(
        default=None, description="The least background check (basic < standard < enhanced, like UK DBS checks) "
                                  "a mentor needs to meet a minor by video; setting it requires vetting. The view "
                                  "shows `basic` for an organisation that requires vetting without naming a level.",
        examples=["enhanced"])


class MinorSessionsView(MinorSessions):
    observer_name: str | None = None


class UpdateVideoSettings(Strict):
    min_duration_minutes: int = Field(default=15, ge=domain.HARD_MIN_DURATION, le=domain.HARD_MAX_DURATION)
    max_duration_minutes: int = Field(default=180, ge=domain.HARD_MIN_DURATION, le=domain.HARD_MAX_DURATION)
    max_days_ahead: int = Field(default=365, ge=1, le=domain.MAX_DAYS_AHEAD)
    reminder_offsets_minutes: list[int] = Field(
        default_factory=lambda: list(domain.DEFAULT_REMINDER_OFFSETS), max_length=domain.MAX_REMINDERS,
        description="When to remind both people, in minutes before the start; [] for no reminders.",
        examples=[[1440, 60, 15], []],
    )
    jitsi: JitsiSettings = Field(default_factory=JitsiSettings)
    minors: MinorSessions = Field(default_factory=lambda: MinorSessions())

    @field_validator("reminder_offsets_minutes")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        return list(domain.normalise_offsets(value))


class JitsiInfo(JitsiSettings):
    base_url: str = Field(description="The deployment's Jitsi server (EMENTOR_JITSI_BASE_URL).")
    token_auth: bool = Field(description="Whether links carry a signed JWT (a self-hosted Jitsi with token auth).")


class VideoSettings(BaseModel):
    min_duration_minutes: int
    max_duration_minutes: int
    max_days_ahead: int
    reminder_offsets_minutes: list[int]
    jitsi: JitsiInfo
    minors: MinorSessionsView
    updated_at: datetime | None
