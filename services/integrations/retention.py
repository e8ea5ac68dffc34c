"""Retention in integrations: copies of events sent to webhooks are deleted after the organisation's
period (1-30 days). Every finished delivery already expires after 30 days (a TTL index), so only an
organisation that set a shorter period needs the job: it learns them from RetentionPeriodsChanged
and deletes, webhook by webhook, finished deliveries created before the cut-off -- an `_id` range
(ObjectIds carry their time) on the (tenant_id, webhook_id, -_id) index. Counts are logged.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from ementor.platform.retention import RetentionStore, cutoff, delete_in_batches, documents, enforce_each

from .documents import ALIAS, LOG_RETENTION_DAYS, PENDING, Delivery, Webhook

RetentionPeriods, RetentionLog = documents(ALIAS, __name__)
RETENTION_DOCUMENTS = (RetentionPeriods, RetentionLog)


def store() -> RetentionStore:
    return RetentionStore(RetentionPeriods, RetentionLog)


def enforce(now: datetime) -> int:
    retention = store()

    def purge(tenant_id: str, periods: dict) -> int:
        if periods["webhook_delivery_days"] >= LOG_RETENTION_DAYS:
            return 0  # the TTL index does it
        before = str(ObjectId.from_datetime(cutoff(now, "webhook_delivery_days", periods)))
        count = 0
        for webhook in Webhook.raw().find({"tenant_id": tenant_id}, {"_id": 1}):
            count += delete_in_batches(Delivery.raw(), {"tenant_id": tenant_id, "webhook_id": webhook["_id"],
                                                        "_id": {"$lt": before}, "status": {"$ne": PENDING}})
        retention.record(tenant_id, "webhook_deliveries", count, now)
        return count

    return enforce_each(retention, now, purge)
