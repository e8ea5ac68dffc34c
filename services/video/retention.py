"""Retention in video: sessions are deleted once they ended longer ago than the organisation's period
(default 12 months), by the (tenant_id, ends_at) index, with their reminders. Counts are logged."""

from __future__ import annotations

from datetime import datetime

from ementor.platform.retention import RetentionStore, cutoff, delete_in_batches, documents, enforce_each

from .documents import ALIAS, Reminder, Session

RetentionPeriods, RetentionLog = documents(ALIAS, __name__)
RETENTION_DOCUMENTS = (RetentionPeriods, RetentionLog)


def store() -> RetentionStore:
    return RetentionStore(RetentionPeriods, RetentionLog)


def enforce(now: datetime) -> int:
    retention = store()

    def purge(tenant_id: str, periods: dict) -> int:
        before = cutoff(now, "ended_session_months", periods)
        ended = [s["_id"] for s in Session.raw().find({"tenant_id": tenant_id, "ends_at": {"$lt": before}},
                                                      {"_id": 1}).limit(500)]
        if not ended:
            return 0
        Reminder.raw().delete_many({"tenant_id": tenant_id, "session_id": {"$in": ended}})
        count = delete_in_batches(Session.raw(), {"tenant_id": tenant_id, "_id": {"$in": ended},
                                                  "outbox.event_id": {"$exists": False}}, 1)
        retention.record(tenant_id, "sessions", count, now)
        return count

    return enforce_each(retention, now, purge)
