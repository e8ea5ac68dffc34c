"""Retention in notifications: the delivery log (kind, subject, status and times of each email and SMS;
never the wording) is deleted once older than the organisation's period (default 12 months).

Delivery ids are ObjectIds, so "created before the cut-off" is an `_id` range on the
(tenant_id, -id) index; deliveries still pending or being sent are never touched.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from ementor.platform.retention import RetentionStore, cutoff, delete_in_batches, documents, enforce_each

from .documents import ALIAS, Delivery

RetentionPeriods, RetentionLog = documents(ALIAS, __name__)
RETENTION_DOCUMENTS = (RetentionPeriods, RetentionLog)
UNFINISHED = ["pending", "deferred", "sending"]


def store() -> RetentionStore:
    return RetentionStore(RetentionPeriods, RetentionLog)


def enforce(now: datetime) -> int:
    retention = store()

    def purge(tenant_id: str, periods: dict) -> int:
        before = str(ObjectId.from_datetime(cutoff(now, "notification_log_months", periods)))
        count = delete_in_batches(Delivery.raw(), {"tenant_id": tenant_id, "_id": {"$lt": before},
                                                   "status": {"$nin": UNFINISHED}})
        retention.record(tenant_id, "notification_deliveries", count, now)
        return count

    return enforce_each(retention, now, purge)
