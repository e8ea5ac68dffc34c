"""Idempotent consumers: remember which events each consumer has handled.

The entry is written after the handler succeeds, so a crash in between makes the handler
run again: handlers are written to be safe to repeat (upserts, conditional updates), and the
inbox spares them the common case of a plain redelivery.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mongoengine.connection import get_db
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

RETENTION = timedelta(days=30)


class Inbox:
    collection_name = "inbox"

    def __init__(self, alias: str):
        self.collection = get_db(alias)[self.collection_name]
        self.collection.create_index(
            [("tenant_id", ASCENDING), ("consumer", ASCENDING), ("event_id", ASCENDING)], unique=True
        )
        self.collection.create_index("handled_at", expireAfterSeconds=int(RETENTION.total_seconds()))

    def seen(self, tenant_id: str, consumer: str, event_id: str) -> bool:
        query = {"tenant_id": tenant_id, "consumer": consumer, "event_id": event_id}
        return self.collection.count_documents(query, limit=1) > 0

    def record(self, tenant_id: str, consumer: str, event_id: str) -> None:
        entry = {
            "tenant_id": tenant_id,
            "consumer": consumer,
            "event_id": event_id,
            "handled_at": datetime.now(timezone.utc),
        }
        try:
            self.collection.insert_one(entry)
        except DuplicateKeyError:
            pass

    def forget_tenant(self, tenant_id: str) -> None:
        self.collection.delete_many({"tenant_id": tenant_id})
