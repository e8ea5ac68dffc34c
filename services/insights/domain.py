"""Projection rules: how each fact (a message, a session, a match...) adds to the counters.

Every fact insights learns from an event is kept as a small state (merged by rules that give the
same result whatever the order and however often an event comes), and each state *contributes*
amounts to counters: `scope|period|name`, where scope is `org`, `p:<programme>` (or `p:none`) or
`m` (the match's own totals), and period a week (its Monday) or `all`. On every change the
difference between the new and the stored contributions is applied, so a replay adds nothing
and a late event only corrects what it changes. Pure: no database, no broker.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

ALL = "all"
ORG = "org"
MATCH = "m"
NO_PROGRAMME = "none"
# Reply-time histogram bounds (hours): a typical (median) time comes from the histogram.
REPLY_BUCKETS_HOURS = (1, 6, 24, 72, 168)
NUDGE_FOLLOW_DAYS = 7


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def parse_time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return aware(value)
    return datetime.fromisoformat(value)


def iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None


def week_of(at: datetime) -> str:
    day = aware(at).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def weeks_between(start: date, end: date) -> list[str]:
    first = start - timedelta(days=start.weekday())
    weeks, day = [], first
    while day <= end:
        weeks.append(day.isoformat())
        day += timedelta(days=7)
    return weeks


def key(scope: str, period: str, name: str) -> str:
    return f"{scope}|{period}|{name}"


def scopes(programme: str | None) -> list[str]:
    """Organisation-wide always; the programme's too once the match's programme is known."""
    if programme is None:
        return [ORG]
    return [ORG, f"p:{programme or NO_PROGRAMME}"]


def reply_bucket(seconds: float) -> str:
    for hours in REPLY_BUCKETS_HOURS:
        if seconds <= hours * 3600:
            return f"reply_le_{hours}h"
    return "reply_gt_168h"


def diff(old: dict, new: dict) -> dict[str, float]:
    """What to add to the counters to move from the old contributions to the new ones."""
    delta = Counter(new)
    delta.subtract(old or {})
    return {k: v for k, v in delta.items() if v}


# -- merging states (commutative, idempotent) -------------------------------------------------
def earliest(a, b):
    a, b = parse_time(a), parse_time(b)
    if a is None or b is None:
        return a or b
    return min(a, b)


def merge(old: dict, new: dict, rules: dict[str, str]) -> dict:
    """Fields merged by rule: `min` time, `max` time, `first` value seen, `or`, `union` list, `seq`
    (a dict with `seq`: the highest sequence wins), `latest` (a dict with `at`: the latest said wins)."""
    merged = dict(old)
    for name, value in new.items():
        if value is None:
            continue
        rule, current = rules.get(name, "first"), merged.get(name)
        if current is None:
            merged[name] = value
        elif rule == "min":
            merged[name] = iso(earliest(current, value))
        elif rule == "max":
            merged[name] = iso(max(parse_time(current), parse_time(value)))
        elif rule == "or":
            merged[name] = bool(current) or bool(value)
        elif rule == "union":
            merged[name] = sorted(set(current) | set(value))
        elif (rule == "seq" and value["seq"] > current["seq"]) or (
                rule == "latest" and parse_time(value["at"]) > parse_time(current["at"])):
            merged[name] = value
    return merged


MATCH_RULES = {"proposed_at": "min", "accepted_at": "min", "ended_at": "min", "declined_at": "min"}
PERSON_RULES = {"registered_at": "min", "matched_at": "min", "active_at": "min", "ended_at": "min",
                "locale": "latest"}
SESSION_RULES = {"timing": "seq", "cancelled": "or", "reschedules": "union"}
GOAL_RULES = {"set_at": "min", "completed_at": "min"}
HELD_RULES = {"held_at": "min", "decided_at": "min"}
NUDGE_RULES = {"at": "min", "followed_at": "min"}


def normalise_times(state: dict) -> dict:
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in state.items()}


# -- contributions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MessageFacts:
    """One delivered message placed in its conversation (from its predecessors in time)."""

    at: datetime
    sender_role: str | None  # "mentor" / "mentee" once the match is known
    reply_seconds: float | None  # time since the other person's last message, when it is a turn
    first_response_seconds: float | None  # set on the conversation's first reply only
    topics: tuple[str, ...] = ()


def place_messages(messages: list[tuple[datetime, str, str]]) -> list[tuple[float | None, float | None]]:
    """For (at, sender, id) in time order: each message's (reply_seconds, first_response_seconds)."""
    placed, previous, first_reply_seen = [], None, False
    first_at = messages[0][0] if messages else None
    for at, sender, _ in messages:
        reply = first = None
        if previous is not None and previous[1] != sender:
            reply = max(0.0, (at - previous[0]).total_seconds())
            if not first_reply_seen:
                first_reply_seen = True
                first = max(0.0, (at - first_at).total_seconds())
        placed.append((reply, first))
        previous = (at, sender)
    return placed


def message_contributions(facts: MessageFacts, programme: str | None) -> dict[str, float]:
    out: Counter = Counter()
    week = week_of(facts.at)
    for scope in scopes(programme):
        out[key(scope, week, "messages")] += 1  # reports sum weeks: no all-time total to keep up
        if facts.reply_seconds is not None:
            out[key(scope, week, "replies")] += 1
            out[key(scope, week, "reply_seconds")] += facts.reply_seconds
            out[key(scope, week, reply_bucket(facts.reply_seconds))] += 1
        if facts.first_response_seconds is not None:
            out[key(scope, week, "first_responses")] += 1
            out[key(scope, week, "first_response_seconds")] += facts.first_response_seconds
        for topic in facts.topics:
            out[key(scope, week, f"topic_messages:{topic}")] += 1
    out[key(MATCH, ALL, "messages")] += 1
    if facts.sender_role:
        out[key(MATCH, ALL, f"{facts.sender_role}_messages")] += 1
    if facts.reply_seconds is not None:
        out[key(MATCH, ALL, "replies")] += 1
        out[key(MATCH, ALL, "reply_seconds")] += facts.reply_seconds
    if facts.first_response_seconds is not None:
        out[key(MATCH, ALL, "first_response_seconds")] += facts.first_response_seconds
    return dict(out)


