"""Scheduled jobs that run once per tick however many replicas there are.

nameko's timer fires in every replica. `leased_timer` first takes a lease named after the job
in the service's database (an atomic conditional upsert); only the holder runs the tick, and a
replica that dies simply lets its lease lapse.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from mongoengine.connection import get_db
from nameko.timer import Timer
from pymongo.errors import DuplicateKeyError

from .extension import ServiceExtension

log = logging.getLogger(__name__)

HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leases:
    def __init__(self, alias: str):
        self.collection = get_db(alias)["leases"]

    def acquire(self, name: str, seconds: float, holder: str = HOLDER) -> bool:
        now = datetime.now(UTC)
        try:
            result = self.collection.update_one(
                {"_id": name, "$or": [{"until": {"$lt": now}}, {"holder": holder}]},
                {"$set": {"holder": holder, "until": now + timedelta(seconds=seconds)}},
                upsert=True,
            )
        except DuplicateKeyError:  # another replica holds a live lease
            return False
        return result.matched_count == 1 or result.upserted_id is not None


class LeasedTimer(Timer, ServiceExtension):
    def setup(self):
        super().setup()
        self.open_database()
        self.leases = Leases(self.container.service_name)
        self.lease_name = f"{self.container.service_name}.{self.method_name}"
        self.holder = f"{HOLDER}:{uuid.uuid4().hex[:6]}"  # one per replica, even several in a process

    def handle_timer_tick(self):
        # Hold the lease a little less than the interval so the next tick can take it anywhere.
        if self.leases.acquire(self.lease_name, max(self.interval * 0.9, 0.05), self.holder):
            super().handle_timer_tick()
        else:
            # Another replica holds this tick. nameko's loop waits for the tick's worker before the
            # next one: without this it would wait for ever (and `stop()` would hang).
            self.worker_complete.send()


leased_timer = LeasedTimer.decorator
