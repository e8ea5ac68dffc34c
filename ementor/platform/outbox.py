"""Transactional outbox: a state change and its events are stored in one document write.

A service records events on the aggregate it changes (`doc.record(event)`, or a raw
conditional update that pushes `Pending.of(event, tenant_id).stored()`) and saves the document
once. A stored outbox only ever grows by `$push` and shrinks by the relay's `$pull`: no write
puts back an event the relay has already taken out. The relay, running in every replica, publishes them with publisher confirms and only then
removes them. If the broker is down nothing is lost: the events wait in MongoDB and go out when
it is back. Delivery is at least once (a crash between confirm and removal publishes again);
consumers dedupe by id.

Two ways out, one publisher (publisher.PipelinedPublisher) and one loop per service:

- the sweep searches for documents with pending events, leases each and publishes its events;
  it runs after every worker that made an event (`EventOutbox`; every second in any case) or every
  few seconds (`HandOverOutbox`), and always finds what a dead replica or a failed batch left behind;
- the hand-over, for hot paths: a worker that has just written a document hands its events to
  the relay (`hand_over`), no search. The relay publishes everything handed over since its last
  batch, waits once for all the confirms, then pulls the confirmed events from their documents
  in one write. Such a document is written with a short lease (`HANDOVER_LEASE`) so that other
  replicas' sweeps leave it alone meanwhile; if this process dies the lease lapses and a sweep
  publishes the events.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import ClassVar, NamedTuple

from ementor_contracts import Event, to_cloudevent
from mongoengine import BooleanField, DateTimeField, EmbeddedDocument, EmbeddedDocumentListField, StringField
from pymongo import ReturnDocument

from .amqp import event_exchange
from .extension import ServiceDependency
from .logs import bind_trace, current_traceparent
from .loop import BackgroundLoop
from .metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from .publisher import PipelinedPublisher, publish_retrying_once
from .tenancy import TenantDocument

log = logging.getLogger(__name__)

# A handed-over document's lease: other replicas' sweeps leave it alone while its writer publishes.
HANDOVER_LEASE = timedelta(seconds=15)

# Per green thread (a nameko worker has its own, as each greenlet has its own context): whether it
# made an event to store, so that the sweep after a worker runs only when the worker may have left
# one. A ContextVar, not eventlet's green thread-local, which costs 1 µs an access.
_recorded: contextvars.ContextVar[bool] = contextvars.ContextVar("outbox_recorded", default=True)


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
        _recorded.set(True)
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

    meta: ClassVar[dict] = {"abstract": True, "indexes": [{"fields": ["outbox.event_id"], "sparse": True}]}

    def record(self, event: Event, *, traceparent: str | None = None) -> Pending:
        """Queue the event on this document; it is stored by the document's next save."""
        pending = Pending.of(event, self.tenant_id, traceparent=traceparent)
        self.outbox.append(PendingEvent(**pending._asdict()))
        self.__dict__.setdefault("_recorded", []).append(pending)
        return pending

    def recorded(self) -> list[Pending]:
        """The events recorded since the document was loaded or last saved (what its next save pushes)."""
        return list(self.__dict__.get("_recorded", ()))

    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        self.__dict__["_recorded"] = []  # stored now: the next save pushes only what is recorded after it
        return saved

    def save_changes(self, **condition) -> bool:
        """Store the fields changed since loading and push the recorded events, in one update of this
        document that also matches `condition`; False, with nothing written, when it does not.

        A hot path's save: mongoengine's `save` validates and serialises the whole document three
        times over to find the few fields a worker changed. Each changed field is validated alone;
        an empty value is unset, as `save` does."""
        update: dict[str, dict] = {}
        for name in {key.split(".")[0] for key in self._get_changed_fields()} - {"outbox"}:
            field = self._fields[self._reverse_db_field_map[name]]
            value = getattr(self, field.name)
            if value is None or (not value and not isinstance(value, (int, float))):
                update.setdefault("$unset", {})[name] = ""
                continue
            field._validate(value)  # as `validate` does for each field: its type, then its choices
            update.setdefault("$set", {})[name] = field.to_mongo(value)
        self._push_recorded(update)
        if not update:
            return type(self).raw().count_documents({"_id": self.pk, "tenant_id": self.tenant_id, **condition}) == 1
        written = type(self).raw().update_one({"_id": self.pk, "tenant_id": self.tenant_id, **condition}, update)
        if written.matched_count != 1:
            return False
        self._changed_fields = []  # what mongoengine's own clear does at the top, without its walk of every field
        self.__dict__["_recorded"] = []
        return True

    def _get_update_doc(self) -> dict:
        """The update of a stored document never rewrites its outbox: it `$push`es the events recorded
        since it was loaded. The outbox it was loaded with may have been published and pulled by a
        relay meanwhile; writing that list back would publish those events a second time."""
        update = super()._get_update_doc()
        for operator in ("$set", "$unset"):
            fields = update.get(operator, {})
            for key in [key for key in fields if key == "outbox" or key.startswith("outbox.")]:
                del fields[key]
            if operator in update and not fields:
                del update[operator]
        self._push_recorded(update)
        return update

    def _push_recorded(self, update: dict) -> None:
        """Add to `update` the `$push` of the events recorded since loading: an outbox only grows by it."""
        recorded = self.__dict__.get("_recorded")
        if recorded:
            update["$push"] = {"outbox": {"$each": [pending.stored() for pending in recorded]}}


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

    def mark_published(self, document, ids: list[str], event_ids: list[str]) -> None:
        """Pull confirmed events from their documents in one write (an event id is unique, so pulling
        them all from all the documents is exact)."""
        document.raw().across_tenants().update_many(
            {"_id": {"$in": ids}},
            {"$pull": {"outbox": {"event_id": {"$in": event_ids}}}, "$set": {"outbox_lease_until": None}})

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


