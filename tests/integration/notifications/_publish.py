"""Publish upstream events as their services would (this folder's own helper).

The event goes to `<service>.events` (topic, durable) with the event type as routing key, as a
structured CloudEvent, with publisher confirms. Pass `envelope=` to publish the very same
CloudEvent again (a redelivery, same id).
"""

from __future__ import annotations

from ementor_contracts import CloudEvent, Event, to_cloudevent
from kombu import Connection

from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER, event_exchange


def publish(amqp_uri: str, event: Event, tenant_id: str, *, envelope: CloudEvent | None = None,
            **to_cloudevent_options) -> CloudEvent:
    envelope = envelope or to_cloudevent(event, tenant_id, **to_cloudevent_options)
    exchange = event_exchange(event.source_service)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)
        producer.publish(
            envelope.model_dump(mode="json"), exchange=exchange, declare=[exchange], routing_key=envelope.type,
            delivery_mode=2, message_id=envelope.id, retry=True,
        )
    return envelope
