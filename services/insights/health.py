"""Relationship health: a score per active match from its signals, with its reasons in words.

The score starts at 100 and loses points for each warning sign. Only silence grows with time
alone, and it only lowers the score, so the moment a match will cross the at-risk line is
known in advance (`risk_at`): the at-risk list is an indexed query on it, never a re-scoring
of every match. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_THRESHOLD = 50
QUIET_GRACE_DAYS = 7  # a week without a message is normal
QUIET_POINTS_PER_DAY = 4
QUIET_MAX_POINTS = 70
NO_REPLY_AFTER_DAYS = 5
HORIZON = timedelta(days=60)


@dataclass(frozen=True)
class Signals:
    accepted_at: datetime
    last_message_at: datetime | None
    counters: dict = field(default_factory=dict)

    def count(self, name: str) -> float:
        return float(self.counters.get(name, 0) or 0)


@dataclass(frozen=True)
class Health:
    score: int
    reasons: list[str]
    days_since_last_exchange: int | None

    def at_risk(self, threshold: int = DEFAULT_THRESHOLD) -> bool:
        return self.score < threshold


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def assess(signals: Signals, now: datetime) -> Health:
    score, reasons = 100.0, []
    messages = signals.count("messages")
    since = signals.last_message_at or signals.accepted_at
    quiet_days = max(0.0, _days(now - since))
    if quiet_days > QUIET_GRACE_DAYS:
        score -= min(QUIET_MAX_POINTS, (quiet_days - QUIET_GRACE_DAYS) * QUIET_POINTS_PER_DAY)
        reasons.append(f"No message for {int(quiet_days)} days" if signals.last_message_at
                       else f"No message since the match started {int(quiet_days)} days ago")
    if messages >= 1 and signals.count("replies") == 0 and _days(now - since) > NO_REPLY_AFTER_DAYS:
        score -= 15
        reasons.append("The first message has had no reply")
    mentor, mentee = signals.count("mentor_messages"), signals.count("mentee_messages")
    if mentor + mentee >= 6:
        share = min(mentor, mentee) / (mentor + mentee)
        if share < 0.2:
            quieter = "mentee" if mentee < mentor else "mentor"
            score -= 15
            reasons.append(f"One-sided: the {quieter} writes only {round(share * 100)}% of the messages")
    replies = signals.count("replies")
    if replies >= 3:
        typical_days = signals.count("reply_seconds") / replies / 86400
        if typical_days > 3:
            score -= 10
            reasons.append(f"Replies take {typical_days:.1f} days on average")
    cancelled, due = signals.count("sessions_cancelled"), signals.count("sessions_due")
    if cancelled >= 2 and cancelled > due:
        score -= 10
        reasons.append(f"{int(cancelled)} sessions cancelled, {int(due)} kept")
    unanswered = signals.count("nudges_sent") - signals.count("nudges_followed")
    if unanswered >= 1:
        score -= 10
        reasons.append(f"{int(unanswered)} reminder(s) to the pair had no reply within a week")
    if signals.count("goals_completed") >= 1:
        score += 5
    if due >= 1:
        score += 5
    days_since = int(_days(now - signals.last_message_at)) if signals.last_message_at else None
    return Health(score=int(max(0, min(100, round(score)))), reasons=reasons or ["Talking regularly"],
                  days_since_last_exchange=days_since)


def risk_at(signals: Signals, now: datetime, threshold: int = DEFAULT_THRESHOLD) -> datetime | None:
    """The first moment (from now on, within the horizon) the score is below the threshold; the
    score only falls as time passes without news, so a binary search finds it."""
    if assess(signals, now).at_risk(threshold):
        return now
    low, high = now, now + HORIZON
    if not assess(signals, high).at_risk(threshold):
        return None
    while high - low > timedelta(minutes=10):
        middle = low + (high - low) / 2
        if assess(signals, middle).at_risk(threshold):
            high = middle
        else:
            low = middle
    return high