class EventOutbox(ServiceDependency):
    """Runs the outbox relay for the service's documents: a sweep after every worker, plus hand-overs."""

    poll_seconds = 1.0
    sweep_seconds = 1.0  # at least this often, and after every worker when `sweep_after_workers`
    sweep_after_workers = True
    backlog_interval_seconds = 5.0
    batch_size = 500

    def __init__(self, *documents):
        self.documents = documents
        self._handed: deque = deque()

    def setup(self):
        service = self.container.service_name
        self.open_database()
        self.publisher = PipelinedPublisher(self.settings.AMQP_URI, event_exchange(service).name)

        def publish(envelope: dict, routing_key: str) -> None:
            body = json.dumps(envelope, separators=(",", ":")).encode()
            self.publisher.publish_many([(body, routing_key, envelope["id"], _headers(envelope["type"],
                                                                                     envelope["tenantid"]))])
            EVENTS_PUBLISHED.labels(service, routing_key).inc()

        self.relay = OutboxRelay(self.documents, publish)
        self._backlog_measured = 0.0
        self._next_sweep = 0.0  # sweep at start: publish what a stopped replica left
        self._sweep_wanted = True
        self.loop = BackgroundLoop(service, "outbox-relay", self.tick, poll_seconds=self.poll_seconds)

    def start(self):
        self.loop.start(lambda run: self.container.spawn_managed_thread(run, identifier=self.loop.name))
        self.loop.kick()

    def stop(self):
        self.loop.stop()
        self.publisher.close()

    def kill(self):
        self.loop.stop(timeout=0)
        self.publisher.close()

    def kick(self) -> None:
        self.loop.kick()

    def get_dependency(self, worker_ctx):
        return self

    def worker_setup(self, worker_ctx):
        # Events recorded by this worker carry the trace of the request or event that caused it.
        bind_trace(worker_ctx.context_data.get("traceparent"))
        _recorded.set(False)

    def worker_teardown(self, worker_ctx):
        # A worker that made no event (a read, a call answered from the store) leaves nothing to sweep.
        if self.sweep_after_workers and _recorded.get():
            self._sweep_wanted = True
            self.kick()
        elif self._handed:
            self.kick()

    def hand_over(self, document_class, tenant_id: str, pk: str, events) -> None:
        """Publish `events` (Pending, or anything with .event_id, .type, .body) just saved on document `pk`.

        Not for tombstones (`delete_when_published`): the sweep publishes and deletes those."""
        pending = [(e.event_id, e.type, e.body) for e in events]
        if pending:
            self._handed.append((document_class, tenant_id, pk, pending))
            self.kick()

    def tick(self) -> bool:
        """Publish what was handed over; sweep when a worker asked for it or the sweep is due."""
        sent = self.publish_handed()
        if self._sweep_wanted or time.monotonic() >= self._next_sweep:
            self._sweep_wanted = False
            self._next_sweep = time.monotonic() + self.sweep_seconds
            self.sweep()
        return bool(sent)

    def sweep(self) -> None:
        """Publish whatever is pending (a search); now and then measure the backlog."""
        self.relay.publish_pending()
        if time.monotonic() - self._backlog_measured > self.backlog_interval_seconds:
            OUTBOX_BACKLOG.labels(self.container.service_name).set(self.relay.backlog())
            self._backlog_measured = time.monotonic()

    def publish_handed(self) -> int:
        """Publish the handed-over events in batches, each confirmed at once and then pulled in one write."""
        sent = 0
        service = self.container.service_name
        while self._handed:
            batch = [self._handed.popleft() for _ in range(min(self.batch_size, len(self._handed)))]
            messages = [(body.encode(), type_name, event_id, _headers(type_name, tenant_id))
                        for _, tenant_id, _, pending in batch for event_id, type_name, body in pending]
            if not self._publish(messages):
                continue  # still leased: the sweep publishes them once the lease lapses
            by_class: dict = {}
            for document, _, pk, pending in batch:
                ids, events = by_class.setdefault(document, ([], []))
                ids.append(pk)
                events.extend(event_id for event_id, _, _ in pending)
            for document, (ids, events) in by_class.items():
                try:
                    self.relay.mark_published(document, ids, events)
                except Exception as exc:  # noqa: BLE001 - published but still listed: the sweep sends them again
                    log.warning("%s could not mark %d document(s) published (%s)", service, len(ids), exc)
            for _, type_name, _, _ in messages:
                EVENTS_PUBLISHED.labels(service, type_name).inc()
            sent += len(messages)
        return sent

    def _publish(self, messages: list) -> bool:
        """Publish with confirms; once more on a fresh connection if the first attempt failed (an idle
        connection closed by the broker, say). If that fails too, the documents stay leased and the
        sweep publishes them once the lease lapses."""
        try:
            publish_retrying_once(self.publisher, messages)
        except Exception as exc:  # noqa: BLE001 - failed twice: leave it to the sweep
            log.warning("%s could not publish %d event(s): %s", self.container.service_name, len(messages), exc)
            return False
        return True


class HandOverOutbox(EventOutbox):
    """For services whose writers hand every event over: the sweep only recovers, every few seconds."""

    sweep_seconds = 10.0
    sweep_after_workers = False
    backlog_interval_seconds = 30.0


def _headers(type_name: str, tenant_id: str) -> dict:
    return {"ce-type": type_name, "ce-tenantid": tenant_id}
