"""Notifications benchmark: emails per second with the connection pool vs one connection per email,
and the latency from MessageSent published to the email accepted by the SMTP server.

    /work/main/.venv/bin/python -m bench.notifications [--json] [--quick]

The SMTP server is aiosmtpd in a separate process (bench/notifications_smtp_sink.py), so only the
sending side is measured. Throughput is measured twice, in the same run and with the same
rendered emails (text, HTML, and a calendar invitation on every fourth):

- in a plain asyncio process: the service's SmtpPool (8 connections) against one connection per
  email at the same concurrency, on plain SMTP and on STARTTLS + AUTH (what production uses);
- through the service's own path: green threads handing emails to the mail worker process.

Latency runs the real services in this process (profiles and notifications, RabbitMQ on a fresh
vhost, the in-process mongomock stand-in for MongoDB), publishes MessageSent at 100 events/s and
times each email from just before its event is published to the sink's acceptance. While it
runs, a green thread measures how long the eventlet hub is ever held up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

from bench.report import Report, arguments


def _extra(parser) -> None:
    parser.add_argument("--pool-child", help=argparse_hidden())


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


# -- the SMTP sink process -----------------------------------------------------------------------
class SinkProcess:
    def __init__(self, tls: bool = False, user: str | None = None):
        command = [sys.executable, "-m", "bench.notifications_smtp_sink"]
        if tls:
            command.append("--tls")
        if user:
            command += ["--user", user]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        hello = json.loads(self.process.stdout.readline())
        self.port, self.certificate = hello["port"], hello["certificate"]
        self.accepted: dict[str, float] = {}
        self.count = 0
        # Always drain its output, or the sink blocks once the pipe is full (a green thread here).
        threading.Thread(target=self._read_acceptances, daemon=True).start()

    def _read_acceptances(self) -> None:
        for line in self.process.stdout:
            _, event_id, at = line.split()
            self.count += 1
            self.accepted[event_id] = float(at)

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# -- emails to send --------------------------------------------------------------------------------
def rendered_emails(count: int) -> list:
    """Real notification emails as the service renders them; every fourth carries a calendar invite."""
    from datetime import UTC, datetime, timedelta

    from services.notifications import emails, templates
    from services.notifications.smtp_pool import Envelope

    start = datetime(2031, 3, 4, 16, tzinfo=UTC)
    out = []
    for i in range(count):
        kind = "session_scheduled" if i % 4 == 0 else "message_received"
        values = {"recipient_name": f"Person {i}", "organisation": "Northside School", "app_url": "https://ementor.test",
                  "other_name": "Amara Okafor", "other_role": "mentor", "match_id": "m", "session_id": "s",
                  "starts_at": "Tue 4 Mar 2031, 16:00 GMT", "ends_at": "16:45", "sequence": 0}
        rendered = templates.render_email(kind, values)
        calendar = None
        if kind == "session_scheduled":
            calendar = emails.calendar_invite(session_id=f"s{i}", sequence=0, method="REQUEST", starts_at=start,
                                              ends_at=start + timedelta(minutes=45), summary="Mentoring session",
                                              description="Open ementor to join", organizer=("Northside", "n@e.test"),
                                              attendee=(f"Person {i}", f"p{i}@example.org"))
        data = emails.build_email(from_name="Northside via ementor", from_address="no-reply@ementor.test",
                                  to_name=f"Person {i}", to_address=f"p{i}@example.org", subject=rendered.subject,
                                  text=rendered.text, html=rendered.html, message_id=f"<n{i}@ementor.test>",
                                  headers={"X-Ementor-Event": f"throughput-{i}"}, calendar=calendar,
                                  calendar_method="REQUEST" if calendar else None)
        out.append(Envelope("no-reply@ementor.test", f"p{i}@example.org", data))
    return out


# -- pooled vs naive, in a plain asyncio process -----------------------------------------------------
def pool_child(spec: dict) -> None:
    """Runs in a child process without eventlet: prints {"pooled": emails/s, "naive": emails/s}."""
    import asyncio

    from services.notifications.smtp_pool import SmtpConfig, SmtpPool, send_without_pool

    config = SmtpConfig(**spec["config"])
    pooled_mail, naive_mail = rendered_emails(spec["pooled"]), rendered_emails(spec["naive"])

    async def pooled() -> float:
        pool = SmtpPool(config)
        await pool.send(pooled_mail[0])  # connect once before the clock starts, as a running service has
        started = time.perf_counter()
        await asyncio.gather(*(pool.send(m) for m in pooled_mail))
        elapsed = time.perf_counter() - started
        await pool.close()
        return len(pooled_mail) / elapsed

    async def naive() -> float:
        slots = asyncio.Semaphore(config.pool_size)  # the same concurrency as the pool

        async def one(envelope):
            async with slots:
                await send_without_pool(config, envelope)

        started = time.perf_counter()
        await asyncio.gather(*(one(m) for m in naive_mail))
        return len(naive_mail) / (time.perf_counter() - started)

    result = {"pooled": asyncio.run(pooled()), "naive": asyncio.run(naive())}
    print(json.dumps(result), flush=True)


def compare_pool(config: dict, pooled: int, naive: int) -> dict:
    spec = json.dumps({"config": config, "pooled": pooled, "naive": naive})
    output = subprocess.run([sys.executable, "-m", "bench.notifications", "--pool-child", spec], check=False,
                            capture_output=True,
                            text=True, timeout=600, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-2000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


# -- the hub watchdog ---------------------------------------------------------------------------------
class HubWatch:
    """A green thread that wakes every 5 ms; the longest gap between wake-ups is the worst hub stall."""

    def __init__(self):
        import eventlet

        self.worst = 0.0
        self._running = True
        self._gt = eventlet.spawn(self._run)

    def _run(self):
        import eventlet

        last = time.perf_counter()
        while self._running:
            eventlet.sleep(0.005)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - 0.005)
            last = now

    def stop(self) -> float:
        self._running = False
        self._gt.wait()
        return self.worst


# -- the service path ---------------------------------------------------------------------------------
def mailer_throughput(port: int, count: int) -> tuple[float, float]:
    from services.notifications.mailer import Mailer
    from services.notifications.smtp_pool import SmtpConfig

    mail = rendered_emails(count)
    mailer = Mailer(SmtpConfig(host="127.0.0.1", port=port)).start()
    try:
        mailer.send(mail[0])  # the worker is up and connected before the clock starts
        watch = HubWatch()
        started = time.perf_counter()
        outcomes = [mailer.submit(m) for m in mail]
        for outcome in outcomes:
            outcome.wait()
        elapsed = time.perf_counter() - started
        return count / elapsed, watch.stop()
    finally:
        mailer.stop()


@contextmanager
def fresh_vhost(amqp_uri: str):
    import uuid
    from urllib.parse import quote, urlparse

    import requests

    parsed = urlparse(amqp_uri)
    user, password = parsed.username or "guest", parsed.password or "guest"
    management = f"http://{user}:{password}@{parsed.hostname or 'localhost'}:15672/api"
    name = f"bench-notifications-{uuid.uuid4().hex[:8]}"
    requests.put(f"{management}/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(f"{management}/permissions/{name}/{user}", json={"configure": ".*", "write": ".*", "read": ".*"},
                 timeout=10).raise_for_status()
    try:
        yield parsed._replace(path="/" + quote(name, safe="")).geturl()
    finally:
        requests.delete(f"{management}/vhosts/{name}", timeout=30)


def latency_run(report: Report, sink: SinkProcess, phases: list[tuple[float, float]]) -> None:
    """Run the services once; for each (rate, seconds) publish MessageSent at that rate and time the emails."""
    import logging

    import requests
    from kombu import Connection

    from ementor.platform import heap
    from ementor.platform.settings import Settings
    from ementor.runner import Services
    from services.notifications.service import NotificationsService
    from services.profiles.service import ProfilesService
    from tests.support.infra import free_port  # a bench may use the test helpers; runtime code never does

    base = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    with fresh_vhost(base) as amqp_uri:
        address = f"127.0.0.1:{free_port()}"
        settings = Settings(_env_file=None, EMENTOR_ENV="development", EMENTOR_HTTP_ADDRESS=address,
                            AMQP_URI=amqp_uri, MONGODB_URI=os.environ.get("MONGODB_URI"), SMTP_HOST="127.0.0.1",
                            SMTP_PORT=sink.port, EMENTOR_LOG_FORMAT="text")
        logging.basicConfig(level=logging.ERROR)
        report.note("MongoDB: " + ("MONGODB_URI" if settings.MONGODB_URI else
                                   "the in-process mongomock stand-in (every query scans its collection in Python, "
                                   "on the hub)"))
        services = Services([ProfilesService, NotificationsService], settings).start()
        heap.settle_after_start()  # as `ementor serve` does
        try:
            http = requests.Session()
            root = f"http://{address}"
            organisation = http.post(f"{root}/v1/organisations", json={"slug": "bench", "name": "Bench School"},
                                     headers={"Authorization": f"Bearer {settings.EMENTOR_ADMIN_TOKEN}"}).json()
            token = http.post(f"{root}/v1/auth/token",
                              headers={"Authorization": f"Bearer {organisation['api_key']}"}).json()["access_token"]
            # One email per MessageSent, as the latency is timed (by default a chat is told once per window).
            http.put(f"{root}/v1/settings/notifications", json={"message_notice_minutes": 0},
                     headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            people = []
            for i in range(40):
                body = {"role": "mentee" if i % 2 else "mentor", "name": f"Person {i}",
                        "email": f"person{i}@example.org", "timezone": "Europe/London",
                        **({} if i % 2 else {"capacity": 2})}
                people.append(http.post(f"{root}/v1/people", json=body,
                                        headers={"Authorization": f"Bearer {token}"}).json()["id"])
            with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
                # One event first: connections, the RPC reply queue and the mail worker are warm before timing.
                _latency_phase(None, sink, connection, organisation["id"], people, 10, 0.1)
                for rate, seconds in phases:
                    _latency_phase(report, sink, connection, organisation["id"], people, rate, seconds)
        finally:
            services.stop()


def _latency_phase(report: Report | None, sink: SinkProcess, connection, tenant: str, people: list[str], rate: float,
                   seconds: float) -> None:
    import uuid

    import eventlet
    from ementor_contracts import MessageSent, to_cloudevent

    from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER, event_exchange

    producer = connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)
    exchange = event_exchange("messaging")
    published: dict[str, float] = {}
    total = int(seconds * rate)
    watch = HubWatch()
    started = time.perf_counter()
    for i in range(total):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            eventlet.sleep(delay)
        sender, recipient = people[(2 * i) % 40], people[(2 * i + 1) % 40]
        event = MessageSent(message_id=uuid.uuid4().hex, match_id=f"match-{i % 20}", sender_id=sender,
                            recipient_id=recipient, length=100)
        envelope = to_cloudevent(event, tenant)
        published[envelope.id] = time.time()
        producer.publish(envelope.model_dump(mode="json"), exchange=exchange, declare=[exchange],
                         routing_key=envelope.type, delivery_mode=2, message_id=envelope.id)
    offered = total / (time.perf_counter() - started)
    deadline = time.monotonic() + 60
    while sum(1 for e in published if e in sink.accepted) < total and time.monotonic() < deadline:
        eventlet.sleep(0.05)
    worst_stall = watch.stop()
    latencies = sorted(sink.accepted[e] - t for e, t in published.items() if e in sink.accepted)
    if report is None:
        return
    label = f"at {rate:g} events/s"
    report.figure(f"MessageSent -> email accepted {label}, p50", 1000 * _quantile(latencies, 0.50), "ms",
                  events=total, published_at=f"{offered:.0f}/s")
    report.figure(f"MessageSent -> email accepted {label}, p99", 1000 * _quantile(latencies, 0.99), "ms",
                  target="< 250")
    report.figure(f"MessageSent -> email accepted {label}, max", 1000 * latencies[-1] if latencies else float("nan"),
                  "ms")
    report.figure(f"emails accepted {label}", len(latencies), "emails", of=total)
    report.figure(f"longest eventlet hub stall {label}", 1000 * worst_stall, "ms")


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv=None) -> int:
    args = arguments("notifications benchmark: SMTP pool throughput and event-to-inbox latency", argv, extra=_extra)
    if args.pool_child:
        pool_child(json.loads(args.pool_child))
        return 0
    import eventlet

    eventlet.monkey_patch()
    report = Report("notifications", as_json=args.json)
    pooled, naive = (600, 200) if args.quick else (5000, 1000)
    report.note(f"SMTP server: aiosmtpd in its own process; {os.cpu_count()} CPUs; throughput of {pooled} emails "
                f"pooled and {naive} one-connection-each, 8 at a time")

    sink = SinkProcess()
    try:
        result = compare_pool({"host": "127.0.0.1", "port": sink.port, "pool_size": 8}, pooled, naive)
        report.figure("emails/s, pool of 8 reused connections (plain SMTP)", result["pooled"], "emails/s",
                      target=">= 500")
        report.figure("emails/s, one connection per email (plain SMTP)", result["naive"], "emails/s")
        report.figure("pool speed-up (plain SMTP)", result["pooled"] / result["naive"], "x", target=">= 5")
        rate, stall = mailer_throughput(sink.port, pooled)
        report.figure("emails/s through the service's mail worker process", rate, "emails/s")
        report.figure("longest eventlet hub stall while sending them", 1000 * stall, "ms")
    finally:
        sink.stop()

    secure = SinkProcess(tls=True, user="bench:secret")
    try:
        config = {"host": "localhost", "port": secure.port, "pool_size": 8, "starttls": True,
                  "ca_file": secure.certificate, "username": "bench", "password": "secret"}
        result = compare_pool(config, pooled, max(100, naive // 2))
        report.figure("emails/s, pool of 8 reused connections (STARTTLS + AUTH)", result["pooled"], "emails/s")
        report.figure("emails/s, one connection per email (STARTTLS + AUTH)", result["naive"], "emails/s")
        report.figure("pool speed-up (STARTTLS + AUTH)", result["pooled"] / result["naive"], "x", target=">= 5")
    finally:
        secure.stop()

    sink = SinkProcess()
    try:
        # On the mongomock stand-in every query scans its collection, so long runs only measure that.
        long = 30 if os.environ.get("MONGODB_URI") else 10
        latency_run(report, sink, [(20, 4), (100, 4)] if args.quick else [(20, 15), (100, long)])
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
