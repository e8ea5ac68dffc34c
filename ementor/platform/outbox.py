"""Transactional outbox: a state change and its events are stored in one document write.

A service records events on the aggregate it changes (`doc.record(event)`) and saves the
document once. The relay, running in every replica, leases documents that carry pending
events, publishes them with publisher confirms and only then removes them. If the broker is
down nothing is lost: the events wait in MongoDB and go out when it is back. Delivery is at
least once (a crash between confirm and removal publishes again); consumers dedupe by id.
"""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta

import eventlet
from ementor_contracts import CloudEvent, Event, to_cloudevent
from eventlet.queue import Empty, LightQueue
from mongoengine import BooleanField, DateTimeField, EmbeddedDocument, EmbeddedDocumentListField, StringField
from nameko.amqp.publish import Publisher
from nameko.extensions import DependencyProvider
from pymongo import ReturnDocument

from . import mongo
from .amqp import CLOUDEVENTS_SERIALIZER, event_exchange
from .logs import bind_trace, current_traceparent
from .metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from .tenancy import TenantDocument

log = logging.getLogger(__name__)


class PendingEvent(EmbeddedDocument):
    event_id = StringField(required=True)
    type = StringField(required=True)
    # The CloudEvent as JSON text: exact bytes, and user-defined keys never meet Mongo's key rules.
    body = StringField(required=True)


class OutboxDocument(TenantDocument):
    """A tenant document that can carry events waiting to be published."""

    outbox = EmbeddedDocumentListField(PendingEvent)
    outbox_lease_until = DateTimeField()
    # Set on a tombstone: delete the document once its last event is out (erasure).
    delete_when_published = BooleanField(default=False)

    meta = {"abstract": True, "indexes": [{"fields": ["outbox.event_id"], "sparse": True}]}

    def record(self, event: Event, *, traceparent: str | None = None) -> CloudEvent:
        cloud_event = to_cloudevent(event, self.tenant_id, traceparent=traceparent or current_traceparent())
        self.outbox.append(
            PendingEvent(event_id=cloud_event.id, type=cloud_event.type, body=cloud_event.model_dump_json(exclude_none=True))
        )
        return cloud_event


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxRelay:
    """Moves pending events from documents to the broker. Plain class: testable without nameko."""

    def __init__(self, documents, publish, lease_seconds: float = 30.0, batch: int = 200):
        self.documents = documents
        self.publish = publish  # callable(envelope: dict, routing_key: str); raises if unconfirmed
        self.lease = timedelta(seconds=lease_seconds)
        self.batch = batch

    def publish_pending(self) -> int:
        """Publish what is pending now; return how many events went out."""
        sent = 0
        for document in self.documents:
            collection = document._get_collection()
            for _ in range(self.batch):
                claimed = self._claim(collection)
                if claimed is None:
                    break
                sent += self._drain(collection, claimed)
        return sent

    def backlog(self) -> int:
        return sum(
            doc._get_collection().count_documents({"outbox.event_id": {"$exists": True}}) for doc in self.documents
        )

    def _claim(self, collection):
        now = _now()
        return collection.find_one_and_update(
            {
                "outbox.event_id": {"$exists": True},
                "$or": [{"outbox_lease_until": None}, {"outbox_lease_until": {"$lt": now}}],
            },
            {"$set": {"outbox_lease_until": now + self.lease}},
            return_document=ReturnDocument.AFTER,
        )

    def _drain(self, collection, doc) -> int:
        key = {"_id": doc["_id"], "tenant_id": doc["tenant_id"]}
        published = []
        try:
            for pending in doc.get("outbox", []):
                self.publish(json.loads(pending["body"]), pending["type"])
                published.append(pending["event_id"])
        finally:
            collection.update_one(
                key,
                {"$pull": {"outbox": {"event_id": {"$in": published}}}, "$set": {"outbox_lease_until": None}},
            )
            if doc.get("delete_when_published"):
                collection.delete_one({**key, "outbox.event_id": {"$exists": False}})
        return len(published)


class EventOutbox(DependencyProvider):
    """Runs the outbox relay for the service's documents; workers wake it after writing."""

    poll_seconds = 1.0
    backlog_interval_seconds = 5.0
    max_backoff_seconds = 30.0

    def __init__(self, *documents):
        self.documents = documents
        self._wake = LightQueue(maxsize=1)
        self._gt = None

    def setup(self):
        settings = self.container.config["EMENTOR_SETTINGS"]
        mongo.connect(self.container.service_name, settings.MONGODB_URI)
        exchange = event_exchange(self.container.service_name)
        publisher = Publisher(
            settings.AMQP_URI,
            use_confirms=True,
            serializer=CLOUDEVENTS_SERIALIZER,
            exchange=exchange,
            declare=[exchange],
            delivery_mode=2,
            retry=False,
        )

        def publish(envelope: dict, routing_key: str) -> None:
            publisher.publish(
                envelope,
                routing_key=routing_key,
                message_id=envelope["id"],
                headers={"ce-type": envelope["type"], "ce-tenantid": envelope["tenantid"]},
            )
            EVENTS_PUBLISHED.labels(self.container.service_name, routing_key).inc()

        self.relay = OutboxRelay(self.documents, publish)

    def start(self):
        self._gt = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self):
        if self._gt is not None:
            self._gt.kill()

    def kick(self) -> None:
        try:
            self._wake.put_nowait(True)
        except Exception:  # already woken
            pass

    def get_dependency(self, worker_ctx):
        return self

    def worker_setup(self, worker_ctx):
        # Events recorded by this worker carry the trace of the request or event that caused it.
        bind_trace(worker_ctx.context_data.get("traceparent"))

    def worker_teardown(self, worker_ctx):
        self.kick()

    def _run(self):
        failures, backlog_measured = 0, 0.0
        while True:
            try:
                self._wake.get(timeout=self.poll_seconds)
            except Empty:
                pass
            try:
                self.relay.publish_pending()
                if time.monotonic() - backlog_measured > self.backlog_interval_seconds:
                    OUTBOX_BACKLOG.labels(self.container.service_name).set(self.relay.backlog())
                    backlog_measured = time.monotonic()
                failures = 0
            except Exception as exc:  # broker or database away: events stay stored, try again later
                failures += 1
                delay = min(self.max_backoff_seconds, 0.5 * 2 ** min(failures, 8)) * random.uniform(0.5, 1.0)
                log.warning("outbox relay of %s could not publish (%s); retrying in %.1fs",
                            self.container.service_name, exc, delay)
                eventlet.sleep(delay)
