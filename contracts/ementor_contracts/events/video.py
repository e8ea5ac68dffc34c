"""Events published by the video service. They never carry the join link."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from ..base import Event
from .common import Id


class _SessionEvent(Event):
    # Not registered: the identity of a session and its match.
    session_id: Id = Field(description="The video session.")
    match_id: Id = Field(description="The match the session belongs to.")
    mentor_id: Id = Field(description="The mentor of the match.")
    mentee_id: Id = Field(description="The mentee of the match.")
    starts_at: AwareDatetime = Field(
        description="When the session starts.", examples=["2025-03-04T16:00:00Z"]
    )


class SessionScheduled(_SessionEvent):
    """Published when a session is scheduled for an active match."""

    source_service = "video"
    subject_field = "session_id"

    ends_at: AwareDatetime = Field(description="When the session ends.", examples=["2025-03-04T16:45:00Z"])
    sequence: int = Field(ge=0, description="iCalendar SEQUENCE of the invite; 0 when first scheduled.")
    guardian_invited: bool = Field(
        default=False,
        description="The organisation invites a minor mentee's guardian to their sessions: profiles emails the "
        "guardian their own link (never in an event). Absent from publishers older than guardian invitations.",
    )


class SessionRescheduled(_SessionEvent):
    """Published when a scheduled session is moved to another time."""

    source_service = "video"
    subject_field = "session_id"

    ends_at: AwareDatetime = Field(
        description="When the session now ends.", examples=["2025-03-04T16:45:00Z"]
    )
    sequence: int = Field(ge=0, description="iCalendar SEQUENCE of the updated invite.", examples=[1])
    previous_starts_at: AwareDatetime = Field(
        description="When the session was due to start before.", examples=["2025-03-03T16:00:00Z"]
    )


class SessionCancelled(_SessionEvent):
    """Published when a session is cancelled, by a person or because its match ended."""

    source_service = "video"
    subject_field = "session_id"

    cancelled_by: str = Field(description='Who cancelled: a person id, or "coordinator".')
    reason: str | None = Field(
        default=None, description="Why it was cancelled, if given.", examples=["Exam week"]
    )
    sequence: int = Field(ge=0, description="iCalendar SEQUENCE of the cancellation.", examples=[2])


class SessionReminderDue(_SessionEvent):
    """Published when it is time to remind both people of an upcoming session."""

    source_service = "video"
    subject_field = "session_id"

    minutes_before: int = Field(
        gt=0, description="How long before the start the reminder is due.", examples=[60]
    )
