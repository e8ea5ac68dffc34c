"""Events published by the notifications service. They name the person, never the address."""

from __future__ import annotations

from pydantic import Field

from ..base import Event
from .common import Channel, Id


class _NotificationEvent(Event):
    # Not registered: which notification, to whom, and which event caused it.
    notification_id: Id = Field(description="The notification (one delivery to one person on one channel).")
    person_id: Id = Field(description="The person notified.")
    channel: Channel = Field(description="The channel it went out on.")
    cause_event_id: Id = Field(description=(
        "The CloudEvents `id` of the event that caused it; for new messages, the conversation's notice window "
        "(`messages:{match_id}:{minutes}m:{n}`: one notice tells of every message in it), and for a nudge "
        "`nudge:{match_id}:{quiet since}`."))
    cause_event_type: str = Field(
        description="The CloudEvents `type` of the event that caused it.", examples=["MatchProposed"]
    )


class NotificationSent(_NotificationEvent):
    """Published when a notification has been handed to the email or SMS provider."""

    source_service = "notifications"
    subject_field = "notification_id"


class NotificationFailed(_NotificationEvent):
    """Published when a delivery attempt fails; `permanent` tells whether it will be retried."""

    source_service = "notifications"
    subject_field = "notification_id"

    error: str = Field(
        description="What went wrong, with any contact details redacted.",
        examples=["SMTP 451: temporary local problem"],
    )
    permanent: bool = Field(description="True when it will not be retried.")
