"""Relationship health: a score per active match from its signals, with its reasons as codes and in words.

The score starts at 100 and loses points for each warning sign. Only silence grows with time
alone, and it only lowers the score, so the moment a match will cross the at-risk line is
known in advance (`risk_at`): the at-risk list is an indexed query on it, never a re-scoring
of every match. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ementor_contracts import HealthReason

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
class Reason:
    """A reason as a code and its figures (HealthReason on the wire), and the same in English."""

    code: str
    text: str
    figures: dict = field(default_factory=dict)

    def contract(self) -> HealthReason:
        return HealthReason(code=self.code, figures=self.figures)


@dataclass(frozen=True)
class Health:
    score: int
    because: list[Reason]
    days_since_last_exchange: int | None

    @property
    def reasons(self) -> list[str]:
        return [reason.text for reason in self.because]

    @property
    def reason_codes(self) -> list[HealthReason]:
        return [reason.contract() for reason in self.because]

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
        days = int(quiet_days)
        reasons.append(Reason("quiet", f"No message for {days} days", {"days": days}) if signals.last_message_at
                       else Reason("quiet_since_start", f"No message since the match started {days} days ago",
                                   {"days": days}))
    if messages >= 1 and signals.count("replies") == 0 and _days(now - since) > NO_REPLY_AFTER_DAYS:
        score -= 15
        reasons.append(Reason("no_reply", "The first message has had no reply"))
    mentor, mentee = signals.count("mentor_messages"), signals.count("mentee_messages")
    if mentor + mentee >= 6:
        share = min(mentor, mentee) / (mentor + mentee)
        if share < 0.2:
            quieter, percent = ("mentee" if mentee < mentor else "mentor"), round(share * 100)
            score -= 15
            reasons.append(Reason("one_sided", f"One-sided: the {quieter} writes only {percent}% of the messages",
                                  {"quieter": quieter, "percent": percent}))
    replies = signals.count("replies")
    if replies >= 3:
        typical_days = signals.count("reply_seconds") / replies / 86400
        if typical_days > 3:
            score -= 10
            reasons.append(Reason("slow_replies", f"Replies take {typical_days:.1f} days on average",
                                  {"days": round(typical_days, 1)}))
    cancelled, due = signals.count("sessions_cancelled"), signals.count("sessions_due")
    if cancelled >= 2 and cancelled > due:
        score -= 10
        reasons.append(Reason("sessions_cancelled", f"{int(cancelled)} sessions cancelled, {int(due)} kept",
                              {"cancelled": int(cancelled), "kept": int(due)}))
    unanswered = int(signals.count("nudges_sent") - signals.count("nudges_followed"))
    if unanswered >= 1:
        score -= 10
        reasons.append(Reason("reminders_unanswered",
                              f"{unanswered} reminder(s) to the pair had no reply within a week",
                              {"reminders": unanswered}))
    if signals.count("goals_completed") >= 1:
        score += 5
    if due >= 1:
        score += 5
    days_since = int(_days(now - signals.last_message_at)) if signals.last_message_at else None
    return Health(score=int(max(0, min(100, round(score)))),
                  because=reasons or [Reason("talking_regularly", "Talking regularly")],
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
