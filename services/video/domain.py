"""Session rules that need neither nameko nor MongoDB: slots, limits, time zones, reminders.

Everything here is plain Python over aware datetimes, unit-tested directly. Times are UTC
inside the service; a viewer's time zone only changes how a time is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Bounds no organisation setting can go beyond.
HARD_MIN_DURATION = 5
HARD_MAX_DURATION = 8 * 60
HARD_MAX_OFFSET = 7 * 24 * 60
MAX_REMINDERS = 5
MAX_DAYS_AHEAD = 366

DEFAULT_REMINDER_OFFSETS = (24 * 60, 60, 15)

# A booking entry whose session cannot be found (a crashed request) is ignored after this.
STALE_HOLD_AFTER = timedelta(minutes=2)
# Past bookings are pruned from a person's calendar after this.
KEEP_PAST_BOOKINGS = timedelta(days=1)

_TIMEZONES = available_timezones()


class InvalidSession(ValueError):
    """A value the caller must correct (422); `field` names it."""

    def __init__(self, message: str, field: str | None = None, code: str = "validation_failed"):
        super().__init__(message)
        self.field = field
        self.code = code


class SessionStateError(ValueError):
    """The session's current state forbids the change (409); `code` says why."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


# A match only moves forward through these (a late MatchAccepted cannot revive an ended match).
MATCH_STATUSES = {"proposed": 0, "active": 1, "declined": 2, "ended": 3}


# -- organisation limits ----------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    min_duration_minutes: int = 15
    max_duration_minutes: int = 180
    max_days_ahead: int = 365
    reminder_offsets_minutes: tuple[int, ...] = DEFAULT_REMINDER_OFFSETS

    def __post_init__(self):
        if not HARD_MIN_DURATION <= self.min_duration_minutes <= self.max_duration_minutes <= HARD_MAX_DURATION:
            raise InvalidSession(
                f"durations must satisfy {HARD_MIN_DURATION} <= min_duration_minutes <= max_duration_minutes"
                f" <= {HARD_MAX_DURATION}", "min_duration_minutes",
            )
        if not 1 <= self.max_days_ahead <= MAX_DAYS_AHEAD:
            raise InvalidSession(f"max_days_ahead must be between 1 and {MAX_DAYS_AHEAD}", "max_days_ahead")
        object.__setattr__(self, "reminder_offsets_minutes", normalise_offsets(self.reminder_offsets_minutes))


def normalise_offsets(offsets) -> tuple[int, ...]:
    """Reminder offsets as distinct whole minutes, largest first."""
    values = tuple(sorted(set(offsets), reverse=True))
    if len(values) > MAX_REMINDERS:
        raise InvalidSession(f"at most {MAX_REMINDERS} reminder offsets", "reminder_offsets_minutes")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= HARD_MAX_OFFSET:
            raise InvalidSession(
                f"each reminder offset must be a whole number of minutes from 1 to {HARD_MAX_OFFSET}",
                "reminder_offsets_minutes",
            )
    return values


# -- slots ------------------------------------------------------------------------------------
def utc(value: datetime) -> datetime:
    """An aware datetime in UTC, to the second (what calendars keep)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidSession("times must carry a UTC offset, e.g. 2025-03-04T16:00:00+00:00", "starts_at")
    try:
        return value.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        raise InvalidSession("starts_at is out of range", "starts_at") from None


def check_slot(starts_at: datetime, duration_minutes: int, now: datetime, limits: Limits) -> tuple[datetime, datetime]:
    """Validate a requested slot; return (starts_at, ends_at) in UTC."""
    start = utc(starts_at)
    if not limits.min_duration_minutes <= duration_minutes <= limits.max_duration_minutes:
        raise InvalidSession(
            f"duration_minutes must be between {limits.min_duration_minutes} and {limits.max_duration_minutes}"
            " in this organisation", "duration_minutes", code="duration_out_of_range",
        )
    if start <= now:
        raise InvalidSession("starts_at is in the past: a session must start in the future", "starts_at",
                             code="starts_in_past")
    if start > now + timedelta(days=limits.max_days_ahead):
        raise InvalidSession(f"starts_at is more than {limits.max_days_ahead} days ahead", "starts_at",
                             code="starts_too_far_ahead")
    return start, start + timedelta(minutes=duration_minutes)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: a session ending at 17:00 and one starting at 17:00 do not clash."""
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class Booking:
    """One entry in a person's calendar: a session holding a slot."""

    session_id: str
    starts_at: datetime
    ends_at: datetime
    held_at: datetime


class SlotTaken(Exception):
    def __init__(self, conflicts: list[Booking]):
        super().__init__(f"slot taken by {', '.join(b.session_id for b in conflicts)}")
        self.conflicts = conflicts


def place_booking(bookings: list[Booking], new: Booking, now: datetime, drop: frozenset[str] = frozenset(),
                  keep_own: bool = False) -> list[Booking]:
    """The calendar with `new` in it, or SlotTaken.

    The session's own entries never clash with it. They are replaced, or with `keep_own` kept
    alongside until the move is saved (so a move that dies half-way still guards the old slot).
    Entries in `drop` (found stale) and entries long over are removed on the way.
    """
    kept = [
        b for b in bookings
        if (keep_own or b.session_id != new.session_id) and b.session_id not in drop
        and b.ends_at > now - KEEP_PAST_BOOKINGS and b != new
    ]
    clashes = [b for b in kept
               if b.session_id != new.session_id and overlaps(b.starts_at, b.ends_at, new.starts_at, new.ends_at)]
    if clashes:
        raise SlotTaken(clashes)
    return sorted([*kept, new], key=lambda b: (b.starts_at, b.session_id))


