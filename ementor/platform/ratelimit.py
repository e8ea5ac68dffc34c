"""The one rate limiter: allowances kept in the service's own database, shared by every replica.

    limiter = RateLimits()                               # on the service class
    SIGN_IN = Limit(5, per_seconds=900)
    self.limiter.attempt(f"sign-in:{email}", SIGN_IN)    # every attempt counts; RateLimited when over
    self.limiter.check(FAILURES, "address:1.2.3.4")      # refuse while a key's failures are used up ...
    self.limiter.failed(FAILURES, "address:1.2.3.4")     # ... and count only the failures

A key may spend `count` in `per_seconds`, refilled continuously (GCRA: one "theoretical arrival
time" per key, moved on by `per_seconds / count` per spend). Each spend is one conditional update,
so replicas racing on a key never lose a count; documents expire by a TTL index once full again.
Counting attempts suits requests that cost something (an email sent); counting failures suits
credentials, where a right one must pass until the wrong ones run out the allowance.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mongoengine.connection import get_db
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from .errors import RateLimited
from .extension import ServiceDependency

COLLECTION = "rate_limits"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Limit:
    count: int
    per_seconds: float = 60

    @property
    def interval(self) -> float:
        return self.per_seconds / self.count

    def horizon(self, now: float) -> float:
        """The latest arrival time a key may have and still spend one more."""
        return now + (self.count - 1) * self.interval


def client_address(request) -> str:
    """The client's address: the last X-Forwarded-For hop when the peer is our own proxy (a private
    or loopback address: nginx in compose, the ingress controller), else the peer itself."""
    peer = request.remote_addr or "unknown"
    forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    try:
        behind_proxy = not ipaddress.ip_address(peer).is_global
    except ValueError:
        behind_proxy = False
    return forwarded[-1][:64] if forwarded and behind_proxy else peer


class Limiter:
    def __init__(self, alias: str, *, clock=time.time):
        self.collection = get_db(alias)[COLLECTION]
        self.collection.create_index("expires_at", expireAfterSeconds=0)
        self.clock = clock

    def attempt(self, key: str, limit: Limit) -> None:
        """Count one attempt under `key`; raise RateLimited (counting nothing) once the allowance is spent."""
        now = self.clock()
        if not self._spend(key[:MAX_KEY_LENGTH], limit, now, ceiling=limit.horizon(now)):
            tat = self._tat(key[:MAX_KEY_LENGTH])
            raise RateLimited("too many attempts: wait before trying again", retry_after=tat - limit.horizon(now) + 1)

    def check(self, limit: Limit, *keys: str) -> None:
        """Raise RateLimited while any key's allowance of failures is spent; counts nothing."""
        horizon = limit.horizon(self.clock())
        blocked = self.collection.find({"_id": {"$in": [k[:MAX_KEY_LENGTH] for k in keys]}, "tat": {"$gt": horizon}})
        wait = max((doc["tat"] - horizon for doc in blocked), default=None)
        if wait is not None:
            raise RateLimited(f"too many failed attempts; try again in {max(1, round(wait))} seconds",
                              retry_after=round(wait))

    def failed(self, limit: Limit, *keys: str) -> None:
        """Spend one failure from each key's allowance (always counted, even past the limit)."""
        now = self.clock()
        for key in keys:
            self._spend(key[:MAX_KEY_LENGTH], limit, now, ceiling=None)

    def _tat(self, key: str) -> float:
        found = self.collection.find_one({"_id": key}, {"tat": 1})
        return found["tat"] if found else self.clock()

    def _spend(self, key: str, limit: Limit, now: float, *, ceiling: float | None) -> bool:
        """Move the key's arrival time one interval on; False when that would pass `ceiling`."""
        within = {"$gt": now} if ceiling is None else {"$gt": now, "$lte": ceiling}
        for _ in range(3):
            moved = self.collection.find_one_and_update(
                {"_id": key, "tat": within}, {"$inc": {"tat": limit.interval}}, projection={"tat": 1},
                return_document=ReturnDocument.AFTER,
            ) or self.collection.find_one_and_update(
                {"_id": key, "tat": {"$lte": now}}, {"$set": {"tat": now + limit.interval}}, projection={"tat": 1},
                return_document=ReturnDocument.AFTER,
            )
            if moved is not None:
                self.collection.update_one({"_id": key}, {"$set": {"expires_at": _expiry(moved["tat"])}})
                return True
            try:
                tat = now + limit.interval
                self.collection.insert_one({"_id": key, "tat": tat, "expires_at": _expiry(tat)})
                return True
            except DuplicateKeyError:
                if ceiling is not None and self._tat(key) > ceiling:
                    return False  # it exists and is spent
                continue  # another replica created it first, or it just refilled: spend on it
        return False


def _expiry(tat: float) -> datetime:
    """When a key's allowance is full again and its document can go."""
    return datetime.fromtimestamp(tat, UTC) + timedelta(minutes=1)


class RateLimits(ServiceDependency):
    """Gives workers the service's Limiter."""

    def setup(self):
        self.open_database()
        self.limiter = Limiter(self.container.service_name)

    def get_dependency(self, worker_ctx) -> Limiter:
        return self.limiter
