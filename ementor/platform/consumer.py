"""The event-subscriber entrypoint: quorum queue, dead letters, back-off, idempotency.

nameko's own event handler acks a failed message (losing it) or, with requeue_on_error,
redelivers it for ever. Here a failing handler's message is requeued after a growing pause;
RabbitMQ counts the deliveries and, past the limit, dead-letters it to `<queue>.dead-letter`
where it can be inspected and replayed. A message that cannot be parsed is dead-lettered at
once. Each event is handled once per consumer (inbox), and handlers receive the typed event
with its envelope, whose `tenantid` scopes everything they touch.

`@subscribe(cls, when=test)` acks at once, with no inbox write and no worker, an event that
`test(event)` says the handler would ignore (a notification that was not a nudge, say): the
test sees only the event, so a redelivery answers the same.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import eventlet
from ementor_contracts import CloudEvent, Event, parse_cloudevent
from kombu import Connection
from nameko.events import SERVICE_POOL, EventHandler
from nameko.messaging import QueueConsumer
from pydantic import ValidationError

from .amqp import subscriber_queue_name, subscriber_queues
from .extension import ServiceExtension
from .inbox import Claim, Inbox
from .logs import event_context
from .loop import backoff
from .metrics import EVENTS_DEAD_LETTERED, EVENTS_FAILED, EVENTS_HANDLED, EVENTS_IGNORED, HANDLER_LATENCY

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help: the event is dead-lettered at once."""


class DeadLetteringQueueConsumer(QueueConsumer):
    """kombu acks (and so loses) a message whose body it cannot decode; dead-letter it instead."""

    def on_decode_error(self, message, exc):
        log.error("dead-lettering undecodable message (%s, %s): %s",
                  message.content_type, message.delivery_info.get("routing_key"), exc)
        if message.channel.connection:
            message.reject(requeue=False)


class EventSubscriber(ServiceExtension, EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()
    busy_poll_seconds = 0.25
    when: Callable[[Event], bool] | None = None

    def __init__(self, event_class: type[Event], when: Callable[[Event], bool] | None = None, **kwargs):
        super().__init__(
            event_class.source_service,
            event_class.type_name(),
            handler_type=SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=True,
            **kwargs,
        )
        self.event_class = event_class
        self.when = when

    # Read by ementor.platform.topology too, which declares every subscriber's queues at deploy time;
    # a subscriber that builds its queue differently (integrations: one for every type) overrides both.
    def queue_name_for(self, service: str, method: str) -> str:
        return subscriber_queue_name(self.source_service, self.event_type, service, method)

    def build_queues(self, queue_name: str, delivery_limit: int):
        """(the consumer's queue, its dead letters)."""
        return subscriber_queues(self.source_service, self.event_type, queue_name, delivery_limit)

    def setup(self):
        settings = self.settings
        service = self.container.service_name
        self.open_database()
        self.inbox = Inbox(service)
        self.consumer_name = f"{service}.{self.method_name}"
        self.queue, dead_letters = self.build_queues(self.queue_name_for(service, self.method_name),
                                                     settings.EMENTOR_DELIVERY_LIMIT)
        with Connection(settings.AMQP_URI) as connection:
            channel = connection.default_channel
            dead_letters(channel).declare()
            self.queue(channel).declare()
        self.queue_consumer.register_provider(self)

    def handle_message(self, body, message):
        try:
            envelope = parse_cloudevent(body)
            self.check_type(envelope.type)
            if not envelope.tenantid:
                raise ValueError("event without tenantid")
            event = envelope.event()
        except (ValidationError, ValueError, LookupError, TypeError) as exc:
            log.error("dead-lettering unreadable message on %s: %s", self.queue.name, exc)
            self._dead_letter(message)
            return
        if self.when is not None and not self.when(event):
            self.queue_consumer.ack_message(message)
            EVENTS_IGNORED.labels(self.container.service_name, self.consumer_name, envelope.type).inc()
            return
        claim = self.inbox.claim(envelope.tenantid, self.consumer_name, envelope.id)
        while claim is Claim.BUSY:
            # Redelivered while an earlier delivery is still being handled (its connection was cut):
            # wait here until that one finishes, or its lease lapses because its replica died.
            eventlet.sleep(self.busy_poll_seconds)
            claim = self.inbox.claim(envelope.tenantid, self.consumer_name, envelope.id)
        if claim is Claim.DONE:
            log.info("skipping %s %s: already handled by %s", envelope.type, envelope.id, self.consumer_name)
            self.queue_consumer.ack_message(message)
            return
        self.handle_message_with_args(message, envelope, event)

    def check_type(self, type_name: str) -> None:
        """Raise ValueError for an event type this subscriber's queue should not carry."""
        if type_name != self.event_type:
            raise ValueError(f"expected {self.event_type}, got {type_name}")

    def handle_message_with_args(self, message, envelope: CloudEvent, event: Event):
        context_data = self.unpack_message_headers(message)
        context_data["ce-id"] = envelope.id
        context_data["tenant_id"] = envelope.tenantid
        if envelope.traceparent:
            context_data["traceparent"] = envelope.traceparent
        started = time.perf_counter()
        self.container.spawn_worker(
            self,
            (event, envelope),
            {},
            context_data=context_data,
            handle_result=lambda worker_ctx, result=None, exc_info=None: self._finish(
                message, envelope, started, result, exc_info
            ),
        )

    def _finish(self, message, envelope: CloudEvent, started: float, result, exc_info):
        service = self.container.service_name
        HANDLER_LATENCY.labels(service, self.consumer_name).observe(time.perf_counter() - started)
        with event_context(envelope):
            if exc_info is None:
                self.inbox.done(envelope.tenantid, self.consumer_name, envelope.id)
                self.queue_consumer.ack_message(message)
                EVENTS_HANDLED.labels(service, self.consumer_name, envelope.type).inc()
                return result, exc_info
            EVENTS_FAILED.labels(service, self.consumer_name, envelope.type).inc()
            self.inbox.release(envelope.tenantid, self.consumer_name, envelope.id)
            if isinstance(exc_info[1], PermanentFailure):
                log.error("%s failed permanently on %s: %s", self.consumer_name, envelope.id, exc_info[1])
                self._dead_letter(message)
            else:
                attempts = int((message.headers or {}).get("x-delivery-count", 0)) + 1
                delay = backoff(attempts, base=0.1, cap=10.0)
                log.warning("%s failed on %s (attempt %d): %r; retrying in %.2fs",
                            self.consumer_name, envelope.id, attempts, exc_info[1], delay)
                eventlet.sleep(delay)
                self.queue_consumer.requeue_message(message)
        return result, exc_info

    def _dead_letter(self, message) -> None:
        EVENTS_DEAD_LETTERED.labels(self.container.service_name, self.consumer_name).inc()
        if message.channel.connection:
            message.reject(requeue=False)


subscribe = EventSubscriber.decorator
