"""`@every_event`: one quorum queue bound to every public event of every service.

The platform's `@subscribe(cls)` gives each event type its own queue; integrations wants all
of them (22 today, more as the contracts grow), so one queue with a binding per registered type
keeps the broker tidy and the service's start-up quick. Everything else is the platform
subscriber's: quorum queue with a delivery limit, dead-lettering to `<queue>.dead-letter`,
back-off on failure, the inbox for idempotency, the typed event and its envelope.
"""

from __future__ import annotations

from ementor_contracts import REGISTRY
from kombu import Connection, Queue, binding
from nameko.events import SERVICE_POOL, EventHandler

from ementor.platform.amqp import event_exchange, subscriber_queues
from ementor.platform.consumer import EventSubscriber
from ementor.platform.inbox import Inbox


def every_event_queues(queue_name: str, delivery_limit: int) -> tuple[Queue, Queue]:
    """The consumer's quorum queue, bound to `<service>.events` with each event type, and its dead letters."""
    bindings = [
        binding(event_exchange(cls.source_service), routing_key=type_name)
        for type_name, cls in sorted(REGISTRY.items())
    ]
    return subscriber_queues("*", "*", queue_name, delivery_limit, bindings=bindings)


class EveryEventSubscriber(EventSubscriber):
    def __init__(self, **kwargs):
        # Skip EventSubscriber's one-type set-up; the queue is built in setup().
        EventHandler.__init__(
            self, "*", "*", handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True, **kwargs
        )
        self.event_class = None

    # Read by ementor.platform.topology, which declares every subscriber's queues at deploy time.
    @staticmethod
    def queue_name_for(service: str, method: str) -> str:
        return f"evt-all--{service}.{method}"

    @staticmethod
    def build_queues(queue_name: str, delivery_limit: int) -> tuple[Queue, Queue]:
        return every_event_queues(queue_name, delivery_limit)

    def setup(self):
        settings = self.settings
        service = self.container.service_name
        self.open_database()
        self.inbox = Inbox(service)
        self.consumer_name = f"{service}.{self.method_name}"
        self.queue, dead_letters = self.build_queues(
            self.queue_name_for(service, self.method_name), settings.EMENTOR_DELIVERY_LIMIT
        )
        with Connection(settings.AMQP_URI) as connection:
            channel = connection.default_channel
            dead_letters(channel).declare()
            self.queue(channel).declare()
        self.queue_consumer.register_provider(self)

    def check_type(self, type_name: str) -> None:
        # Any type of the registry; an unknown one fails to parse and is dead-lettered.
        if type_name not in REGISTRY:
            raise ValueError(f"unknown event type {type_name}")


every_event = EveryEventSubscriber.decorator
