"""Use cases of the insights API: the overview, the matches by health, the exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from ementor.platform import topics
from ementor.platform.errors import Invalid, NotFound
from ementor.platform.principal import Principal

from . import domain, health, projection, reports, topic_taxonomy
from .repository import PLATFORM, InsightsRepository

TABLES = ("weekly", "funnel", "matches", "topics", "reply_times", "articles", "survey_rates", "survey_scores",
          "survey_comments")
EXPORT_ROWS_MAX = 10_000


def _labels(names, known: dict[str, str] | None = None) -> dict[str, str]:
    """Each topic's label: the organisation's own (from its taxonomy), else the platform's label of a default
    topic ("CVs and applications"; the web app translates exactly those), else the id in words."""
    known = topics.default_labels() if known is None else known
    return {n: known.get(n) or n.replace("-", " ").capitalize() for n in names}


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    try:
        return reports.date_range(start, end, datetime.now(UTC).date())
    except reports.BadRange as exc:
        raise Invalid(str(exc), code="bad_range", details=[{"field": exc.field, "message": str(exc)}]) from None


def scope_of(repo: InsightsRepository, auth: Principal, programme_id: str | None) -> str:
    """The counters' scope; a programme this organisation has not got is a 404."""
    if not programme_id:
        return domain.ORG
    if repo.programme(auth.tenant_id, programme_id) is None:
        raise NotFound(f"no programme {programme_id} in this organisation")
    return f"p:{programme_id}"


def _counters(repo: InsightsRepository, tenant_id: str, scope: str, start: date, end: date):
    weeks = domain.weeks_between(start, end)
    found = repo.buckets(tenant_id, scope, [*weeks, domain.ALL])
    return {w: found[w] for w in weeks if w in found}, found.get(domain.ALL, {})


def overview(repo: InsightsRepository, auth: Principal, programme_id: str | None, start: date | None,
             end: date | None) -> dict:
    start, end = _range(start, end)
    scope = scope_of(repo, auth, programme_id)
    weekly, ever = _counters(repo, auth.tenant_id, scope, start, end)
    names = {n.split(":", 1)[1] for c in weekly.values() for n in c if n.startswith("topic_messages:")}
    titles = repo.article_titles(auth.tenant_id, sorted(reports.read_articles(weekly)))
    labels = _labels(names, topic_taxonomy.STORE.labels(auth.tenant_id))
    return {"programme_id": programme_id, **reports.overview(weekly, ever, start, end, labels, titles=titles)}


def platform_overview(repo: InsightsRepository, start: date | None, end: date | None) -> dict:
    """The operator's view: every organisation's counters added up; no organisation or person named."""
    start, end = _range(start, end)
    weekly, ever = _counters(repo, PLATFORM, domain.ORG, start, end)
    names = {n.split(":", 1)[1] for c in weekly.values() for n in c if n.startswith("topic_messages:")}
    return {"programme_id": None, **reports.overview(weekly, ever, start, end, _labels(names))}


def match_view(match: dict, now: datetime) -> dict:
    signals = projection.signals_of(match)
    assessed = health.assess(signals, now) if signals else None
    counters = match.get("counters") or {}
    last = domain.aware(match.get("last_message_at"))
    replies = counters.get("replies", 0)
    return {
        "match_id": match["match_id"], "programme_id": match.get("programme_id") or None,
        "mentor_id": match.get("mentor_id"), "mentee_id": match.get("mentee_id"), "status": match.get("status"),
        "score": assessed.score if assessed else None,
        "at_risk": bool(assessed and assessed.at_risk()),
        "reasons": assessed.reasons if assessed else [],
        "reason_codes": assessed.reason_codes if assessed else [],
        "last_exchange_at": last, "days_since_last_exchange": assessed.days_since_last_exchange if assessed else None,
        "messages": int(counters.get("messages", 0)),
        "mentor_messages": int(counters.get("mentor_messages", 0)),
        "mentee_messages": int(counters.get("mentee_messages", 0)),
        "average_reply_hours": round(counters.get("reply_seconds", 0) / replies / 3600, 2) if replies else None,
        "first_response_hours": (round(counters["first_response_seconds"] / 3600, 2)
                                 if counters.get("first_response_seconds") is not None else None),
        "sessions_scheduled": int(counters.get("sessions_scheduled", 0)),
        "sessions_cancelled": int(counters.get("sessions_cancelled", 0)),
        "goals_set": int(counters.get("goals_set", 0)), "goals_completed": int(counters.get("goals_completed", 0)),
        "nudges_sent": int(counters.get("nudges_sent", 0)), "nudges_followed": int(counters.get("nudges_followed", 0)),
    }


def matches(repo: InsightsRepository, auth: Principal, health_filter: str, programme_id: str | None,
            cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
    if programme_id:
        scope_of(repo, auth, programme_id)
    now = datetime.now(UTC)
    rows = repo.matches(auth.tenant_id, programme_id=programme_id,
                        at_risk_by=now if health_filter == "at_risk" else None, after=cursor, limit=limit + 1)
    views = [match_view(m, now) for m in rows[:limit]]
    if health_filter == "at_risk":
        views = [v for v in views if v["at_risk"]]  # risk_at is foreseen; the score now has the last word
    next_cursor = rows[limit - 1]["match_id"] if len(rows) > limit else None
    return views, next_cursor


def export_rows(repo: InsightsRepository, auth: Principal, table: str, programme_id: str | None,
                start: date | None, end: date | None) -> list[dict]:
    if table not in TABLES:
        raise Invalid(f"unknown table {table!r}; one of {', '.join(TABLES)}", code="unknown_table",
                      details=[{"field": "table", "message": f"one of {', '.join(TABLES)}"}])
    if table == "matches":
        return _all_matches(repo, auth, programme_id)
    if table.startswith("survey_"):
        from . import survey_handlers  # it builds on this module

        return survey_handlers.export_rows(table, survey_handlers.results(repo, auth, programme_id, start, end))
    report = overview(repo, auth, programme_id, start, end)
    if table == "weekly":
        return [{"week": week, **{s["name"]: s["points"][i] for s in report["series"]}}
                for i, week in enumerate(report["weeks"])]
    if table == "funnel":
        return report["funnel"]
    if table == "reply_times":
        return report["reply_times"]
    if table == "articles":
        return report["reading"]["articles"]
    return [{"week": week, "topic": row["topic"], "label": row["label"], "messages": row["weekly_messages"][i]}
            for row in report["topics"] for i, week in enumerate(report["weeks"])
            if row["weekly_messages"][i] is not None]


def _all_matches(repo: InsightsRepository, auth: Principal, programme_id: str | None) -> list[dict]:
    if programme_id:
        scope_of(repo, auth, programme_id)
    now, rows, after = datetime.now(UTC), [], None
    while len(rows) < EXPORT_ROWS_MAX:
        page = repo.all_matches(auth.tenant_id, after, 500)
        if not page:
            break
        rows += [match_view(m, now) for m in page
                 if not programme_id or m.get("programme_id") == programme_id]
        after = page[-1]["match_id"]
        if len(page) < 500:
            break
    for row in rows:
        row["reasons"] = "; ".join(row["reasons"])
        row["reason_codes"] = "; ".join(reason.code for reason in row["reason_codes"])
    return rows


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v.isoformat() if isinstance(v, datetime) else v)
                             for k, v in row.items()})
    return out.getvalue()
