"""Transactional outbox: a state change and its events are stored in one document write.

A service records events on the aggregate it changes (`doc.record(event)`) and saves the
document once. The relay, running in every replica, leases documents that carry pending
events, publishes them with publisher confirms and only then removes them. If the broker is
down nothing is lost: the events wait in MongoDB and go out when it is back. Delivery is at
least once (a crash between confirm and removal publishes again); consumers dedupe by id.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from ementor_contracts import Event, to_cloudevent
from mongoengine import BooleanField, DateTimeField, EmbeddedDocument, EmbeddedDocumentListField, StringField
from nameko.amqp.publish import Publisher
from nameko.extensions import DependencyProvider
from pymongo import ReturnDocument

from . import mongo
from .amqp import CLOUDEVENTS_SERIALIZER, event_exchange
from .logs import bind_trace, current_traceparent
from .loop import BackgroundLoop
from .metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from .tenancy import TenantDocument


class Pending(NamedTuple):
    """An event on its way into a document's outbox: the one shape every writer stores.

    `OutboxDocument.record` appends it to a document about to be saved; a raw conditional update
    pushes `Pending.of(event, tenant_id).stored()` in the same write as its state change.
    """

    event_id: str
    type: str
    # The CloudEvent as JSON text: exact bytes, and user-defined keys never meet Mongo's key rules.
    body: str

    @classmethod
    def of(cls, event: Event, tenant_id: str, *, traceparent: str | None = None) -> Pending:
        """The event as a CloudEvent of the tenant, carrying the trace of the request that caused it."""
        cloud_event = to_cloudevent(event, tenant_id, traceparent=traceparent or current_traceparent())
        return cls(cloud_event.id, cloud_event.type, cloud_event.model_dump_json(exclude_none=True))

    def stored(self) -> dict:
        return {"event_id": self.event_id, "type": self.type, "body": self.body}


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

    def record(self, event: Event, *, traceparent: str | None = None) -> Pending:
        """Queue the event on this document; it is stored by the document's next save."""
        pending = Pending.of(event, self.tenant_id, traceparent=traceparent)
        self.outbox.append(PendingEvent(**pending._asdict()))
        return pending


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
            collection = document.raw().across_tenants()
            for _ in range(self.batch):
                claimed = self._claim(collection)
                if claimed is None:
                    break
                sent += self._drain(collection, claimed)
        return sent

    def backlog(self) -> int:
        return sum(
            doc.raw().across_tenants().count_documents({"outbox.event_id": {"$exists": True}})
            for doc in self.documents
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

    def __init__(self, *documents):
        self.documents = documents

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
        self._backlog_measured = 0.0
        self.loop = BackgroundLoop(self.container.service_name, "outbox-relay", self.sweep,
                                   poll_seconds=self.poll_seconds)

    def start(self):
        self.loop.start(self._spawn)
        self.loop.kick()  # publish at once what a stopped replica left

    def _spawn(self, run):
        return self.container.spawn_managed_thread(run, identifier=f"{self.container.service_name}.outbox")

    def stop(self):
        self.loop.stop()

    def kill(self):
        self.loop.stop(timeout=0)

    def kick(self) -> None:
        self.loop.kick()

    def get_dependency(self, worker_ctx):
        return self

    def worker_setup(self, worker_ctx):
        # Events recorded by this worker carry the trace of the request or event that caused it.
        bind_trace(worker_ctx.context_data.get("traceparent"))

    def worker_teardown(self, worker_ctx):
        self.kick()

    def sweep(self) -> None:
        """Publish whatever is pending (a search); now and then measure the backlog."""
        self.relay.publish_pending()
        if time.monotonic() - self._backlog_measured > self.backlog_interval_seconds:
            OUTBOX_BACKLOG.labels(self.container.service_name).set(self.relay.backlog())
            self._backlog_measured = time.monotonic()
