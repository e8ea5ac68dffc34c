"""The broker part of bench/insights.py: RabbitMQ's own ceiling, then the insights service fed over it.

Both on one fresh vhost in the same run. The ceiling is persistent, confirmed publishes to a
quorum queue (one publisher waiting for each confirm) then consuming them with acks: the most a
single consumer could see. The service's figure is events published as their services would,
until the projections have taken in every message (they arrive on several queues, so out of
order, as in production).
"""

from __future__ import annotations

import time

from bench.insights import NOW, generated_history


def ceiling(amqp_uri: str, count: int) -> float:
    from kombu import Connection, Exchange, Queue

    exchange = Exchange("bench.insights.ceiling", type="topic", durable=True)
    queue = Queue("bench.insights.ceiling", exchange=exchange, routing_key="x", durable=True,
                  queue_arguments={"x-queue-type": "quorum"})
    body = {"specversion": "1.0", "type": "MessageSent", "data": {"message_id": "m", "length": 80}}
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        queue(connection.default_channel).declare()
        producer = connection.Producer(serializer="json")
        started = time.perf_counter()
        for _ in range(count):
            producer.publish(body, exchange=exchange, routing_key="x", delivery_mode=2)
        received = []
        with connection.Consumer(queue, callbacks=[lambda b, m: (received.append(1), m.ack())], prefetch_count=200):
            while len(received) < count:
                connection.drain_events(timeout=10)
        elapsed = time.perf_counter() - started
        queue(connection.default_channel).delete()
    return count / elapsed


def run(report, quick: bool) -> None:
    from ementor_contracts import to_cloudevent
    from kombu import Connection

    from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER, event_exchange
    from ementor.platform.settings import DEV_ADMIN_TOKEN, DEV_JWT_SECRET, Settings
    from ementor.runner import Services
    from services.insights.documents import Fact
    from services.insights.service import InsightsService
    from tests.support.infra import VirtualHosts, free_port, rabbitmq_server

    events = generated_history(30 if quick else 100, 30, seed=9)
    with rabbitmq_server() as (amqp_uri, management_url, _):
        vhosts = VirtualHosts(amqp_uri, management_url)
        vhost, uri = vhosts.create()
        try:
            rate = ceiling(uri, len(events))
            report.figure("broker ceiling: confirmed publish then consume, one client", rate, "msg/s",
                          messages=len(events), queue="quorum")
            settings = Settings(_env_file=None, EMENTOR_ENV="development", EMENTOR_ADMIN_TOKEN=DEV_ADMIN_TOKEN,
                                EMENTOR_JWT_SECRET=DEV_JWT_SECRET, EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
                                AMQP_URI=uri, MONGODB_URI=None)
            services = Services([InsightsService], settings).start()
            try:
                expected = sum(1 for e, _ in events if e.type_name() == "MessageSent")
                started = time.perf_counter()
                with Connection(uri, transport_options={"confirm_publish": True}) as connection:
                    producer = connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)
                    for event, at in events:
                        envelope = to_cloudevent(event, "bench-broker", time=at)
                        producer.publish(envelope.model_dump(mode="json", exclude_none=True),
                                         exchange=event_exchange(event.source_service), routing_key=envelope.type,
                                         delivery_mode=2)
                deadline = time.monotonic() + 300
                while Fact.raw().count_documents({"tenant_id": "bench-broker", "kind": "message"}) < expected:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the projections did not take in every message within 300 s")
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
            finally:
                services.stop()
            through = len(events) / elapsed
            report.figure("projection throughput over RabbitMQ (publish to projected)", through, "events/s",
                          events=len(events), now=NOW.isoformat())
            report.figure("projection throughput as a share of the broker ceiling", 100 * through / rate, "%")
        finally:
            vhosts.delete(vhost)
