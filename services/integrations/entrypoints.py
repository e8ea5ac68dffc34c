"""`@every_event`: one quorum queue bound to every public event of every service.

The platform's `@subscribe(cls)` gives each event type its own queue; integrations wants all
of them (22 today, more as the contracts grow), so one queue with a binding per registered type
keeps the broker tidy and the service's start-up quick. Everything else is the platform
subscriber's: quorum queue with a delivery limit, dead-lettering to `<queue>.dead-letter`,
back-off on failure, the inbox for idempotency, the typed event and its envelope.
"""

from __future__ import annotations

from ementor_contracts import REGISTRY
from kombu import Queue, binding
from nameko.events import SERVICE_POOL, EventHandler

from ementor.platform.amqp import event_exchange, subscriber_queues
from ementor.platform.consumer import EventSubscriber


def every_event_queues(queue_name: str, delivery_limit: int) -> tuple[Queue, Queue]:
    """The consumer's quorum queue, bound to `<service>.events` with each event type, and its dead letters."""
    bindings = [
        binding(event_exchange(cls.source_service), routing_key=type_name)
        for type_name, cls in sorted(REGISTRY.items())
    ]
    return subscriber_queues("*", "*", queue_name, delivery_limit, bindings=bindings)


class EveryEventSubscriber(EventSubscriber):
    def __init__(self, **kwargs):
        # Not one type: EventSubscriber.setup builds the queue with build_queues below.
        EventHandler.__init__(
            self, "*", "*", handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True, **kwargs
        )
        self.event_class = None

    @staticmethod
    def queue_name_for(service: str, method: str) -> str:
        return f"evt-all--{service}.{method}"

    @staticmethod
    def build_queues(queue_name: str, delivery_limit: int) -> tuple[Queue, Queue]:
        return every_event_queues(queue_name, delivery_limit)

    def check_type(self, type_name: str) -> None:
        # Any type of the registry; an unknown one fails to parse and is dead-lettered.
        if type_name not in REGISTRY:
            raise ValueError(f"unknown event type {type_name}")


every_event = EveryEventSubscriber.decorator
