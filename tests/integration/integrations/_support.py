"""Test helpers of the integrations suite: publish events, a webhook receiver, tokens."""

from __future__ import annotations

import http.server
import threading
import time
from datetime import timedelta

from bson import ObjectId
from ementor_contracts import CloudEvent, Event, to_cloudevent
from kombu import Connection, Exchange

from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER
from ementor.platform.http.auth import issue_token
from services.integrations.dispatcher import WebhookDispatcher
from services.integrations.service import IntegrationsService

RETRY_PAUSE = timedelta(milliseconds=50)


class FastRetryIntegrations(IntegrationsService):
    """The service with a test-sized retry schedule and attempt timeout; all else as shipped."""

    dispatcher = WebhookDispatcher(schedule=(RETRY_PAUSE,) * 3, timeout=1.0, poll_seconds=0.05)


def new_tenant() -> str:
    return str(ObjectId())


def coordinator_token(settings, tenant_id: str) -> str:
    return issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=tenant_id, role="coordinator")


def publish(amqp_uri: str, event: Event, tenant_id: str, *, event_id: str | None = None) -> CloudEvent:
    """Publish an event as its service would: to `<service>.events`, routing key = event type."""
    envelope = to_cloudevent(event, tenant_id, event_id=event_id)
    exchange = Exchange(f"{event.source_service}.events", type="topic", durable=True, auto_delete=False)
    with Connection(amqp_uri) as connection:
        producer = connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)
        producer.publish(
            envelope.model_dump(mode="json"),
            exchange=exchange,
            declare=[exchange],
            routing_key=envelope.type,
            delivery_mode=2,
        )
    return envelope


class Receiver:
    """A webhook receiver on 127.0.0.1 in a thread: records requests, answers as told.

    `statuses` are answered in turn (then `default`); while `hold` is clear, requests wait.
    """

    def __init__(self, statuses=(), default: int = 200):
        self.statuses = list(statuses)
        self.default = default
        self.requests: list[dict] = []
        self.hold = threading.Event()
        self.hold.set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.hold.wait(30)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.monotonic()}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
