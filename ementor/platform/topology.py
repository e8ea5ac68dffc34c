"""The broker topology derived from the service classes: declared at deploy time.

Events published before a subscriber's queue exists are dropped by RabbitMQ, so every
exchange, subscriber queue and dead-letter queue is declared before any service publishes
(`ementor declare`, run by the dev server and by compose before the services start).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from kombu import Connection

from .amqp import dead_letter_queue_name, event_exchange, subscriber_queue_name, subscriber_queues
from .consumer import EventSubscriber


@dataclass(frozen=True)
class Subscription:
    service: str
    method: str
    source_service: str
    event_type: str
    # The subscriber's own queue name and `build_queues(queue_name, delivery_limit) -> (queue, dead
    # letters)` (integrations binds one queue to every event type); without them, one event type's.
    queue_name: str | None = None
    build_queues: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def queue(self) -> str:
        if self.queue_name:
            return self.queue_name
        return subscriber_queue_name(self.source_service, self.event_type, self.service, self.method)

    def queues(self, delivery_limit: int):
        if self.build_queues is not None:
            return self.build_queues(self.queue, delivery_limit)
        return subscriber_queues(self.source_service, self.event_type, self.queue, delivery_limit)

    @property
    def dead_letter_queue(self) -> str:
        return dead_letter_queue_name(self.queue)


def subscriptions(service_classes) -> list[Subscription]:
    found = []
    for cls in service_classes:
        for method_name, method in inspect.getmembers(cls, inspect.isfunction):
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                if isinstance(entrypoint, EventSubscriber):
                    found.append(Subscription(
                        cls.name, method_name, entrypoint.source_service, entrypoint.event_type,
                        queue_name=entrypoint.queue_name_for(cls.name, method_name),
                        build_queues=entrypoint.build_queues,
                    ))
    return sorted(found, key=lambda s: s.queue)


def declare(amqp_uri: str, service_classes, delivery_limit: int) -> list[Subscription]:
    subs = subscriptions(service_classes)
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        for cls in service_classes:
            event_exchange(cls.name)(channel).declare()
        for sub in subs:
            queue, dead = sub.queues(delivery_limit)
            dead(channel).declare()
            queue(channel).declare()
    return subs


def dead_letter_counts(amqp_uri: str, subs: list[Subscription]) -> dict[str, int]:
    counts = {}
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        for sub in subs:
            _, count, _ = channel.queue_declare(sub.dead_letter_queue, passive=True)
            counts[sub.queue] = count
    return counts


def replay_dead_letters(amqp_uri: str, queue: str, limit: int | None = None) -> int:
    """Move dead-lettered messages back onto their queue, oldest first; return how many moved."""
    moved = 0
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        channel = connection.channel()
        producer = connection.Producer(channel)
        while limit is None or moved < limit:
            message = channel.basic_get(dead_letter_queue_name(queue), no_ack=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            headers["ementor-replayed"] = headers.get("ementor-replayed", 0) + 1
            producer.publish(
                message.body, exchange="", routing_key=queue, headers=headers,
                content_type=message.content_type, content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            channel.basic_ack(message.delivery_tag)
            moved += 1
    return moved
