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
Each runs in its own `BackgroundLoop`, so a sweep backing off never holds up the hand-over.
Delivery stays at least once; consumers dedupe by event id.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from amqp import Message as AmqpMessage
from ementor_contracts import CONTENT_TYPE
from kombu import Connection

from ementor.platform.loop import BackgroundLoop
from ementor.platform.metrics import EVENTS_PUBLISHED
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
    """The platform outbox, whose search runs only every `sweep_seconds`, plus a hand-over loop."""

    sweep_seconds = 10.0
    backlog_interval_seconds = 30.0
    batch_size = 500

    def __init__(self, *documents):
        super().__init__(*documents)
        self._handed: deque = deque()

    @property
    def poll_seconds(self) -> float:  # the search is the sweep: it needs no kick
        return self.sweep_seconds

    def setup(self):
        super().setup()
        settings = self.container.config["EMENTOR_SETTINGS"]
        self.publisher = PipelinedPublisher(settings.AMQP_URI, f"{self.container.service_name}.events")
        self.hand_over_loop = BackgroundLoop(self.container.service_name, "outbox-hand-over", self.publish_handed)

    def start(self):
        super().start()
        self.hand_over_loop.start(self._spawn)

    def stop(self):
        self.hand_over_loop.stop()
        super().stop()
        self.publisher.close()

    def kill(self):
        self.hand_over_loop.stop(timeout=0)
        super().kill()
        self.publisher.close()

    def kick(self) -> None:
        self.hand_over_loop.kick()

    def hand_over(self, document_class, tenant_id: str, pk: str, events) -> None:
        """Publish `events` (with .event_id, .type, .body) just saved on the document `pk`."""
        pending = [(e.event_id, e.type, e.body) for e in events]
        if pending:
            self._handed.append((document_class, tenant_id, pk, pending))
            self.kick()

    def worker_teardown(self, worker_ctx):
        if self._handed:
            self.kick()

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
                    document.raw().across_tenants().update_many(
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
