"""The load generator and broker-ceiling probe of bench.messaging, run as a separate process.

Plain threads and blocking sockets (no eventlet): it reads a JSON plan on stdin and writes one
JSON result on stdout. Requests go to 127.0.0.1 only. Modes:

- `ceiling`: confirmed publishes with pika to a topic exchange with a quorum queue bound,
  one publisher waiting for each confirm, and several in parallel.
- `load`: POST messages over HTTP keep-alive connections, either closed-loop (N workers posting
  back to back) or open-loop (requests scheduled at a fixed rate, latency measured from the
  scheduled time so a slow server cannot hide its queueing), while a consumer receives the
  MessageSent events from a quorum queue: end-to-end latency is request start -> event received.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import sys
import threading
import time
from urllib.parse import urlparse

import pika


def main() -> None:
    plan = json.load(sys.stdin)
    result = ceiling(plan) if plan["mode"] == "ceiling" else load(plan)
    json.dump(result, sys.stdout)


# -- broker ceiling ------------------------------------------------------------------------------
def ceiling(plan: dict) -> dict:
    body = plan["body"].encode()
    results = {}
    for publishers in plan["publishers"]:
        counts = [0] * publishers
        deadline = time.monotonic() + plan["seconds"]
        started = time.monotonic()
        threads = [threading.Thread(target=_publish_until, args=(plan, body, deadline, counts, i))
                   for i in range(publishers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results[str(publishers)] = sum(counts) / (time.monotonic() - started)
    return {"confirmed_per_second": results}


def _publish_until(plan: dict, body: bytes, deadline: float, counts: list[int], index: int) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(plan["amqp_uri"]))
    channel = connection.channel()
    channel.confirm_delivery()
    properties = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
    while time.monotonic() < deadline:
        # In confirm mode a blocking publish returns once the broker has acked it.
        channel.basic_publish(plan["exchange"], plan["routing_key"], body, properties)
        counts[index] += 1
    connection.close()


# -- HTTP load -----------------------------------------------------------------------------------
class EventConsumer(threading.Thread):
    """Receives MessageSent events and notes when each message's event arrived."""

    def __init__(self, amqp_uri: str, queue: str):
        super().__init__(daemon=True)
        self.amqp_uri, self.queue = amqp_uri, queue
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_uri))
        channel = connection.channel()
        channel.basic_qos(prefetch_count=500)

        def on_message(ch, method, properties, body):
            self.arrived[json.loads(body)["subject"]] = time.monotonic()
            ch.basic_ack(method.delivery_tag)

        channel.basic_consume(self.queue, on_message)
        self.ready.set()
        while not self.stopping.is_set():
            connection.process_data_events(time_limit=0.1)
        connection.close()


def load(plan: dict) -> dict:
    url = urlparse(plan["url"])
    assert url.hostname == "127.0.0.1", "the load generator only talks to 127.0.0.1"
    senders = plan["senders"]
    body_text = plan["body"]
    consumer = EventConsumer(plan["amqp_uri"], plan["queue"])
    consumer.start()
    consumer.ready.wait(10)

    records: list[tuple[float, float, int, str | None]] = []  # (start, latency, status, message id)
    lock = threading.Lock()
    counter = itertools.count()
    started = time.monotonic()
    deadline = started + plan["seconds"]
    rate = plan.get("rate")

    def connect() -> http.client.HTTPConnection:
        # http.client writes the headers and the body in two sends: without TCP_NODELAY (which
        # browsers and urllib3 set) Nagle's algorithm and delayed ACKs add milliseconds to each POST.
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def worker(index: int) -> None:
        connection = connect()
        mine = []
        while True:
            n = next(counter)
            if rate:  # open loop: request n is due at a fixed time, whether or not we are ready
                due = started + n / rate
                if due >= deadline:
                    break
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                start = due
            else:
                start = time.monotonic()
                if start >= deadline:
                    break
            match_id, token = senders[n % len(senders)]
            payload = json.dumps({"body": f"{body_text} #{n}"})
            try:
                connection.request("POST", f"/v1/matches/{match_id}/messages", payload,
                                   {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = connect()
                status, data = 0, b""
            finished = time.monotonic()
            message_id = json.loads(data)["id"] if status == 201 else None
            mine.append((start, finished - start, status, message_id))
        connection.close()
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(plan["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    last_request = max((start + latency for start, latency, _, _ in records), default=started)

    # Give the outbox a bounded while to publish the tail, then stop listening.
    wanted = {message_id: start for start, _, status, message_id in records if status == 201}
    grace_until = time.monotonic() + plan.get("grace_seconds", 10)
    while time.monotonic() < grace_until and any(m not in consumer.arrived for m in list(wanted)[-50:]):
        time.sleep(0.05)
    while time.monotonic() < grace_until and len(wanted.keys() & consumer.arrived.keys()) < len(wanted):
        time.sleep(0.05)
    consumer.stopping.set()
    consumer.join(5)

    statuses: dict[str, int] = {}
    for _, _, status, _ in records:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    http_latencies = sorted(latency for _, latency, status, _ in records if status == 201)
    arrived = {m: consumer.arrived[m] for m in wanted if m in consumer.arrived}
    e2e = sorted(arrived[m] - wanted[m] for m in arrived)
    last_event = max(arrived.values(), default=started)
    return {
        "requests": len(records),
        "statuses": statuses,
        "seconds": last_request - started,
        "http_per_second": len(http_latencies) / max(last_request - started, 1e-9),
        "http_p50_ms": percentile(http_latencies, 50) * 1000,
        "http_p99_ms": percentile(http_latencies, 99) * 1000,
        "events_received": len(arrived),
        "events_missing": len(wanted) - len(arrived),
        "e2e_per_second": len(arrived) / max(last_event - started, 1e-9),
        "e2e_p50_ms": percentile(e2e, 50) * 1000,
        "e2e_p99_ms": percentile(e2e, 99) * 1000,
        "e2e_max_ms": (e2e[-1] if e2e else float("nan")) * 1000,
    }


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


if __name__ == "__main__":
    main()
