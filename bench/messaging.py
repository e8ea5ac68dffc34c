"""Benchmark: messages posted over HTTP, stored, and their MessageSent published with confirms.

    /work/main/.venv/bin/python -m bench.messaging [--json] [--quick] [--profile]

On a fresh RabbitMQ vhost it measures, in one run:
1. the raw broker ceiling: persistent confirmed publishes per second with pika to a topic exchange
   with a quorum queue bound (one publisher waiting for each confirm, as the outbox relay does;
   and four in parallel);
2. full load: the messaging service (in this process, ementor.runner.Services) under a closed
   loop of --concurrency HTTP clients in a separate process posting back to back; messages/s end
   to end (MessageSent received by a subscriber's quorum queue) and p50/p99 latency;
3. half load: an open loop at half the full-load rate; p50/p99 latency.
Targets (issue 4): at least 1,000 messages/s end to end; p99 under 100 ms at half load.
With each phase's CPU per message go the store stand-in's share of it (sampled, bench/sampling.py)
and the rate one core would allow without it: on MongoDB that work is the server's.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from urllib.parse import quote, urlparse

from bench.report import Report, arguments
from bench.sampling import Sampler, machine_cpu_seconds, python_reference_ms

MESSAGE_BODY = "Thanks for the advice about the robotics course, I signed up for the open day next week"
SENT_QUEUE = "bench.messaging.message-sent"


def extra_arguments(parser) -> None:
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop HTTP clients at full load")
    parser.add_argument("--seconds", type=float, default=None, help="length of each load phase")
    parser.add_argument("--matches", type=int, default=None, help="conversations (two senders each)")
    parser.add_argument("--profile", action="store_true", help="cProfile the service during full load")


def main(argv=None) -> int:
    args = arguments(__doc__.splitlines()[0], argv, extra_arguments)
    import eventlet

    eventlet.monkey_patch()  # the service runs on green threads, as in production
    import logging

    logging.basicConfig(level=logging.WARNING if os.environ.get("BENCH_VERBOSE") else logging.ERROR)
    report = Report("messaging", as_json=args.json)
    seconds = args.seconds or (6.0 if args.quick else 20.0)
    matches = args.matches or (100 if args.quick else 300)
    bench = Bench(args, report, seconds, matches)
    try:
        bench.run()
    finally:
        bench.close()
    return 0


class Bench:
    def __init__(self, args, report: Report, seconds: float, matches: int):
        self.args, self.report, self.seconds, self.matches = args, report, seconds, matches
        self.services = self.sampler = None
        base = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
        parsed = urlparse(base)
        self.management = f"http://{parsed.username or 'guest'}:{parsed.password or 'guest'}@" \
                          f"{parsed.hostname or 'localhost'}:15672/api"
        self.vhost = f"bench-messaging-{uuid.uuid4().hex[:8]}"
        self.amqp_uri = parsed._replace(path="/" + quote(self.vhost, safe="")).geturl()
        self.user = parsed.username or "guest"

    # -- phases --------------------------------------------------------------------------------
    def run(self) -> None:
        import requests

        requests.put(f"{self.management}/vhosts/{self.vhost}", timeout=10).raise_for_status()
        requests.put(f"{self.management}/permissions/{self.vhost}/{self.user}",
                     json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
        self.report.note(f"fresh vhost {self.vhost}; phases of {self.seconds:g} s; {self.matches} "
                         f"conversations; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        self.report.figure("machine_python_reference", python_reference_ms(), "ms", lower_is_faster=True)
        self.broker_ceiling()
        self.start_service()
        senders = self.seed()
        self.load(senders, "warm-up", concurrency=self.args.concurrency, seconds=min(3.0, self.seconds / 2))
        full = self.load(senders, "full", concurrency=self.args.concurrency, seconds=self.seconds,
                         profile=self.args.profile)
        rate = max(1.0, full["e2e_per_second"] / 2)
        half = self.load(senders, "half", concurrency=max(64, self.args.concurrency), seconds=self.seconds,
                         rate=rate)
        self.summarise(full, half, rate)

    def broker_ceiling(self) -> None:
        from kombu import Connection, Exchange, Queue

        exchange = Exchange("bench.ceiling", type="topic", durable=True)
        queue = Queue("bench.ceiling.quorum", exchange=exchange, routing_key="MessageSent", durable=True,
                      queue_arguments={"x-queue-type": "quorum"})
        with Connection(self.amqp_uri) as connection:
            queue(connection.default_channel).declare()
        result = self.generator({
            "mode": "ceiling", "amqp_uri": self.amqp_uri, "exchange": "bench.ceiling",
            "routing_key": "MessageSent", "body": sample_event_json(),
            "seconds": 3.0 if self.args.quick else 5.0, "publishers": [1, 4],
        })
        with Connection(self.amqp_uri) as connection:
            queue(connection.default_channel).delete()
        for publishers, rate in result["confirmed_per_second"].items():
            self.report.figure(f"broker_ceiling_confirmed_publishes_{publishers}_publisher"
                               + ("s" if publishers != "1" else ""), round(rate), "msg/s",
                               client="pika", queue="quorum", persistent=True)
        self.ceiling = result["confirmed_per_second"]

    def start_service(self) -> None:
        from kombu import Connection, Exchange, Queue

        from ementor.platform import heap
        from ementor.platform.settings import Settings
        from ementor.runner import Services
        from services.messaging.service import MessagingService
        from tests.support.infra import free_port

        mongodb_uri = os.environ.get("MONGODB_URI")
        self.backend = "MONGODB_URI" if mongodb_uri else "mongomock (in-process stand-in, ementor/platform/standin.py)"
        self.report.note(f"MongoDB: {self.backend}")
        self.settings = Settings(
            _env_file=None, EMENTOR_ENV="development", AMQP_URI=self.amqp_uri, MONGODB_URI=mongodb_uri,
            EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
            EMENTOR_MAX_WORKERS=max(64, self.args.concurrency * 2),
        )
        # A subscriber's queue, as notifications would have: MessageSent is routed to a quorum queue.
        exchange = Exchange("messaging.events", type="topic", durable=True, auto_delete=False)
        with Connection(self.amqp_uri) as connection:
            Queue(SENT_QUEUE, exchange=exchange, routing_key="MessageSent", durable=True,
                  queue_arguments={"x-queue-type": "quorum"})(connection.default_channel).declare()
        self.services = Services([MessagingService], self.settings).start()
        heap.settle_after_start()  # as `ementor serve` does
        self.sampler = Sampler(0.005).start()

    def seed(self) -> list[tuple[str, str]]:
        """An organisation with `matches` active conversations, opened by MatchAccepted as in production."""
        import eventlet
        import requests
        from bson import ObjectId
        from ementor_contracts import ChannelPreferences, MatchAccepted, ProfileCreated, to_cloudevent
        from kombu import Connection

        from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER, event_exchange
        from ementor.platform.http.auth import issue_token
        from services.messaging.documents import Conversation

        tenant = str(ObjectId())
        secret = self.settings.EMENTOR_JWT_SECRET
        coordinator = issue_token(secret, tenant_id=tenant, role="coordinator", ttl=86400)
        base = f"http://{self.settings.EMENTOR_HTTP_ADDRESS}"
        response = requests.put(f"{base}/v1/settings/messaging", json={"messages_per_minute": 600},
                                headers={"Authorization": f"Bearer {coordinator}"}, timeout=30)
        response.raise_for_status()
        senders = []
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as connection:
            producer = connection.Producer(serializer=CLOUDEVENTS_SERIALIZER)

            def publish(event):
                exchange = event_exchange(event.source_service)
                producer.publish(to_cloudevent(event, tenant).model_dump(mode="json", exclude_none=True),
                                 exchange=exchange, declare=[exchange], routing_key=event.type_name(),
                                 delivery_mode=2)

            for _ in range(self.matches):
                match_id, mentor, mentee = str(ObjectId()), str(ObjectId()), str(ObjectId())
                publish(ProfileCreated(person_id=mentee, role="mentee", timezone="Europe/London",
                                       languages=["en"], interests=[], capacity=0, is_minor=False,
                                       vetted=False, channels=ChannelPreferences(email=True, sms=False)))
                publish(MatchAccepted(match_id=match_id, mentor_id=mentor, mentee_id=mentee))
                for person, role in ((mentor, "mentor"), (mentee, "mentee")):
                    token = issue_token(secret, tenant_id=tenant, role=role, person_id=person, ttl=86400)
                    senders.append((match_id, token))
        deadline = time.monotonic() + 60
        while Conversation.scoped(tenant, status="active").count() < self.matches:
            if time.monotonic() > deadline:
                raise SystemExit("the conversations did not open within 60 s")
            eventlet.sleep(0.1)
        return senders

    def load(self, senders, phase: str, *, concurrency: int, seconds: float, rate: float | None = None,
             profile: bool = False) -> dict:
        plan = {"mode": "load", "url": f"http://{self.settings.EMENTOR_HTTP_ADDRESS}",
                "amqp_uri": self.amqp_uri, "queue": SENT_QUEUE, "senders": senders, "body": MESSAGE_BODY,
                "concurrency": concurrency, "seconds": seconds, "rate": rate, "grace_seconds": 15}
        lag = LoopLag()
        mark = self.sampler.mark()
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu_before, wall_before, waited_before = cpu_seconds(), time.monotonic(), runqueue_wait_seconds()
        stolen_before = machine_cpu_seconds()["steal"]
        with lag:
            result = self.generator(plan)
        cpu, wall = cpu_seconds() - cpu_before, time.monotonic() - wall_before
        waited = runqueue_wait_seconds() - waited_before
        stolen = machine_cpu_seconds()["steal"] - stolen_before
        if profiler is not None:
            profiler.disable()
            self.print_profile(profiler)
        if phase != "warm-up":
            context = {"concurrency": concurrency, "seconds": round(result["seconds"], 1)}
            if rate:
                context["offered_rate"] = round(rate)
            others = {k: v for k, v in result["statuses"].items() if k != "201"}
            self.report.figure(f"{phase}_http_201_per_second", round(result["http_per_second"]), "req/s",
                               **context)
            self.report.figure(f"{phase}_messages_per_second_end_to_end", round(result["e2e_per_second"]),
                               "msg/s", target=">= 1000" if phase == "full" else None, **context)
            for name in ("http_p50_ms", "http_p99_ms", "e2e_p50_ms", "e2e_p99_ms"):
                target = "< 100" if phase == "half" and name == "e2e_p99_ms" else None
                self.report.figure(f"{phase}_{name[:-3]}", round(result[name], 1), "ms", target=target)
            self.report.figure(f"{phase}_event_loop_lag_p99", round(lag.percentile(99), 1), "ms",
                               max=round(lag.percentile(100), 1), full_gc_pauses=len(lag.gc_pauses),
                               longest_gc_pause_ms=round(max(lag.gc_pauses, default=0), 1))
            delivered = max(1, result["events_received"])
            share = mark.store_share()
            self.report.figure(f"{phase}_service_cpu_per_message", round(1000 * cpu / delivered, 2), "ms",
                               service_cpu_busy=f"{100 * cpu / wall:.0f}% of one core",
                               waiting_for_a_cpu=f"{100 * waited / wall:.0f}% of the time",
                               stand_in_share=round(share, 3),
                               machine_cpu_stolen=f"{100 * stolen / (wall * (os.cpu_count() or 1)):.0f}%")
            if phase == "full":
                self.report.figure("full_messages_per_second_one_core_allows_without_stand_in",
                                   round(delivered / max(cpu * (1 - share), 1e-9)), "msg/s",
                                   stand_in_ms_per_message=round(1000 * cpu * share / delivered, 2))
            if others or result["events_missing"]:
                self.report.note(f"{phase}: non-201 answers {others or 'none'}; "
                                 f"{result['events_missing']} MessageSent not received within the grace "
                                 "period")
        return result

    def summarise(self, full: dict, half: dict, rate: float) -> None:
        sequential = self.ceiling.get("1", 0)
        self.report.figure("end_to_end_share_of_sequential_broker_ceiling",
                           round(100 * full["e2e_per_second"] / sequential, 1) if sequential else 0, "%")
        verdict_rate = "met" if full["e2e_per_second"] >= 1000 else "missed"
        verdict_p99 = "met" if half["e2e_p99_ms"] < 100 else "missed"
        self.report.note(f"target >= 1,000 msg/s end to end: {verdict_rate} ({full['e2e_per_second']:.0f}); "
                         f"target p99 < 100 ms at half load ({rate:.0f} msg/s): {verdict_p99} "
                         f"(end to end {half['e2e_p99_ms']:.1f} ms, HTTP {half['http_p99_ms']:.1f} ms)")

    # -- helpers -------------------------------------------------------------------------------
    def generator(self, plan: dict) -> dict:
        from eventlet.green import subprocess

        process = subprocess.Popen([sys.executable, "-m", "bench.messaging_load"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, cwd=os.path.dirname(os.path.dirname(__file__)))
        out, _ = process.communicate(json.dumps(plan).encode())
        if process.returncode != 0:
            raise SystemExit(f"the load generator failed (exit {process.returncode})")
        return json.loads(out)

    def print_profile(self, profiler) -> None:
        """Self time by library (greenlet switches make cumulative times meaningless), then by function."""
        import io
        import pstats

        stats = pstats.Stats(profiler)
        by_area: dict[str, float] = {}
        for (filename, _, function), (_, _, tottime, _, _) in stats.stats.items():
            if function in ("<method 'poll' of 'select.epoll' objects>",) or "subprocess" in filename:
                continue  # waiting, not working
            area = profile_area(filename, function)
            by_area[area] = by_area.get(area, 0) + tottime
        total = sum(by_area.values())
        print("\nservice process self time by area during full load:", file=sys.stderr)
        for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])[:16]:
            print(f"  {area:<34} {seconds:7.3f} s  {100 * seconds / total:5.1f} %", file=sys.stderr)
        stream = io.StringIO()
        stats.stream = stream
        stats.sort_stats("tottime").print_stats(25)
        print(stream.getvalue(), file=sys.stderr)

    def close(self) -> None:
        import requests

        if self.sampler is not None:
            self.sampler.stop()
        if self.services is not None:
            self.services.stop()
        requests.delete(f"{self.management}/vhosts/{self.vhost}", timeout=30)


def cpu_seconds() -> float:
    """CPU time (user + system) of this process: the service, its relay and its HTTP server."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def runqueue_wait_seconds() -> float:
    """Time this process's main thread (the event loop) was ready to run but waited for a CPU
    (Linux schedstat): how much other work on the machine held the service back."""
    try:
        with open("/proc/self/schedstat") as stats:
            return int(stats.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class LoopLag:
    """How late a green thread that asks to wake every 5 ms actually wakes: time during which the
    service's event loop was busy with other work (saturation) or with something that did not yield."""

    def __init__(self):
        self.samples: list[float] = []
        self._thread = None

    def __enter__(self):
        import gc

        import eventlet

        self.gc_pauses: list[float] = []
        self._gc_started = 0.0

        def on_gc(phase, info):
            if phase == "start":
                self._gc_started = time.perf_counter()
            elif info.get("generation") == 2:
                self.gc_pauses.append((time.perf_counter() - self._gc_started) * 1000)

        self._on_gc = on_gc
        gc.callbacks.append(on_gc)

        def watch():
            while True:
                started = time.perf_counter()
                eventlet.sleep(0.005)
                self.samples.append((time.perf_counter() - started - 0.005) * 1000)

        self._thread = eventlet.spawn(watch)
        return self

    def __exit__(self, *exc):
        import gc

        self._thread.kill()
        gc.callbacks.remove(self._on_gc)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def profile_area(filename: str, function: str) -> str:
    if filename == "~":
        return "socket send/recv and other builtins" if "socket" in function or "send" in function \
            else "builtins (isinstance, dict...)"
    areas = (
        ("/mongomock/", "mongomock (the MongoDB stand-in)"), ("/mongoengine/", "mongoengine"),
        ("/pymongo/", "pymongo/bson"), ("/bson/", "pymongo/bson"),
        ("/eventlet/", "eventlet (hub, wsgi, green sockets)"), ("/nameko/", "nameko"),
        ("/werkzeug/", "werkzeug"),
        ("/jwt/", "pyjwt (token check)"), ("/pydantic", "pydantic"), ("/amqp/", "py-amqp/kombu (publishing)"),
        ("/kombu/", "py-amqp/kombu (publishing)"), ("/services/messaging/", "messaging service code"),
        ("/ementor_contracts/", "contracts (CloudEvents)"), ("/ementor/", "ementor platform"),
        ("/prometheus_client/", "prometheus"),
    )
    for marker, area in areas:
        if marker in filename:
            return area
    return "python stdlib (json, http, email...)"


def sample_event_json() -> str:
    """A MessageSent CloudEvent as the outbox publishes it, for a like-for-like broker ceiling."""
    from ementor_contracts import MessageSent, to_cloudevent

    ids = {name: uuid.uuid4().hex[:24] for name in ("message_id", "match_id", "sender_id", "recipient_id")}
    return to_cloudevent(MessageSent(**ids, length=len(MESSAGE_BODY)), uuid.uuid4().hex[:24]) \
        .model_dump_json(exclude_none=True)


if __name__ == "__main__":
    sys.exit(main())
