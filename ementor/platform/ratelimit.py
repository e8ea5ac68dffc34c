"""A rate limiter kept in the service's own database, so every replica counts the same attempts.

    limiter = RateLimits()        # on the service class: a RateLimiter over the service's database
    self.limiter.hit(f"sign-in:{email}", limit=5, window_seconds=900)   # raises RateLimited when over

Fixed windows: one counter document per key and window, expired by a TTL index.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from mongoengine.connection import get_db
from pymongo import ReturnDocument

from .errors import RateLimited
from .extension import ServiceDependency

COLLECTION = "rate_limits"


class RateLimiter:
    def __init__(self, alias: str):
        self.alias = alias
        self._indexed = False

    def _collection(self):
        collection = get_db(self.alias)[COLLECTION]
        if not self._indexed:
            collection.create_index("expires_at", expireAfterSeconds=0)
            self._indexed = True
        return collection

    def hit(self, key: str, *, limit: int, window_seconds: int, now: float | None = None) -> None:
        """Count one attempt under `key`; raise RateLimited once more than `limit` fall in the window."""
        now = time.time() if now is None else now
        window = int(now // window_seconds)
        ends = (window + 1) * window_seconds
        counter = self._collection().find_one_and_update(
            {"_id": f"{key}|{window}"},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": datetime.fromtimestamp(ends, UTC) + timedelta(
                seconds=60)}},
            upsert=True, return_document=ReturnDocument.AFTER,
        )
        if counter["count"] > limit:
            raise RateLimited("too many attempts: wait before trying again", retry_after=int(ends - now) + 1)


class RateLimits(ServiceDependency):
    """Gives workers the service's RateLimiter."""

    def setup(self):
        self.open_database()
        self.limiter = RateLimiter(self.container.service_name)

    def get_dependency(self, worker_ctx):
        return self.limiter
