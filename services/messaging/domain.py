"""Messaging rules that need neither nameko nor MongoDB: settings, rate limits, visibility, statistics.

Moderation (what holds a message) has its own module, moderation.py. Everything here is
deterministic and unit-tested directly (tests/unit/messaging).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime

MAX_BODY_CHARS = 4000
MAX_BLOCKED_WORDS = 500
MAX_BLOCKED_WORD_CHARS = 100
DEFAULT_MESSAGES_PER_MINUTE = 30
MAX_MESSAGES_PER_MINUTE = 600



# -- the organisation's settings -------------------------------------------------------------------
@dataclass(frozen=True)
class ModerationSettings:
    """An organisation's messaging settings (defaults for an organisation that never set any)."""

    blocked_words: tuple[str, ...] = ()
    hold_contact_details_for_adults: bool = True
    hold_links_for_adults: bool = False
    messages_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE


# -- rate limit ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RateLimit:
    """A token bucket of `per_minute` tokens refilled at `per_minute` a minute.

    Stored as GCRA: one "theoretical arrival time" (tat) per person. A message is allowed when
    tat <= now + (burst - 1) * interval; it moves tat to max(tat, now) + interval. That is the
    same bucket, in one number that a single conditional update can move atomically.
    """

    per_minute: int = DEFAULT_MESSAGES_PER_MINUTE

    @property
    def interval(self) -> float:
        return 60.0 / self.per_minute

    @property
    def burst(self) -> int:
        return self.per_minute

    def horizon(self, now: float) -> float:
        """The latest tat at which one more message is still allowed."""
        return now + (self.burst - 1) * self.interval

    def decide(self, tat: float | None, now: float) -> tuple[bool, float]:
        """(allowed, new tat) if allowed, else (False, seconds to wait)."""
        if tat is None or tat <= now:
            return True, now + self.interval
        if tat <= self.horizon(now):
            return True, tat + self.interval
        return False, tat - self.horizon(now)


def retry_after_seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


# -- visibility ---------------------------------------------------------------------------------
def visible_to(status: str, sender_id: str, *, viewer_person_id: str | None, coordinator: bool) -> bool:
    """Coordinators see everything; a sender sees their own messages in any state (held ones
    marked held); a recipient sees only what was delivered."""
    if coordinator:
        return True
    return status == "delivered" or sender_id == viewer_person_id


# -- statistics ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonStats:
    person_id: str
    delivered: int
    median_response_seconds: float | None


@dataclass(frozen=True)
class ConversationStats:
    people: tuple[PersonStats, ...]
    total_delivered: int
    median_response_seconds: float | None
    last_message_at: datetime | None
    days_since_last_message: float | None


def conversation_stats(messages: list[tuple[str, datetime]], participants: tuple[str, ...],
                       now: datetime) -> ConversationStats:
    """Statistics over delivered messages given as (sender_id, time it became visible).

    A response time is measured from the first message of one person's run of messages (when the
    other person first had something to answer) to the other person's next message. The first
    message of a conversation answers nothing, and a person adding to their own run is not
    responding. Medians are in seconds.
    """
    ordered = sorted(messages, key=lambda item: item[1])
    counts = {person: 0 for person in participants}
    responses: dict[str, list[float]] = {person: [] for person in participants}
    run_sender, run_started = None, None
    for sender, at in ordered:
        counts[sender] = counts.get(sender, 0) + 1
        if sender != run_sender:
            if run_sender is not None:
                responses.setdefault(sender, []).append((at - run_started).total_seconds())
            run_sender, run_started = sender, at
    everyone = [seconds for values in responses.values() for seconds in values]
    last = ordered[-1][1] if ordered else None
    return ConversationStats(
        people=tuple(
            PersonStats(person, counts.get(person, 0), _median(responses.get(person, [])))
            for person in counts
        ),
        total_delivered=len(ordered),
        median_response_seconds=_median(everyone),
        last_message_at=last,
        days_since_last_message=None if last is None else round((now - last).total_seconds() / 86400, 2),
    )


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def paused_for_consent(state: str) -> bool:
    """Whether a guardian consent state pauses a minor's conversations (not_required and granted do not)."""
    return state in ("pending", "declined", "withdrawn")
