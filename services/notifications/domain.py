"""Notification rules that need neither nameko nor MongoDB.

Who hears about which event, when an SMS may go out, how long to wait before trying again,
what counts as a permanent failure, and when an idle match deserves a nudge.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ementor_contracts import (
    COORDINATOR,
    Event,
    GoalCompleted,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    MessageHeld,
    MessageSent,
    RelationshipAtRisk,
    SessionCancelled,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
    SurveyRequested,
)

EMAIL, SMS = "email", "sms"

# The cause recorded for notifications that no event caused: the idle-match job.
NUDGE_CAUSE = "MatchIdle"
ESCALATION_CAUSE = "MatchIdleEscalated"


@dataclass(frozen=True)
class Notice:
    """One thing to tell one recipient (a person id, or the organisation's coordinator)."""

    recipient: str
    kind: str
    about: str | None = None  # the other person of the match, named as $other_name
    names: dict = field(default_factory=dict)  # more people it names: template value -> person id
    values: dict = field(default_factory=dict)  # template values taken from the event; never contact details

    @property
    def mentions(self) -> list[str]:
        """Every person the notice names besides its recipient (scrubbed when one is erased)."""
        return sorted({*([self.about] if self.about else []), *self.names.values()})

    @property
    def to_coordinator(self) -> bool:
        return self.recipient == COORDINATOR


class MissingMatch(LookupError):
    """A goal event for a match whose people this service has not learnt yet (MatchAccepted pending)."""


def pair_notices(kind: str, mentor_id: str, mentee_id: str, values: dict | None = None) -> list[Notice]:
    values = values or {}
    return [
        Notice(mentor_id, kind, about=mentee_id, values={**values, "other_role": "mentee"}),
        Notice(mentee_id, kind, about=mentor_id, values={**values, "other_role": "mentor"}),
    ]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def notices_for(event: Event, match_people: tuple[str, str] | None = None) -> list[Notice]:
    """What each recipient should be told about this event.

    `match_people` is (mentor_id, mentee_id) for events that name only the match (GoalCompleted).
    """
    if isinstance(event, MatchProposed):
        return pair_notices("match_proposed", event.mentor_id, event.mentee_id, {"match_id": event.match_id})
    if isinstance(event, MatchAccepted):
        return pair_notices("match_accepted", event.mentor_id, event.mentee_id, {"match_id": event.match_id})
    if isinstance(event, MatchDeclined):
        return pair_notices("match_declined", event.mentor_id, event.mentee_id,
                     {"match_id": event.match_id, "reason": event.reason})
    if isinstance(event, MatchEnded):
        return pair_notices("match_ended", event.mentor_id, event.mentee_id,
                     {"match_id": event.match_id, "reason": event.reason or ""})
    if isinstance(event, MessageSent):
        # Never the body: only that there is a message, and from whom.
        return [Notice(event.recipient_id, "message_received", about=event.sender_id, values={"match_id": event.match_id})]
    if isinstance(event, MessageHeld):
        return [Notice(COORDINATOR, "message_held",
                       names={"sender_name": event.sender_id, "receiver_name": event.recipient_id},
                       values={"match_id": event.match_id, "message_id": event.message_id,
                               "reasons": ", ".join(reason.replace("_", " ") for reason in event.reasons)})]
    if isinstance(event, SessionCancelled):
        return pair_notices("session_cancelled", event.mentor_id, event.mentee_id, {
            "match_id": event.match_id, "session_id": event.session_id, "starts_at": _iso(event.starts_at),
            "sequence": event.sequence, "reason": event.reason or ""})
    if isinstance(event, SessionRescheduled):
        return pair_notices("session_rescheduled", event.mentor_id, event.mentee_id, {
            "match_id": event.match_id, "session_id": event.session_id, "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at), "previous_starts_at": _iso(event.previous_starts_at),
            "sequence": event.sequence})
    if isinstance(event, SessionScheduled):
        return pair_notices("session_scheduled", event.mentor_id, event.mentee_id, {
            "match_id": event.match_id, "session_id": event.session_id, "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at), "sequence": event.sequence})
    if isinstance(event, SessionReminderDue):
        return pair_notices("session_reminder", event.mentor_id, event.mentee_id, {
            "match_id": event.match_id, "session_id": event.session_id, "starts_at": _iso(event.starts_at),
            "minutes_before": event.minutes_before})
    if isinstance(event, RelationshipAtRisk):  # insights saw the match going quiet: a nudge to the pair
        return pair_notices("relationship_at_risk", event.mentor_id, event.mentee_id, {"match_id": event.match_id})
    if isinstance(event, SurveyRequested):  # insights says a survey is due: one email to that participant
        return [Notice(event.person_id, "survey_requested", values={
            "survey_id": event.survey_id, "match_id": event.match_id, "moment": event.moment})]
    if isinstance(event, GoalCompleted):
        if match_people is None:
            raise MissingMatch(f"match {event.match_id} is not known yet")
        mentor_id, mentee_id = match_people
        return pair_notices("goal_completed", mentor_id, mentee_id, {"match_id": event.match_id, "goal_id": event.goal_id})
    return []


# -- which channels ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SmsPolicy:
    configured: bool  # the deployment has Twilio credentials and a sender
    allow_minors: bool  # the organisation allows SMS to people under 18


def channels_for(contact: dict, kind_has_sms: bool, policy: SmsPolicy) -> list[str]:
    """The channels a person should get a notice on, from their own preferences and the rules."""
    wanted = contact.get("channels") or {}
    channels = []
    if wanted.get("email", True) and contact.get("email"):
        channels.append(EMAIL)
    if sms_allowed(contact, policy) and kind_has_sms:
        channels.append(SMS)
    return channels


def sms_allowed(contact: dict, policy: SmsPolicy) -> bool:
    wanted = contact.get("channels") or {}
    if not (wanted.get("sms") and contact.get("phone") and policy.configured):
        return False
    return policy.allow_minors or not contact.get("is_minor", False)


# -- quiet hours ------------------------------------------------------------------------------
def _time_of_day(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_hours_end(now: datetime, timezone_name: str | None, start: str, end: str) -> datetime | None:
    """When the person's quiet hours end, in UTC, if `now` falls inside them; else None.

    Quiet hours are wall-clock times in the person's own time zone, e.g. 21:00 to 08:00 (over
    midnight) or 13:00 to 14:00. Equal start and end mean no quiet hours. Across a daylight
    saving change the end is still the local wall-clock time (08:00 is 08:00 on both sides).
    """
    begins, ends = _time_of_day(start), _time_of_day(end)
    if begins == ends:
        return None
    tz = zone(timezone_name)
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if begins < ends:
        if not begins <= clock < ends:
            return None
        end_day = local.date()
    else:
        if ends <= clock < begins:
            return None
        end_day = local.date() + timedelta(days=1) if clock >= begins else local.date()
    # A wall-clock end skipped by a spring-forward change resolves (fold=0) to just after the gap.
    return datetime.combine(end_day, ends, tzinfo=tz).astimezone(UTC)


# -- retries ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter for transient failures, up to `max_attempts` attempts."""

    base_seconds: float = 10.0
    cap_seconds: float = 900.0
    max_attempts: int = 15

    def delay(self, attempt: int, rand: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        "Equal jitter": half the exponential delay is fixed, the other half random, so retries of
        many deliveries that failed together spread out without any of them retrying at once.
        """
        exponential = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return exponential / 2 + (rand or random).uniform(0, exponential / 2)

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


@dataclass(frozen=True)
class AfterFailure:
    """Where a failed attempt leaves a delivery."""

    status: str  # "pending" (tried again at next_attempt_at) or "failed"
    next_attempt_at: datetime | None
    error: str
    permanent: bool


def after_failure(attempts: int, failure: SendFailure, policy: RetryPolicy, now: datetime) -> AfterFailure:
    """A permanent failure, or the last allowed attempt, fails the delivery; others wait and retry."""
    gives_up = not failure.permanent and policy.gives_up_after(attempts)
    error = f"gave up after {attempts} attempts: {failure.message}" if gives_up else failure.message
    if failure.permanent or gives_up:
        return AfterFailure("failed", None, error, True)
    return AfterFailure("pending", now + timedelta(seconds=policy.delay(attempts)), error, False)


# Twilio's message statuses in the order they happen; a report never moves a delivery backwards.
SMS_STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2, "delivered": 3,
                   "undelivered": 3, "failed": 3, "canceled": 3, "read": 4}


def after_sms_report(status: str, provider_status: str | None, reported: str) -> str | None:
    """The delivery's status once Twilio reports `reported`; None for an older report arriving late."""
    if SMS_STATUS_RANK.get(reported, -1) < SMS_STATUS_RANK.get(provider_status or "queued", 0):
        return None
    if reported in ("delivered", "read") and status == "sent":
        return "delivered"
    if reported in ("undelivered", "failed") and status in ("sent", "delivered"):
        return "failed"
    return status


class SendFailure(Exception):
    """A delivery attempt that did not go through; `permanent` ones are never retried."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def smtp_failure(code: int | None, message: str, *, recipient_or_content: bool) -> SendFailure:
    """Classify an SMTP failure.

    5xx replies to RCPT or DATA (no such mailbox, message refused) are permanent: retrying sends
    the same thing to the same answer. 4xx replies, lost connections and timeouts are transient.
    5xx replies to our own envelope or login (MAIL FROM, AUTH) are a deployment problem, not the
    recipient's: retried, so the mail goes out once an operator fixes the configuration.
    """
    text = redact(f"SMTP {code}: {message}" if code else message)
    permanent = bool(code and 500 <= code < 600 and recipient_or_content)
    return SendFailure(text, permanent)


def twilio_failure(status: int | None, code: int | None, message: str) -> SendFailure:
    """Classify a Twilio API failure: 4xx is permanent (bad number, unsubscribed), except 429."""
    text = redact(f"Twilio {status}" + (f" error {code}" if code else "") + f": {message}")
    permanent = status is not None and 400 <= status < 500 and status != 429
    return SendFailure(text, permanent)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")


def redact(text: str) -> str:
    """Remove email addresses and phone numbers from an error text before it is stored or published."""
    return _PHONE.sub("<phone>", _EMAIL.sub("<email>", text))[:500]


# -- idempotency keys ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NoticeWindow:
    """The window of `minutes` a new message falls in, as cause ids: one "new message" notice per
    conversation, person and window (the unique delivery index keeps it to one)."""

    match_id: str
    minutes: int
    index: int

    @classmethod
    def of(cls, match_id: str, at: datetime, minutes: int) -> NoticeWindow:
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        return cls(match_id, minutes, int(at.timestamp() // (minutes * 60)))

    @property
    def cause_id(self) -> str:
        return f"messages:{self.match_id}:{self.minutes}m:{self.index}"

    @property
    def next(self) -> NoticeWindow:
        return NoticeWindow(self.match_id, self.minutes, self.index + 1)

    @property
    def starts_at(self) -> datetime:
        return datetime.fromtimestamp(self.index * self.minutes * 60, UTC)


def nudge_cause_id(match_id: str, idle_since: datetime, escalation: bool = False) -> str:
    """A stable cause id for the nudge of one idle spell of a match: a re-run of the job cannot nudge twice."""
    stamp = int(idle_since.astimezone(UTC).timestamp())
    return f"{'escalation' if escalation else 'nudge'}:{match_id}:{stamp}"


# -- nudges -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class IdleMatch:
    idle_since: datetime  # acceptance or last message, whichever is later
    nudged_for: datetime | None = None  # the idle_since of the spell already nudged
    nudged_at: datetime | None = None
    escalated_for: datetime | None = None


def nudge_step(match: IdleMatch, now: datetime, nudge_after_days: int, escalate_after_days: int) -> str | None:
    """"nudge" both people, "escalate" to the coordinator, or None.

    A match that has been quiet for `nudge_after_days` gets one friendly nudge per quiet spell;
    if it is still quiet `escalate_after_days` after the nudge, the coordinator is told once.
    A message starts a new spell. `nudge_after_days` of 0 turns nudges off.
    """
    if nudge_after_days <= 0:
        return None
    if match.nudged_for != match.idle_since:
        return "nudge" if now - match.idle_since >= timedelta(days=nudge_after_days) else None
    if match.escalated_for == match.idle_since or match.nudged_at is None:
        return None
    return "escalate" if now - match.nudged_at >= timedelta(days=escalate_after_days) else None
