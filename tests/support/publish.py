"""Publish an event as the service that owns it would: lets a test drive a consumer on its own.

    publish_event(amqp_uri, MatchAccepted(match_id=..., mentor_id=..., mentee_id=...), tenant_id)

The event goes to `<source service>.events` (a topic exchange) with the event type as routing
key, as a structured-mode CloudEvent, with publisher confirms: once this returns, the broker
has it (and has routed it to every queue bound at that moment).
"""

from __future__ import annotations

from ementor_contracts import CloudEvent, Event, to_cloudevent
from kombu import Connection

from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER, event_exchange


def publish_event(amqp_uri: str, event: Event, tenant_id: str, **envelope) -> CloudEvent:
    """Publish `event` for the organisation `tenant_id`; keyword arguments go to to_cloudevent
    (event_id, time, traceparent). Returns the envelope sent."""
    cloud_event = to_cloudevent(event, tenant_id, **envelope)
    exchange = event_exchange(event.source_service)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)
        producer.publish(
            cloud_event.model_dump(mode="json", exclude_none=True),
            exchange=exchange,
            declare=[exchange],
            routing_key=cloud_event.type,
            delivery_mode=2,
            message_id=cloud_event.id,
            headers={"ce-type": cloud_event.type, "ce-tenantid": tenant_id},
            retry=True,
        )
    return cloud_event
