"""Retention periods: what every service that keeps personal data deletes, and when.

Safeguarding owns each organisation's periods (`GET/PUT /v1/settings/retention`) and publishes
RetentionPeriodsChanged (numbers only). Each service that enforces a period keeps a one-document
projection per organisation (`retention_periods`, made here by `documents(alias, module)`), also
created with the defaults when it first hears of the organisation, and runs a leased job that
deletes in batches by an indexed query and records counts (never content) in `retention_log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mongoengine import DateTimeField, DictField, IntField, StringField

from .tenancy import TenantDocument


@dataclass(frozen=True)
class Period:
    default: int
    low: int
    high: int
    unit: str  # "days" | "months" | "years"
    what: str


PERIODS: dict[str, Period] = {
    "messages_months_after_match_end": Period(12, 1, 120, "months",
                                              "messages of a match, counted from the day the match ended"),
    "notification_log_months": Period(12, 1, 120, "months", "the log of emails and SMS sent (not their wording)"),
    "ended_session_months": Period(12, 1, 120, "months", "video sessions, counted from their end"),
    # At most 30: integrations' log expires after 30 days anyway (a TTL index); a shorter period is enforced by a job.
    "webhook_delivery_days": Period(30, 1, 30, "days", "copies of events sent to the organisation's webhooks"),
    "audit_years": Period(6, 1, 50, "years", "audit logs (safeguarding, moderation, consent)"),
}

BATCH = 500  # documents deleted per query: one indexed read of ids, one delete by _id


def defaults() -> dict[str, int]:
    return {name: p.default for name, p in PERIODS.items()}


def merged(stored: dict | None) -> dict[str, int]:
    """The organisation's periods: what it set, the defaults for the rest (or for values out of range)."""
    periods = defaults()
    for name, value in (stored or {}).items():
        rule = PERIODS.get(name)
        if rule is not None and isinstance(value, int) and rule.low <= value <= rule.high:
            periods[name] = value
    return periods


def cutoff(now: datetime, name: str, periods: dict[str, int]) -> datetime:
    """The moment before which data kept for `name` is past its period."""
    value, unit = periods[name], PERIODS[name].unit
    days = value if unit == "days" else value * 30.44 if unit == "months" else value * 365.25
    return now - timedelta(days=days)


def documents(alias: str, module: str) -> tuple[type, type]:
    """The service's projection of the periods and its log of deletions (counts only)."""
    projection = type("RetentionPeriods", (TenantDocument,), {
        "__module__": module, "__doc__": "An organisation's retention periods, from RetentionPeriodsChanged.",
        "id": StringField(primary_key=True), "periods": DictField(), "updated_at": DateTimeField(),
        "checked_at": DateTimeField(),
        "meta": {"db_alias": alias, "collection": "retention_periods", "indexes": []}})
    log = type("RetentionLog", (TenantDocument,), {
        "__module__": module, "__doc__": "What a retention run deleted: a kind and a count, never content.",
        "kind": StringField(required=True), "count": IntField(required=True), "at": DateTimeField(required=True),
        "subject_id": StringField(),
        "meta": {"db_alias": alias, "collection": "retention_log", "indexes": [("tenant_id", "at")]}})
    return projection, log


class RetentionStore:
    """The projection and the log, through their raw collections (tenant-checked)."""

    def __init__(self, projection: type, log: type):
        self.projection, self.log = projection, log

    def learn(self, tenant_id: str, periods: dict | None, at: datetime | None = None) -> None:
        """Set the organisation's periods (an event), or only make sure it is known (`periods` None)."""
        key = {"_id": tenant_id, "tenant_id": tenant_id}
        if periods is None:
            self.projection.raw().update_one(key, {"$setOnInsert": {"periods": {}}}, upsert=True)
            return
        at = at or datetime.now(UTC)
        # An older event never overwrites a newer one (at-least-once, in any order).
        self.projection.raw().update_one({**key, "$or": [{"updated_at": {"$lt": at}}, {"updated_at": None}]},
                                         {"$set": {"periods": periods, "updated_at": at}}, upsert=False)
        self.projection.raw().update_one(key, {"$setOnInsert": {"periods": periods, "updated_at": at}}, upsert=True)

    def organisations(self, after: str, limit: int) -> list[tuple[str, dict[str, int]]]:
        found = self.projection.raw().across_tenants().find({"_id": {"$gt": after}}).sort("_id", 1).limit(limit)
        return [(d["_id"], merged(d.get("periods"))) for d in found]

    def checked(self, tenant_id: str, now: datetime) -> None:
        """Note that a run looked at the organisation (operators see the job is alive; tests wait on it)."""
        self.projection.raw().update_one({"_id": tenant_id, "tenant_id": tenant_id}, {"$set": {"checked_at": now}})

    def last_checked(self, tenant_id: str) -> datetime | None:
        found = self.projection.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id})
        return None if found is None else found.get("checked_at")

    def record(self, tenant_id: str, kind: str, count: int, now: datetime, subject_id: str | None = None) -> None:
        if count:
            self.log.raw().insert_one({"tenant_id": tenant_id, "kind": kind, "count": count, "at": now,
                                       **({"subject_id": subject_id} if subject_id else {})})

    def deleted(self, tenant_id: str, since: datetime) -> dict[str, int]:
        totals: dict[str, int] = {}
        for entry in self.log.raw().find({"tenant_id": tenant_id, "at": {"$gte": since}}):
            totals[entry["kind"]] = totals.get(entry["kind"], 0) + entry["count"]
        return totals


def delete_in_batches(collection, query: dict, limit_batches: int = 20) -> int:
    """Delete what `query` finds (it must be served by an index), BATCH ids at a time; the number deleted."""
    deleted = 0
    for _ in range(limit_batches):
        ids = [d["_id"] for d in collection.find(query, {"_id": 1}).limit(BATCH)]
        if not ids:
            break
        deleted += collection.delete_many({"tenant_id": query["tenant_id"], "_id": {"$in": ids}}).deleted_count
        if len(ids) < BATCH:
            break
    return deleted


def periods_of(event) -> dict[str, int]:
    """The periods a RetentionPeriodsChanged names (a field it leaves out keeps the default)."""
    return {name: getattr(event, name) for name in PERIODS if getattr(event, name, None) is not None}


RETENTION_POLL_SECONDS = 3600.0  # an hour: periods are months long; the job is leased (one replica runs it)


def enforce_each(retention: RetentionStore, now: datetime, purge) -> int:
    """Call `purge(tenant_id, periods)` for every organisation the service knows, page by page; the total."""
    total, after = 0, ""
    while page := retention.organisations(after, 100):
        for tenant_id, periods in page:
            total += purge(tenant_id, periods)
            retention.checked(tenant_id, now)
        after = page[-1][0]
    return total
