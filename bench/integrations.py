"""Webhook delivery: throughput, latency, and whether a hanging receiver slows the others.

Runs the integrations service in this process against the local RabbitMQ (a throwaway vhost)
and MongoDB (MONGODB_URI, else the in-process mongomock stand-in), with webhook receivers on
127.0.0.1 in the same process. Latency is from publishing the event to `<service>.events` to the
receiver reading the signed request: consume, fan-out, store, claim, sign, POST. Beside each
throughput figure: the process's CPU per delivery (receivers included), the stand-in's share of it,
and the throughput with the stand-in's time taken out of the run.

    python -m bench.integrations [--json] [--quick]
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet

eventlet.monkey_patch()

import http.server
import os
import statistics
import threading
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from bson import ObjectId
from ementor_contracts import MatchAccepted, to_cloudevent
from kombu import Connection, Exchange

from bench.report import Report, arguments
from bench.sampling import Sampler
from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER
from ementor.platform.http.auth import issue_token
from ementor.platform.settings import Settings, load_settings
from ementor.runner import Services
from services.integrations import domain
from services.integrations.dispatcher import WebhookDispatcher
from services.integrations.service import IntegrationsService

BODY_BYTES = 1024


class Receiver:
    """Records when each webhook-id arrived; `hold` makes it hang like a stuck receiver."""

    def __init__(self, hold: bool = False):
        self.arrived: dict[str, float] = {}
        self.open = threading.Event()
        if not hold:
            self.open.set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.open.wait(60)
                receiver.arrived.setdefault(self.headers["webhook-id"], time.perf_counter())
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.open.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def vhost(amqp_uri: str, management_url: str):
    name = f"bench-{uuid.uuid4().hex[:10]}"
    parts = urlsplit(management_url)
    auth = (parts.username or "guest", parts.password or "guest")
    api = urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port or 15672}", "/api", "", ""))
    requests.put(f"{api}/vhosts/{name}", auth=auth, timeout=10).raise_for_status()
    user = urlsplit(amqp_uri).username or "guest"
    requests.put(
        f"{api}/permissions/{name}/{user}",
        auth=auth,
        timeout=10,
        json={"configure": ".*", "write": ".*", "read": ".*"},
    ).raise_for_status()
    try:
        yield urlsplit(amqp_uri)._replace(path="/" + quote(name, safe="")).geturl()
    finally:
        requests.delete(f"{api}/vhosts/{name}", auth=auth, timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Bench:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.base = f"http://{settings.EMENTOR_HTTP_ADDRESS}"
        self.connection = Connection(settings.AMQP_URI)
        self.producer = self.connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)
        self.exchange = Exchange("matching.events", type="topic", durable=True, auto_delete=False)

    def register(self, tenant: str, url: str) -> str:
        token = issue_token(self.settings.EMENTOR_JWT_SECRET, tenant_id=tenant, role="coordinator")
        response = requests.post(
            f"{self.base}/v1/webhooks",
            json={"url": url, "event_types": ["*"]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["id"]

    def publish(self, tenant: str, count: int) -> dict[str, float]:
        sent = {}
        for n in range(count):
            event = MatchAccepted(match_id=f"match-{n}", mentee_id="mentee", mentor_id="mentor")
            envelope = to_cloudevent(event, tenant)
            sent[envelope.id] = time.perf_counter()
            self.producer.publish(
                envelope.model_dump(mode="json"),
                exchange=self.exchange,
                declare=[self.exchange],
                routing_key=envelope.type,
                delivery_mode=2,
            )
        return sent

    @staticmethod
    def wait(receivers: list[Receiver], expected: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while any(not expected <= r.arrived.keys() for r in receivers):
            if time.monotonic() > deadline:
                got = [len(expected & r.arrived.keys()) for r in receivers]
                raise SystemExit(
                    f"bench.integrations: only {got} of {len(expected)} deliveries within {timeout}s"
                )
            time.sleep(0.02)


def fresh_store() -> None:
    """Each scenario starts with an empty delivery log, so they compare like with like."""
    from services.integrations.documents import Delivery

    Delivery._get_collection().delete_many({})


def throughput(report: Report, label: str, deliveries: int, span: float, mark, target: str | None = None,
               **context) -> None:
    """Deliveries per second over `span`, beside the CPU they took since `mark` and the stand-in's share."""
    cpu, share = mark.cpu_seconds(), mark.store_share()
    report.figure(f"deliveries per second, {label}", round(deliveries / span, 1), "deliveries/s", target,
                  cpu_per_delivery_ms=round(cpu / deliveries * 1000, 2), stand_in_share=round(share, 3), **context)
    report.figure(f"deliveries per second without the stand-in's time, {label}",
                  round(deliveries / max(span - cpu * share, 1e-6), 1), "deliveries/s", target, **context)


def latency_figures(
    report: Report, label: str, sent: dict[str, float], receiver: Receiver, **context
) -> float:
    latencies = [(receiver.arrived[i] - t) * 1000 for i, t in sent.items()]
    p50 = round(statistics.median(latencies), 1)
    report.figure(f"latency p50, {label}", p50, "ms", **context)
    report.figure(f"latency p95, {label}", round(percentile(latencies, 95), 1), "ms", **context)
    return p50


