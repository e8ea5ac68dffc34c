"""Events published by the safeguarding service. They say that something happened and name ids:
never what a concern says, who raised it, or anyone's contact details."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..base import Event
from .common import Id

ConcernDecision = Literal["resume", "end_match", "suspend_person", "refer_outside"]


class _ConcernEvent(Event):
    # Not registered: a concern and the match it is about.
    concern_id: Id = Field(description="The concern.")
    category: str = Field(description="Its category, e.g. `uncomfortable`, `bullying`, `self_harm`.",
                          examples=["uncomfortable"])
    match_id: Id | None = Field(default=None, description="The match it is about, if any.")
    mentor_id: Id | None = Field(default=None, description="The mentor of that match.")
    mentee_id: Id | None = Field(default=None, description="The mentee of that match.")


class ConcernRaised(_ConcernEvent):
    """Published when a concern is raised: the match's contact pauses (`paused_for: concern`)."""

    source_service = "safeguarding"
    subject_field = "concern_id"

    message_id: Id | None = Field(default=None, description="The message it is about, if any.")
    raised_via: Literal["participant", "moderation"] = Field(
        description="Raised by a participant of the match, or by moderation holding a message.",
        examples=["participant"])


class ConcernEscalated(Event):
    """Published at each escalation step: a safeguarding contact (or the operator) was alerted."""

    source_service = "safeguarding"
    subject_field = "concern_id"

    concern_id: Id = Field(description="The concern.")
    step: int = Field(ge=0, description="0 for the first contact, 1 for the next, and so on.", examples=[1])
    to_operator: bool = Field(description="True once the organisation's list is exhausted.", examples=[False])


class ConcernResolved(_ConcernEvent):
    """Published when a safeguarding lead resolves a concern."""

    source_service = "safeguarding"
    subject_field = "concern_id"

    decision: ConcernDecision = Field(description="What the lead decided.", examples=["resume"])
    resume: bool = Field(description="True when the match's contact resumes (no other open concern about it).",
                         examples=[True])
    suspended_person_id: Id | None = Field(default=None, description="With `suspend_person`: who is suspended.")


class PersonBlocked(Event):
    """Published when a person blocks another: their match ends and they are never matched again."""

    source_service = "safeguarding"
    subject_field = "block_id"

    block_id: Id = Field(description="The block.")
    person_id: Id = Field(description="Who blocked.")
    blocked_person_id: Id = Field(description="Who was blocked.")
    match_id: Id | None = Field(default=None, description="Their match, ended by the block.")
    mentor_id: Id | None = Field(default=None, description="The mentor of that match.")
    mentee_id: Id | None = Field(default=None, description="The mentee of that match.")


# -- subject access (issue 17): ids only; what an export holds never travels ---------------------


class DataExportRequested(Event):
    """Published when a person (or staff on their behalf) asks for a copy of everything ementor holds about them."""

    source_service = "safeguarding"
    subject_field = "export_id"

    export_id: Id = Field(description="The export.")
    person_id: Id = Field(description="Whose data it gathers.")
    on_behalf: bool = Field(default=False, description="True when staff asked on the person's behalf.",
                            examples=[False])


class DataExportReady(Event):
    """Published when every service has contributed its part and the archive can be downloaded."""

    source_service = "safeguarding"
    subject_field = "export_id"

    export_id: Id = Field(description="The export.")
    person_id: Id = Field(description="Whose data it holds.")
    services: list[str] = Field(default_factory=list, description="The services whose parts it holds.",
                                examples=[["profiles", "matching", "messaging"]])


class RetentionPeriodsChanged(Event):
    """Published when an organisation changes its retention periods; every service that deletes on a period
    keeps its own copy. Numbers only; a field left out keeps the documented default."""

    source_service = "safeguarding"
    subject_field = "organisation_id"

    organisation_id: Id = Field(description="The organisation.")
    messages_months_after_match_end: int | None = Field(default=None, description="Messages, after the match ends.",
                                                        examples=[12])
    notification_log_months: int | None = Field(default=None, description="The email and SMS log.", examples=[12])
    ended_session_months: int | None = Field(default=None, description="Video sessions, after they end.",
                                             examples=[12])
    webhook_delivery_days: int | None = Field(default=None, description="Copies of events sent to webhooks.",
                                              examples=[30])
    audit_years: int | None = Field(default=None, description="Audit logs.", examples=[6])
