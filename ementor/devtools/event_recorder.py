"""Listen to ementor events over AMQP as an integration would (walkthrough and tests)."""

from __future__ import annotations

import json
import time

from ementor_contracts import CloudEvent, parse_cloudevent
from kombu import Connection, Exchange, Queue

SERVICES = ("profiles", "matching", "messaging", "notifications", "video", "safeguarding", "insights", "knowledge")


class EventRecorder:
    """Binds an exclusive queue to every service's event exchange and records what arrives."""

    def __init__(self, amqp_uri: str, services=SERVICES):
        self.connection = Connection(amqp_uri)
        self.channel = self.connection.channel()
        self.queue = Queue("", exclusive=True, auto_delete=True, durable=False)(self.channel)
        self.queue.declare()
        for service in services:
            exchange = Exchange(f"{service}.events", type="topic", durable=True, auto_delete=False)(self.channel)
            exchange.declare()
            self.queue.bind_to(exchange=exchange, routing_key="#")
        self.events: list[CloudEvent] = []
        self.raw: list[dict] = []

    def _drain(self) -> None:
        while (message := self.queue.get(no_ack=True)) is not None:
            body = json.loads(message.body)
            self.raw.append({"body": body, "content_type": message.content_type, "routing_key": message.delivery_info["routing_key"]})
            self.events.append(parse_cloudevent(body))

    def of_type(self, type_name: str) -> list[CloudEvent]:
        self._drain()
        return [e for e in self.events if e.type == type_name]

    def wait_for(self, type_name: str, predicate=lambda e: True, timeout: float = 10.0, count: int = 1) -> list[CloudEvent]:
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.of_type(type_name) if predicate(e)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = sorted({e.type for e in self.events})
                raise AssertionError(f"expected {count} {type_name} event(s) within {timeout}s; saw types {seen}")
            time.sleep(0.02)

    def close(self) -> None:
        self.connection.release()
