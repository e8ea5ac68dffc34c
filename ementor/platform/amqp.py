"""Names and declarations shared by publishers and consumers on RabbitMQ."""

from __future__ import annotations

import json

import kombu.serialization
from ementor_contracts.envelope import CONTENT_TYPE
from kombu import Exchange, Queue

CLOUDEVENTS_SERIALIZER = "cloudevents"
DEAD_LETTER_EXCHANGE = "ementor.dead-letter"


def _register_serializer() -> None:
    kombu.serialization.register(
        CLOUDEVENTS_SERIALIZER,
        encoder=lambda body: json.dumps(body, separators=(",", ":")),
        decoder=json.loads,
        content_type=CONTENT_TYPE,
        content_encoding="utf-8",
    )


_register_serializer()


def nameko_config(settings, **extra) -> dict:
    """The nameko config dict for a service, built from validated settings."""
    config = {
        "AMQP_URI": settings.AMQP_URI,
        "WEB_SERVER_ADDRESS": settings.EMENTOR_HTTP_ADDRESS,
        "max_workers": settings.EMENTOR_MAX_WORKERS,
        "parent_calls_tracked": 10,
        "SERIALIZER": "json",
        "ACCEPT": ["json", CLOUDEVENTS_SERIALIZER],
        # Event exchanges outlive their publishers: a restart must not drop subscribers' bindings.
        "AUTO_DELETE_EVENT_EXCHANGES": False,
        "EMENTOR_SETTINGS": settings,
    }
    config.update(extra)
    return config


def event_exchange(service: str) -> Exchange:
    return Exchange(f"{service}.events", type="topic", durable=True, auto_delete=False, delivery_mode=2)


def dead_letter_exchange() -> Exchange:
    return Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True, auto_delete=False)


def subscriber_queue_name(source_service: str, event_type: str, service: str, method: str) -> str:
    return f"evt-{source_service}-{event_type}--{service}.{method}"


def dead_letter_queue_name(queue_name: str) -> str:
    return f"{queue_name}.dead-letter"


def subscriber_queues(source_service: str, event_type: str, queue_name: str, delivery_limit: int,
                      bindings: list | None = None) -> tuple[Queue, Queue]:
    """A quorum queue bound to the event (or to the given kombu bindings), and its dead-letter queue.

    Quorum queues count redeliveries; past `delivery_limit` RabbitMQ moves the message to the
    dead-letter queue, where an operator can inspect and replay it.
    """
    binding_args = (
        {"bindings": bindings} if bindings is not None
        else {"exchange": event_exchange(source_service), "routing_key": event_type}
    )
    queue = Queue(
        queue_name,
        **binding_args,
        durable=True,
        auto_delete=False,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": queue_name,
        },
    )
    dead = Queue(
        dead_letter_queue_name(queue_name),
        exchange=dead_letter_exchange(),
        routing_key=queue_name,
        durable=True,
        auto_delete=False,
        queue_arguments={"x-queue-type": "quorum"},
    )
    return queue, dead
