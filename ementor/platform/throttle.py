"""A store-backed throttle of failed attempts, shared by every replica of a service.

Each key (a client address, an API key id) has a bucket of `per_minute` failures refilled at
`per_minute` a minute, kept as one GCRA timestamp (see services/messaging/domain.RateLimit): a
failure moves it forward with one conditional update, so replicas racing on one key never lose
a failure. While a key's bucket is empty every attempt under it is refused before the
credentials are even looked at, right ones included, until the bucket refills.
"""

from __future__ import annotations

import ipaddress
import time
from datetime import UTC, datetime, timedelta

from mongoengine.connection import get_db
from pymongo.errors import DuplicateKeyError

from .errors import RateLimited
from .extension import ServiceDependency
from .settings import CommonSettings

COLLECTION = "throttled_failures"
MAX_KEY_LENGTH = 200


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


class FailureThrottle:
    def __init__(self, alias: str, per_minute: int, *, clock=time.time):
        self.collection = get_db(alias)[COLLECTION]
        self.collection.create_index("expires_at", expireAfterSeconds=0)
        self.interval = 60.0 / per_minute
        self.burst = per_minute
        self.clock = clock

    def check(self, *keys: str) -> None:
        """Raise RateLimited (429 with Retry-After) while any key's bucket is empty."""
        horizon = self.clock() + (self.burst - 1) * self.interval
        blocked = self.collection.find({"_id": {"$in": [k[:MAX_KEY_LENGTH] for k in keys]}, "tat": {"$gt": horizon}})
        wait = max((doc["tat"] - horizon for doc in blocked), default=None)
        if wait is not None:
            raise RateLimited(
                f"too many failed attempts; try again in {max(1, round(wait))} seconds", retry_after=round(wait)
            )

    def failed(self, *keys: str) -> None:
        """Spend one failure from each key's bucket (its timestamp moves one interval on)."""
        now = self.clock()
        for key in keys:
            self._spend(key[:MAX_KEY_LENGTH], now)

    def _spend(self, key: str, now: float) -> None:
        for _ in range(3):
            moved = self.collection.find_one_and_update(
                {"_id": key, "tat": {"$gt": now}}, {"$inc": {"tat": self.interval}}, projection={"tat": 1},
                return_document=True,
            ) or self.collection.find_one_and_update(
                {"_id": key, "tat": {"$lte": now}}, {"$set": {"tat": now + self.interval}}, projection={"tat": 1},
                return_document=True,
            )
            if moved is not None:
                self.collection.update_one({"_id": key}, {"$set": {"expires_at": _expiry(moved["tat"])}})
                return
            try:
                tat = now + self.interval
                self.collection.insert_one({"_id": key, "tat": tat, "expires_at": _expiry(tat)})
                return
            except DuplicateKeyError:
                continue  # another replica created it first: spend on it


def _expiry(tat: float) -> datetime:
    """When a bucket is full again and its document can go."""
    return datetime.fromtimestamp(tat, UTC) + timedelta(minutes=1)


class FailureThrottling(ServiceDependency):
    """Gives workers the service's FailureThrottle, `per_minute` from the named setting of its section."""

    def __init__(self, section: type[CommonSettings], setting: str):
        self.settings_section = section
        self.setting = setting

    def setup(self):
        self.open_database()
        self.throttle = FailureThrottle(self.container.service_name, getattr(self.settings, self.setting))

    def get_dependency(self, worker_ctx) -> FailureThrottle:
        return self.throttle