def remove_booking(bookings: list[Booking], session_id: str) -> list[Booking]:
    return [b for b in bookings if b.session_id != session_id]


def is_stale_hold(entry: Booking, session: SessionFacts | None, now: datetime) -> bool:
    """A calendar entry that no longer matches its session (a request died half-way)."""
    if now - entry.held_at < STALE_HOLD_AFTER:
        return False  # may belong to a request still in flight
    if session is None or session.status != "scheduled":
        return True
    return (session.starts_at, session.ends_at) != (entry.starts_at, entry.ends_at)


# -- session state ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionFacts:
    """What the rules need to know about a session."""

    status: str  # "scheduled" | "cancelled"
    starts_at: datetime
    ends_at: datetime
    sequence: int = 0


def check_reschedulable(session: SessionFacts, now: datetime) -> None:
    if session.status == "cancelled":
        raise SessionStateError("the session was cancelled; schedule a new one instead", "session_cancelled")
    if session.starts_at <= now:
        raise SessionStateError("the session has already started and can no longer be moved", "session_started")


def check_cancellable(session: SessionFacts, now: datetime) -> None:
    if session.status == "cancelled":
        raise SessionStateError("the session is already cancelled", "session_cancelled")
    if session.ends_at <= now:
        raise SessionStateError("the session is over and can no longer be cancelled", "session_over")


def rescheduled(session: SessionFacts, starts_at: datetime, ends_at: datetime) -> SessionFacts:
    return replace(session, starts_at=starts_at, ends_at=ends_at, sequence=session.sequence + 1)


def moving(sequence: int, starts_at: datetime, ends_at: datetime, duration_minutes: int, now: datetime) -> dict:
    """The fields a reschedule sets: new times, the next SEQUENCE, reminders to plan again."""
    return {"starts_at": starts_at, "ends_at": ends_at, "duration_minutes": duration_minutes,
            "sequence": sequence + 1, "updated_at": now, "reminders_pending": True}


def cancelling(sequence: int, by: str, reason: str | None, now: datetime) -> dict:
    """The fields a cancellation sets; the link dies with the session, and its reminders."""
    return {"status": "cancelled", "sequence": sequence + 1, "updated_at": now, "cancelled_at": now,
            "cancelled_by": by, "cancel_reason": reason, "room": None, "reminders_pending": False}


# -- time zones -------------------------------------------------------------------------------
def zone(name: str) -> ZoneInfo:
    if name not in _TIMEZONES:
        raise InvalidSession(f"time zone {name!r} is not an IANA time zone name such as 'Europe/London'",
                             "timezone", code="unknown_timezone")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # pragma: no cover - listed but not loadable
        raise InvalidSession(f"time zone {name!r} is not available", "timezone", code="unknown_timezone") from None


def zone_or_utc(name: str | None) -> tuple[str, ZoneInfo | timezone]:
    """The viewer's zone from their profile; a missing or unknown one shows UTC."""
    if name:
        try:
            return name, zone(name)
        except InvalidSession:
            pass
    return "UTC", UTC


def aware(value: datetime | None) -> datetime | None:
    """A stored time as timezone-aware UTC (MongoDB hands back naive UTC)."""
    return in_zone(value, UTC) if value is not None else None


def session_facts(session) -> SessionFacts:
    """The facts the rules need, read from a stored session."""
    return SessionFacts(session.status, aware(session.starts_at), aware(session.ends_at), session.sequence)


def in_zone(value: datetime, tz) -> datetime:
    """A stored UTC time as the viewer reads it: same instant, their local offset."""
    if value.tzinfo is None:  # values read back from some drivers are naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


# -- reminders --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedReminder:
    offset_minutes: int
    due_at: datetime


def reminder_plan(starts_at: datetime, offsets_minutes, now: datetime) -> list[PlannedReminder]:
    """The reminders still ahead for a session starting at `starts_at`.

    A reminder whose moment has already passed when the session is booked (or moved) is not
    planned: the person has just seen the booking, and a burst of late reminders is noise.
    """
    plan = []
    for offset in sorted(set(offsets_minutes), reverse=True):
        due = starts_at - timedelta(minutes=offset)
        if due > now:
            plan.append(PlannedReminder(offset, due))
    return plan


@dataclass(frozen=True)
class DueReminder:
    key: str
    session_key: tuple  # (tenant_id, session_id, sequence)
    offset_minutes: int
    starts_at: datetime


def choose_reminders(due: list[DueReminder], now: datetime) -> tuple[list[DueReminder], list[DueReminder]]:
    """Split due reminders into (to fire, to skip).

    After an outage several reminders of one session can be due at once: only the closest to
    the start is sent (a "24 hours before" message half an hour before is wrong). Reminders for
    a session that has already started are skipped.
    """
    fire, skip = [], []
    by_session: dict[tuple, list[DueReminder]] = {}
    for reminder in due:
        by_session.setdefault(reminder.session_key, []).append(reminder)
    for reminders in by_session.values():
        reminders.sort(key=lambda r: r.offset_minutes)
        first, rest = reminders[0], reminders[1:]
        if first.starts_at <= now:
            skip.extend(reminders)
        else:
            fire.append(first)
            skip.extend(rest)
    return fire, skip


def paused_for_consent(state: str) -> bool:
    """Whether a guardian consent state pauses a minor's matches (not_required and granted do not)."""
    return state in ("pending", "declined", "withdrawn")
