"""Reports from the counters: an overview with chart-ready weekly series, and the export tables.

Everything here reads buckets (one per scope and week), never facts: a report over W weeks
costs W+1 bucket reads, whatever the size of the history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from . import domain

MAX_RANGE_DAYS = 5 * 366
DEFAULT_WEEKS = 12
K_ANONYMITY = 5  # a topic figure is shown only over at least this many conversations

SERIES = (
    ("messages", "Messages", "messages"),
    ("replies", "Replies (turns taken)", "messages"),
    ("average_reply_hours", "Average reply time", "hours"),
    ("average_first_response_hours", "Average first response", "hours"),
    ("matches_started", "Matches started", "matches"),
    ("matches_ended", "Matches ended", "matches"),
    ("sessions_scheduled", "Sessions scheduled", "sessions"),
    ("sessions_held", "Sessions held", "sessions"),
    ("sessions_cancelled", "Sessions cancelled", "sessions"),
    ("goals_set", "Goals set", "goals"),
    ("goals_completed", "Goals completed", "goals"),
    ("nudges_sent", "Nudges sent", "nudges"),
    ("nudges_followed", "Nudges followed by a message within a week", "nudges"),
    ("moderation_held", "Messages held for moderation", "messages"),
    ("average_decision_hours", "Average time to a moderation decision", "hours"),
    ("articles_read", "Articles read (first opens)", "reads"),
    ("questions_asked", "Questions asked of the library", "questions"),
    ("questions_answered", "Questions the library answered", "questions"),
)
TOP_ARTICLES = 20
REPLY_LABELS = {f"reply_le_{h}h": f"within {h} h" for h in domain.REPLY_BUCKETS_HOURS} | {
    "reply_gt_168h": "over 168 h"}


class BadRange(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def date_range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    start = start or end - timedelta(weeks=DEFAULT_WEEKS)
    if start > end:
        raise BadRange("from", f"`from` ({start}) is after `to` ({end}); swap them")
    if (end - start).days > MAX_RANGE_DAYS:
        raise BadRange("to", f"the range spans {(end - start).days} days; at most five years ({MAX_RANGE_DAYS} days)")
    return start, end


def _ratio(a: float, b: float, scale: float = 1.0) -> float | None:
    return round(a / b / scale, 2) if b else None


def week_values(counters: dict, week: str, today: date) -> dict[str, float | None]:
    """One week's chart values from its counters (held sessions only for weeks that are over)."""
    c = lambda name: float(counters.get(name, 0) or 0)
    over = date.fromisoformat(week) + timedelta(days=7) <= today
    return {
        "messages": c("messages"), "replies": c("replies"),
        "average_reply_hours": _ratio(c("reply_seconds"), c("replies"), 3600),
        "average_first_response_hours": _ratio(c("first_response_seconds"), c("first_responses"), 3600),
        "matches_started": c("matches_started"), "matches_ended": c("matches_ended"),
        "sessions_scheduled": c("sessions_scheduled"), "sessions_held": c("sessions_due") if over else None,
        "sessions_cancelled": c("sessions_cancelled"),
        "goals_set": c("goals_set"), "goals_completed": c("goals_completed"),
        "nudges_sent": c("nudges_sent"), "nudges_followed": c("nudges_followed"),
        "moderation_held": c("moderation_held"),
        "average_decision_hours": _ratio(c("decision_seconds"), c("moderation_decided"), 3600),
        "articles_read": c("articles_read"), "questions_asked": c("questions_asked"),
        "questions_answered": c("questions_answered"),
    }


def total(weekly: dict[str, dict]) -> dict[str, float]:
    summed: dict[str, float] = {}
    for counters in weekly.values():
        for name, value in counters.items():
            summed[name] = summed.get(name, 0) + (value or 0)
    return summed


def typical_reply_hours(summed: dict) -> str | None:
    """The histogram bucket holding the median reply."""
    counts = [(name, summed.get(name, 0)) for name in REPLY_LABELS]
    replies = sum(n for _, n in counts)
    running = 0
    for name, n in counts:
        running += n
        if replies and running >= replies / 2:
            return REPLY_LABELS[name]
    return None


def funnel(summed: dict) -> list[dict]:
    stages = []
    for stage, reached in (("registered", "registered"), ("matched", "matched"), ("active", "active"),
                           ("ended", "ended")):
        row = {"stage": stage}
        for role in ("mentee", "mentor"):
            row[f"{role}s"] = int(summed.get(f"funnel_{reached}_{role}", 0))
            seconds, count = summed.get(f"stage_{stage}_seconds_{role}", 0), summed.get(f"stage_{stage}_count_{role}", 0)
            row[f"{role}_average_days_in_stage"] = _ratio(seconds, count, 86400) if stage != "ended" else None
        stages.append(row)
    return stages


