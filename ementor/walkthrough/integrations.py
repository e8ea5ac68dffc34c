"""Walkthrough step: the organisation's own systems hear what happens, by signed webhook and AMQP.

Starts a small webhook receiver on 127.0.0.1 (development accepts local targets), registers it,
makes a couple of things happen, and shows each delivery with its signature checked the way a
receiver would. Then issues the organisation's own RabbitMQ user and reads the same events
from the `ementor.integrations` exchange with it.
"""

from __future__ import annotations

import http.server
import json
import logging
import threading
import time

from services.integrations import domain

WAIT_SECONDS = 15.0


class _Receiver:
    def __init__(self):
        self.deliveries: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ementor-webhook"

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(tour) -> None:
    token = tour.state["coordinator_token"]
    organisation_id = tour.state["organisation_id"]

    catalogue = tour.api.get("/v1/events/catalogue").json()
    tour.say(
        "Integrations: the public event catalogue",
        f"GET /v1/events/catalogue (no token needed) lists {len(catalogue['schemas'])} event types, "
        "each with the JSON Schema of its CloudEvent, plus an AsyncAPI "
        f"{catalogue['asyncapi']['asyncapi']} document.",
    )

    receiver = _Receiver()
    amqp = webhook = None
    try:
        response = tour.api.post(
            "/v1/webhooks",
            token,
            json={"url": receiver.url, "event_types": ["*"], "description": "walkthrough receiver"},
            expect=(201, 422),
        )
        if response.status_code == 422:
            tour.say(
                "Webhook refused",
                response.json()["error"]["message"] + "\n(local receivers are accepted in development, "
                "or with EMENTOR_ALLOW_PRIVATE_WEBHOOKS=true)",
            )
            return
        webhook = response.json()
        tour.say(
            "A coordinator registers a webhook for every event type",
            f"POST /v1/webhooks -> {webhook['id']} at {webhook['url']}\n"
            f"signing secret (shown once): {webhook['secret'][:14]}...",
        )

        amqp = _open_amqp(tour, token, organisation_id)

        # Make things happen: a new programme, and a mentee's changed interests.
        tour.api.post("/v1/programmes", token, json={"name": f"Integrations demo {int(time.time())}"})
        mentee = tour.state["mentees"][0]
        current = set(mentee.get("interests", []))
        added = next(tag for tag in ("open-source", "open-data", "open-science") if tag not in current)
        interests = sorted(current | {added})
        tour.api.patch(f"/v1/people/{mentee['id']}", token, json={"interests": interests})

        receiver.wait_for(2)
        lines = []
        for headers, body in receiver.deliveries:
            event = json.loads(body)
            try:
                domain.verify(webhook["secret"], headers, body, now=time.time())
                verdict = "signature verified"
            except domain.InvalidSignature as exc:
                verdict = f"SIGNATURE INVALID: {exc}"
            lines.append(
                f"{event['type']:<16} webhook-id={headers['webhook-id']}  {verdict}  "
                f"(tenantid is ours: {event['tenantid'] == organisation_id})"
            )
        tour.say(
            f"The receiver got {len(receiver.deliveries)} signed deliveries (Standard Webhooks)",
            "\n".join(lines) or "none arrived within the wait; see GET /v1/webhooks/<id>/deliveries",
        )
        log = tour.api.get(f"/v1/webhooks/{webhook['id']}/deliveries", token).json()["items"]
        tour.say(
            "Its delivery log (GET /v1/webhooks/<id>/deliveries)",
            "\n".join(
                f"{d['event_type']:<16} {d['status']:<9} attempts={d['attempts']} "
                f"last HTTP {d['last_status_code']}"
                for d in log
            ),
        )
        if amqp is not None:
            _show_amqp(tour, amqp, expected=len(receiver.deliveries))
    finally:
        # The receiver stops with the step: remove what points at it, and the broker user.
        receiver.close()
        if webhook is not None:
            tour.api.delete(f"/v1/webhooks/{webhook['id']}", token, expect=(204, 404))
        if amqp is not None:
            amqp[0].close()
            tour.api.delete("/v1/amqp-credentials", token, expect=(204, 404, 503))


def _open_amqp(tour, token: str, organisation_id: str):
    """Issue the organisation's RabbitMQ user and bind a queue of its own; None if unavailable."""
    response = tour.api.post("/v1/amqp-credentials", token, expect=(201, 503))
    if response.status_code == 503:
        tour.say("AMQP access unavailable", response.json()["error"]["message"])
        return None
    credentials = response.json()
    import pika

    logging.getLogger("pika").setLevel(logging.WARNING)  # its INFO lines would drown the tour
    try:
        connection = pika.BlockingConnection(pika.URLParameters(credentials["amqp_uri"]))
        channel = connection.channel()
        queue = f"{credentials['queue_prefix']}walkthrough"
        channel.queue_declare(queue, exclusive=True, auto_delete=True)
        channel.queue_bind(
            queue, credentials["exchange"], routing_key=f"{credentials['routing_key_prefix']}#"
        )
    except (pika.exceptions.AMQPError, OSError) as exc:  # e.g. the broker is not reachable at the host named
        tour.say("AMQP credentials issued, but connecting with them failed", str(exc))
        return None
    tour.say(
        "The organisation gets its own RabbitMQ user (POST /v1/amqp-credentials)",
        f"user {credentials['username']} may bind queues named {credentials['queue_prefix']}* to "
        f"{credentials['exchange']} with routing keys {credentials['routing_key_prefix']}* only",
    )
    return connection, channel, queue


def _show_amqp(tour, amqp, expected: int) -> None:
    connection, channel, queue = amqp
    seen = []
    deadline = time.monotonic() + WAIT_SECONDS
    while len(seen) < expected and time.monotonic() < deadline:
        method, _properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            connection.sleep(0.05)
            continue
        seen.append(f"{method.routing_key}  id={json.loads(body)['id']}")
    tour.say(
        f"The same {len(seen)} events, read from ementor.integrations with the organisation's own user",
        "\n".join(seen) or "none arrived within the wait",
    )
    tour.say(
        "(the walkthrough then deletes its webhook and revokes that user: DELETE /v1/webhooks/<id>, "
        "DELETE /v1/amqp-credentials)"
    )
