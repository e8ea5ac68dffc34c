"""The outbox relay, with a fast path for events this process has just stored.

The platform relay finds pending events by querying for them and publishes them one at a time,
waiting for each confirm: right for recovery, but a search per document and a broker round trip
per event (a quorum queue confirms after its log is synced, so one waiting publisher tops out at
a few hundred a second). Messaging writes one document per message, so:

- the worker hands the stored document's events straight to the relay (`hand_over`), no search;
- the relay publishes every event handed over since its last batch, then waits once for all the
  confirms (publisher confirms pipelined on one channel), then pulls the confirmed events from
  their documents in one write.

A handed-over document is written with a short lease (repository.HANDOVER_LEASE), so other
replicas' sweeps leave it alone meanwhile; if this process dies, or a batch fails, the lease
lapses and a sweep (the platform relay's search, every `sweep_seconds`) publishes the events.
Delivery stays at least once; consumers dedupe by event id.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque

from amqp import Message as AmqpMessage
from ementor_contracts import CONTENT_TYPE
from eventlet.queue import Empty
from kombu import Connection

from ementor.platform.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from ementor.platform.outbox import EventOutbox

log = logging.getLogger(__name__)


class NotConfirmed(Exception):
    """The broker nacked a message, or did not confirm it in time."""


class PipelinedPublisher:
    """Publishes persistent messages on one confirm-mode channel and waits once for a whole batch."""

    def __init__(self, amqp_uri: str, exchange: str, confirm_timeout: float = 10.0):
        self.amqp_uri, self.exchange, self.confirm_timeout = amqp_uri, exchange, confirm_timeout
        self._connection = None
        self._channel = None

    def _connect(self) -> None:
        self._connection = Connection(self.amqp_uri)
        self._connection.connect()
        channel = self._connection.channel()
        channel.exchange_declare(self.exchange, "topic", durable=True, auto_delete=False)
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._channel, self._next_tag, self._outstanding, self._nacked = channel, 1, set(), set()

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked.update(self._settle(delivery_tag, multiple))

    def _settle(self, delivery_tag: int, multiple: bool) -> set[int]:
        settled = {t for t in self._outstanding if t <= delivery_tag} if multiple else {delivery_tag}
        self._outstanding -= settled
        return settled

    def publish_many(self, messages: list[tuple[bytes, str, str, dict]]) -> None:
        """Publish (body, routing key, message id, headers) each; return once all are confirmed."""
        try:
            if self._channel is None:
                self._connect()
            for body, routing_key, message_id, headers in messages:
                message = AmqpMessage(body, content_type=CONTENT_TYPE, content_encoding="utf-8",
                                      delivery_mode=2, message_id=message_id, application_headers=headers)
                self._channel.basic_publish(message, exchange=self.exchange, routing_key=routing_key)
                self._outstanding.add(self._next_tag)
                self._next_tag += 1
            deadline = time.monotonic() + self.confirm_timeout
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NotConfirmed(f"{len(self._outstanding)} message(s) not confirmed "
                                       f"within {self.confirm_timeout}s")
                self._connection.drain_events(timeout=remaining)
            if self._nacked:
                raise NotConfirmed(f"the broker refused {len(self._nacked)} message(s)")
        except Exception:
            self.close()  # start clean: outstanding tags belong to a channel we no longer trust
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception as exc:  # noqa: BLE001 - closing a broken connection; nothing to recover
                log.debug("closing the publisher's connection: %r", exc)


class HandOverOutbox(EventOutbox):
    sweep_seconds = 10.0
    backlog_interval_seconds = 30.0
    batch_size = 500

    def __init__(self, *documents):
        super().__init__(*documents)
        self._handed: deque = deque()

    def setup(self):
        super().setup()
        settings = self.container.config["EMENTOR_SETTINGS"]
        self.publisher = PipelinedPublisher(settings.AMQP_URI, f"{self.container.service_name}.events")

    def stop(self):
        super().stop()
        self.publisher.close()

    def hand_over(self, document_class, tenant_id: str, pk: str, events) -> None:
        """Publish `events` (with .event_id, .type, .body) just saved on the document `pk`."""
        pending = [(e.event_id, e.type, e.body) for e in events]
        if pending:
            self._handed.append((document_class, tenant_id, pk, pending))
            self.kick()

    def worker_teardown(self, worker_ctx):
        if self._handed:
            self.kick()

    def _run(self):
        failures = 0
        next_sweep = time.monotonic()
        backlog_measured = time.monotonic()
        while True:
            try:
                self._wake.get(timeout=self.poll_seconds)
            except Empty:
                pass
            self.publish_handed()
            if time.monotonic() < next_sweep:
                continue
            try:
                self.relay.publish_pending()
                if time.monotonic() - backlog_measured > self.backlog_interval_seconds:
                    OUTBOX_BACKLOG.labels(self.container.service_name).set(self.relay.backlog())
                    backlog_measured = time.monotonic()
                failures = 0
                next_sweep = time.monotonic() + self.sweep_seconds
            except Exception as exc:  # noqa: BLE001 - broker or database away: events stay stored
                failures += 1
                delay = min(self.max_backoff_seconds, 0.5 * 2 ** min(failures, 8)) * random.uniform(0.5, 1.0)
                log.warning("outbox sweep of %s could not publish (%s); retrying in %.1fs",
                            self.container.service_name, exc, delay)
                next_sweep = time.monotonic() + delay

    def _publish(self, messages: list) -> bool:
        """Publish with confirms; once more on a fresh connection if the first attempt failed (an idle
        connection closed by the broker, say). If that fails too, the documents stay leased and the
        sweep publishes them once the lease lapses."""
        for attempt in (1, 2):
            try:
                self.publisher.publish_many(messages)
                return True
            except Exception as exc:  # noqa: BLE001 - any failure: retry once, then leave it to the sweep
                log.warning("%s could not publish %d event(s) (attempt %d): %s", self.container.service_name,
                            len(messages), attempt, exc)
        return False

    def publish_handed(self) -> int:
        sent = 0
        service = self.container.service_name
        while self._handed:
            batch = [self._handed.popleft() for _ in range(min(self.batch_size, len(self._handed)))]
            messages = [(body.encode(), type_name, event_id, {"ce-type": type_name, "ce-tenantid": tenant_id})
                        for _, tenant_id, _, pending in batch for event_id, type_name, body in pending]
            if not self._publish(messages):
                continue
            by_class: dict = {}
            for document, _, pk, pending in batch:
                ids, events = by_class.setdefault(document, ([], []))
                ids.append(pk)
                events.extend(event_id for event_id, _, _ in pending)
            for document, (ids, events) in by_class.items():
                try:  # one write for the batch; an event id is unique, so pulling them all is exact
                    document._get_collection().update_many(
                        {"_id": {"$in": ids}},
                        {"$pull": {"outbox": {"event_id": {"$in": events}}},
                         "$set": {"outbox_lease_until": None}},
                    )
                except Exception as exc:  # noqa: BLE001 - published but still listed: the sweep sends them again
                    log.warning("%s could not mark %d document(s) published (%s)", service, len(ids), exc)
            for _, type_name, _, _ in messages:
                EVENTS_PUBLISHED.labels(service, type_name).inc()
            sent += len(messages)
        return sent