def topics(weekly: dict[str, dict], weeks: list[str], ever: dict, labels: dict[str, str]) -> tuple[list[dict], int]:
    """Topic totals and weekly points, each only where at least K conversations stand behind it."""
    names = sorted({n.split(":", 1)[1] for c in weekly.values() for n in c if n.startswith("topic_messages:")})
    rows, suppressed = [], 0
    for topic in names:
        conversations = ever.get(f"topic_conversations:{topic}", 0)
        if conversations < K_ANONYMITY:
            suppressed += 1
            continue
        points = []
        for week in weeks:
            counters = weekly.get(week, {})
            enough = counters.get(f"topic_conversations:{topic}", 0) >= K_ANONYMITY
            points.append(counters.get(f"topic_messages:{topic}", 0) if enough else None)
        rows.append({"topic": topic, "label": labels.get(topic, topic),
                     "messages": int(sum(weekly.get(w, {}).get(f"topic_messages:{topic}", 0) for w in weeks)),
                     "conversations": int(conversations), "weekly_messages": points})
    rows.sort(key=lambda r: -r["messages"])
    return rows, suppressed


def read_articles(weekly: dict[str, dict]) -> set[str]:
    """The articles first opened in these weeks (whose titles a report needs)."""
    return {n.split(":", 1)[1] for c in weekly.values() for n in c if n.startswith("article_reads:")}


def reading(summed: dict, titles: dict[str, str]) -> dict:
    """Library use in the range; an article is named only where at least K people read it."""
    rows, suppressed = [], 0
    for article in {n.split(":", 1)[1] for n in summed if n.startswith("article_reads:")}:
        readers = int(summed.get(f"article_reads:{article}", 0))
        if readers < K_ANONYMITY:
            suppressed += int(readers > 0)
            continue
        rows.append({"article_id": article, "title": titles.get(article) or article, "readers": readers,
                     "helpful": int(summed.get(f"article_helpful:{article}", 0)),
                     "not_helpful": int(summed.get(f"article_not_helpful:{article}", 0))})
    rows.sort(key=lambda r: (-r["readers"], r["title"]))
    count = lambda name: int(summed.get(name, 0))
    return {"articles_read": count("articles_read"), "articles_read_by_mentees": count("articles_read_by_mentee"),
            "articles_read_by_mentors": count("articles_read_by_mentor"),
            "helpful": count("articles_helpful"), "not_helpful": count("articles_not_helpful"),
            "questions_asked": count("questions_asked"), "questions_answered": count("questions_answered"),
            "articles": rows[:TOP_ARTICLES], "articles_suppressed": suppressed}


def overview(weekly: dict[str, dict], ever: dict, start: date, end: date, labels: dict[str, str],
             today: date | None = None, titles: dict[str, str] | None = None) -> dict:
    today = today or datetime.now(UTC).date()
    weeks = domain.weeks_between(start, end)
    summed = total({w: weekly[w] for w in weeks if w in weekly})
    per_week = [week_values(weekly.get(w, {}), w, today) for w in weeks]
    over_weeks = [w for w in weeks if date.fromisoformat(w) + timedelta(days=7) <= today]
    topic_rows, suppressed = topics(weekly, weeks, ever, labels)
    active = ever.get("matches_active", 0)
    return {
        "from": start, "to": end, "weeks": weeks,
        "totals": {
            "messages": int(summed.get("messages", 0)), "active_matches_now": int(active),
            "messages_per_active_match": _ratio(summed.get("messages", 0), active),
            "turn_taking": _ratio(summed.get("replies", 0), summed.get("messages", 0)),
            "average_reply_hours": _ratio(summed.get("reply_seconds", 0), summed.get("replies", 0), 3600),
            "typical_reply": typical_reply_hours(summed),
            "average_first_response_hours": _ratio(summed.get("first_response_seconds", 0),
                                                   summed.get("first_responses", 0), 3600),
            "sessions_scheduled": int(summed.get("sessions_scheduled", 0)),
            "sessions_held": int(sum(weekly.get(w, {}).get("sessions_due", 0) for w in over_weeks)),
            "sessions_cancelled": int(summed.get("sessions_cancelled", 0)),
            "sessions_rescheduled": int(summed.get("sessions_rescheduled", 0)),
            "goals_set": int(summed.get("goals_set", 0)), "goals_completed": int(summed.get("goals_completed", 0)),
            "nudges_sent": int(summed.get("nudges_sent", 0)), "nudges_followed": int(summed.get("nudges_followed", 0)),
            "moderation_held": int(summed.get("moderation_held", 0)),
            "moderation_approved": int(summed.get("moderation_approved", 0)),
            "moderation_rejected": int(summed.get("moderation_rejected", 0)),
            "moderation_pending_now": int(ever.get("moderation_pending", 0)),
            "average_decision_hours": _ratio(summed.get("decision_seconds", 0), summed.get("moderation_decided", 0),
                                             3600),
        },
        "funnel": funnel(summed),
        "series": [{"name": name, "label": label, "unit": unit, "points": [p[name] for p in per_week]}
                   for name, label, unit in SERIES],
        "reply_times": [{"bucket": label, "replies": int(summed.get(name, 0))} for name, label in REPLY_LABELS.items()],
        "topics": topic_rows, "topics_suppressed": suppressed,
        "reading": reading(summed, titles or {}),
    }
