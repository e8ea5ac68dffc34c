"""Idempotent consumers: each consumer takes each event once.

A consumer claims the event (consumer, event id) before its handler runs and marks it done
after. A redelivery of a done event is acknowledged and skipped. A redelivery that arrives
while the first delivery is still being handled (a broker connection cut mid-handler
requeues the message at once) finds the claim busy and waits its turn instead of running the
handler a second time. A claim whose handler failed is released for the retry, and one whose
replica died lapses after its lease.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

from mongoengine.connection import get_db
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

RETENTION = timedelta(days=30)
CLAIM_LEASE = timedelta(seconds=30)  # longer than any handler runs


class Claim(Enum):
    CLAIMED = "claimed"  # handle it now
    DONE = "done"  # handled before: acknowledge and skip
    BUSY = "busy"  # another delivery is handling it right now: try again later


def _now() -> datetime:
    return datetime.now(UTC)


class Inbox:
    collection_name = "inbox"
    lease = CLAIM_LEASE

    def __init__(self, alias: str):
        self.collection = get_db(alias)[self.collection_name]
        self.collection.create_index(
            [("tenant_id", ASCENDING), ("consumer", ASCENDING), ("event_id", ASCENDING)], unique=True
        )
        self.collection.create_index("handled_at", expireAfterSeconds=int(RETENTION.total_seconds()))

    @staticmethod
    def _key(tenant_id: str, consumer: str, event_id: str) -> dict:
        return {"tenant_id": tenant_id, "consumer": consumer, "event_id": event_id}

    def claim(self, tenant_id: str, consumer: str, event_id: str) -> Claim:
        key = self._key(tenant_id, consumer, event_id)
        now = _now()
        try:
            self.collection.insert_one({**key, "state": "processing", "until": now + self.lease, "handled_at": now})
            return Claim.CLAIMED
        except DuplicateKeyError:
            pass
        taken_over = self.collection.update_one(
            {**key, "state": "processing", "until": {"$lt": now}},
            {"$set": {"until": now + self.lease, "handled_at": now}},
        )
        if taken_over.modified_count:
            return Claim.CLAIMED
        entry = self.collection.find_one(key, {"state": 1})
        if entry is None:  # released between our insert and our look: try once more
            return self.claim(tenant_id, consumer, event_id)
        return Claim.DONE if entry["state"] == "done" else Claim.BUSY

    def done(self, tenant_id: str, consumer: str, event_id: str) -> None:
        self.collection.update_one(
            self._key(tenant_id, consumer, event_id), {"$set": {"state": "done", "handled_at": _now()}}, upsert=True
        )

    def release(self, tenant_id: str, consumer: str, event_id: str) -> None:
        self.collection.delete_one({**self._key(tenant_id, consumer, event_id), "state": "processing"})