class InFlightSampler:
    """Samples the dispatcher's attempts in flight to one endpoint (the sender's side of the cap)."""

    def __init__(self, dispatcher: WebhookDispatcher, webhook_id: str):
        self.peak = 0
        self._running = True

        def sample():
            while self._running:
                self.peak = max(self.peak, dispatcher.in_flight.get(webhook_id, 0))
                eventlet.sleep(0.005)

        self._gt = eventlet.spawn(sample)

    def stop(self) -> int:
        self._running = False
        self._gt.wait()
        return self.peak


def run_scenarios(report: Report, settings: Settings, quick: bool, dispatcher: WebhookDispatcher,
                  sampler: Sampler) -> None:
    events = 100 if quick else 300
    bench = Bench(settings)
    receivers: list[Receiver] = []
    try:
        # 1. One organisation, one healthy endpoint: the baseline.
        fresh_store()
        tenant, receiver = str(ObjectId()), Receiver()
        receivers.append(receiver)
        bench.register(tenant, receiver.url)
        mark = sampler.mark()
        sent = bench.publish(tenant, events)
        bench.wait([receiver], set(sent), timeout=300)
        span = max(receiver.arrived.values()) - min(sent.values())
        context = {"events": events, "endpoints": 1}
        throughput(report, "one endpoint", events, span, mark, **context)
        latency_figures(report, "one endpoint", sent, receiver, **context)

        # 2. Two endpoints of one organisation: both healthy, then one hanging (every attempt to it
        #    waits for the 10 s timeout). The healthy endpoint should not notice the difference.
        fresh_store()
        tenant, first, second = str(ObjectId()), Receiver(), Receiver()
        receivers.extend([first, second])
        bench.register(tenant, first.url)
        bench.register(tenant, second.url)
        sent = bench.publish(tenant, events)
        bench.wait([first, second], set(sent), timeout=300)
        context = {"events": events, "endpoints": 2}
        both_healthy = latency_figures(report, "endpoint beside a healthy one", sent, first, **context)

        fresh_store()
        tenant, stuck, healthy = str(ObjectId()), Receiver(hold=True), Receiver()
        receivers.extend([stuck, healthy])
        in_flight = InFlightSampler(dispatcher, bench.register(tenant, stuck.url))
        bench.register(tenant, healthy.url)
        sent = bench.publish(tenant, events)
        bench.wait([healthy], set(sent), timeout=300)
        peak = in_flight.stop()
        beside = latency_figures(report, "endpoint beside a hanging one", sent, healthy, **context)
        report.figure(
            "p50 latency beside a hanging endpoint / beside a healthy one",
            round(beside / both_healthy, 2),
            "x",
            **context,
        )
        report.figure(
            "most attempts in flight to the hanging endpoint", peak, "requests", per_endpoint_cap=4, **context
        )

        # 3. Fan-out: one organisation, ten endpoints, every event to each.
        fresh_store()
        tenant, fan = str(ObjectId()), [Receiver() for _ in range(10)]
        receivers.extend(fan)
        for r in fan:
            bench.register(tenant, r.url)
        count = events // 3  # 1,000 deliveries in a full run: long enough to measure a rate
        mark = sampler.mark()
        sent = bench.publish(tenant, count)
        bench.wait(fan, set(sent), timeout=300)
        last = max(max(r.arrived[i] for i in sent) for r in fan)
        latencies = [(r.arrived[i] - t) * 1000 for r in fan for i, t in sent.items()]
        context = {"events": count, "endpoints": 10}
        throughput(report, "fan-out to 10 endpoints", count * 10, last - min(sent.values()), mark, ">= 300",
                   **context)
        report.figure(
            "latency p95, fan-out to 10 endpoints", round(percentile(latencies, 95), 1), "ms", **context
        )
    finally:
        for r in receivers:
            r.close()
        bench.connection.release()


def signing_cost(report: Report, quick: bool) -> None:
    secret, body = domain.new_secret(), b"x" * BODY_BYTES
    rounds = 20_000 if quick else 100_000
    started = time.perf_counter()
    for n in range(rounds):
        domain.sign(secret, f"evt-{n}", 1_700_000_000, body)
    report.figure(
        "signing cost per delivery",
        round((time.perf_counter() - started) / rounds * 1e6, 2),
        "µs",
        body_bytes=BODY_BYTES,
    )


def main(argv=None) -> int:
    args = arguments(__doc__.splitlines()[0], argv)
    report = Report("integrations", as_json=args.json)
    base = load_settings({"EMENTOR_ENV": "development", **os.environ})  # a bench is a development run
    report.note("webhook delivery through the integrations service; receivers share this process")
    if base.uses_embedded_mongo:
        report.note(
            "on mongomock every query scans its collection: absolute figures are a floor, set MONGODB_URI "
            "for a real server; the hanging/healthy ratio is what matters"
        )
    signing_cost(report, args.quick)
    with vhost(base.AMQP_URI, base.rabbitmq_management_url) as amqp_uri:
        settings = base.model_copy(
            update={
                "EMENTOR_ENV": "test",
                "AMQP_URI": amqp_uri,
                "EMENTOR_ALLOW_PRIVATE_WEBHOOKS": True,
                "EMENTOR_HTTP_ADDRESS": f"127.0.0.1:{free_port()}",
            }
        )
        services = Services([IntegrationsService], settings).start()
        sampler = Sampler().start()
        try:
            [container] = services.containers
            [dispatcher] = [d for d in container.dependencies if isinstance(d, WebhookDispatcher)]
            run_scenarios(report, settings, args.quick, dispatcher, sampler)
        finally:
            sampler.stop()
            services.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