def topic_conversation_contributions(topic: str, period: str, programme: str | None) -> dict[str, float]:
    """A conversation that touched a topic (in a week, or ever): counted once, for k-anonymity."""
    return {key(scope, period, f"topic_conversations:{topic}"): 1 for scope in scopes(programme)}


def match_contributions(state: dict, programme: str | None) -> dict[str, float]:
    out: Counter = Counter()
    proposed, accepted = parse_time(state.get("proposed_at")), parse_time(state.get("accepted_at"))
    ended, declined = parse_time(state.get("ended_at")), parse_time(state.get("declined_at"))
    for scope in scopes(programme):
        if proposed:
            out[key(scope, week_of(proposed), "matches_proposed")] += 1
        if accepted:
            out[key(scope, week_of(accepted), "matches_started")] += 1
            out[key(scope, ALL, "matches_active")] += 0 if ended else 1
            if proposed:
                out[key(scope, week_of(accepted), "proposal_to_start_seconds")] += (accepted - proposed).total_seconds()
        if ended:
            out[key(scope, week_of(ended), "matches_ended")] += 1
            if accepted:
                out[key(scope, week_of(ended), "active_seconds")] += max(0.0, (ended - accepted).total_seconds())
        if declined:
            out[key(scope, week_of(declined), "matches_declined")] += 1
    return {k: v for k, v in out.items() if v}


STAGES = (("registered_at", "matched_at", "registered"), ("matched_at", "active_at", "matched"),
          ("active_at", "ended_at", "active"))


def person_contributions(state: dict) -> dict[str, float]:
    """The funnel, by the week a person registered (a cohort): reached stages and time in each."""
    registered = parse_time(state.get("registered_at"))
    role = state.get("role")
    if registered is None or role not in ("mentor", "mentee"):
        return {}
    out: Counter = Counter()
    cohort = week_of(registered)
    for scope in scopes(state.get("programme") or ""):
        out[key(scope, cohort, f"funnel_registered_{role}")] += 1
        for start, end, stage in STAGES:
            began, finished = parse_time(state.get(start)), parse_time(state.get(end))
            if finished is not None:
                out[key(scope, cohort, f"funnel_{end[:-3]}_{role}")] += 1
                if began is not None:
                    out[key(scope, cohort, f"stage_{stage}_seconds_{role}")] += max(0.0, (finished - began).total_seconds())
                    out[key(scope, cohort, f"stage_{stage}_count_{role}")] += 1
    return dict(out)


def session_contributions(state: dict, programme: str | None) -> dict[str, float]:
    timing = state.get("timing")
    if not timing:
        return {}
    starts, ends = parse_time(timing["starts_at"]), parse_time(timing["ends_at"])
    cancelled, reschedules = bool(state.get("cancelled")), len(state.get("reschedules") or [])
    out: Counter = Counter()
    for scope in scopes(programme):
        out[key(scope, week_of(starts), "sessions_scheduled")] += 1
        out[key(scope, week_of(starts), "sessions_rescheduled")] += reschedules
        out[key(scope, week_of(ends), "sessions_cancelled" if cancelled else "sessions_due")] += 1
    out[key(MATCH, ALL, "sessions_scheduled")] += 1
    out[key(MATCH, ALL, "sessions_cancelled" if cancelled else "sessions_due")] += 1
    return {k: v for k, v in out.items() if v}


def goal_contributions(state: dict, programme: str | None) -> dict[str, float]:
    out: Counter = Counter()
    for field, name in (("set_at", "goals_set"), ("completed_at", "goals_completed")):
        at = parse_time(state.get(field))
        if at is not None:
            for scope in scopes(programme):
                out[key(scope, week_of(at), name)] += 1
            out[key(MATCH, ALL, name)] += 1
    return dict(out)


def held_contributions(state: dict, programme: str | None) -> dict[str, float]:
    """Moderation load (held messages per week) and the time a coordinator took to decide."""
    held, decided = parse_time(state.get("held_at")), parse_time(state.get("decided_at"))
    out: Counter = Counter()
    for scope in scopes(programme):
        if held:
            out[key(scope, week_of(held), "moderation_held")] += 1
        if decided:
            out[key(scope, week_of(decided), "moderation_decided")] += 1
            out[key(scope, week_of(decided), f"moderation_{state.get('decision')}")] += 1
            if held:
                out[key(scope, week_of(decided), "decision_seconds")] += max(0.0, (decided - held).total_seconds())
        elif held:
            out[key(scope, ALL, "moderation_pending")] += 1
    return dict(out)


def nudge_contributions(state: dict, programme: str | None) -> dict[str, float]:
    at = parse_time(state.get("at"))
    if at is None:
        return {}
    followed = state.get("followed_at") is not None
    out: Counter = Counter()
    for scope in scopes(programme):
        out[key(scope, week_of(at), "nudges_sent")] += 1
        out[key(scope, week_of(at), "nudges_followed")] += int(followed)
    out[key(MATCH, ALL, "nudges_sent")] += 1
    out[key(MATCH, ALL, "nudges_followed")] += int(followed)
    return {k: v for k, v in out.items() if v}


def follows_nudge(nudge_at: datetime, message_at: datetime) -> bool:
    return nudge_at <= message_at <= nudge_at + timedelta(days=NUDGE_FOLLOW_DAYS)
