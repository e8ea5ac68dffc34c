"""Knowledge over HTTP: answers per second and latency with the service in its own process.

    .venv/bin/python -m bench.knowledge_load [--json] [--quick]

`ementor serve knowledge` runs alone on a fresh vhost of the test RabbitMQ (AMQP_URI, else the
local server), on the mongomock stand-in; person tokens are signed with the development secret,
as profiles would sign them. Client threads post the held-out questions to `POST /v1/advice` and
search them with `GET /v1/articles/search`; each request is timed from send to answer.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.report import Report, arguments
from ementor.platform.http.auth import issue_token
from ementor.platform.settings import DEV_JWT_SECRET
from tests.support.infra import VirtualHosts, free_port, rabbitmq_server

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 4


def start(amqp_uri: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "SMTP_", "TWILIO_", "MONGODB_"))}
    env.update(AMQP_URI=amqp_uri, EMENTOR_ENV="development", EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{port}",
               EMENTOR_LOG_FORMAT="json")
    process = subprocess.Popen([sys.executable, "-m", "ementor.cli", "serve", "knowledge"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).ok:
                return process
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("the knowledge service did not start")
        time.sleep(0.2)


def timed(calls, worker) -> tuple[float, list[float]]:
    local = threading.local()

    def one(call):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        started = time.perf_counter()
        response = worker(session, call)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")
        return (time.perf_counter() - started) * 1e3

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        latencies = list(pool.map(one, calls))
    return time.perf_counter() - started, latencies


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main(argv=None) -> int:
    args = arguments(__doc__.splitlines()[0], argv)
    report = Report("knowledge_load", args.json)
    lines = (ROOT / "bench" / "data" / "knowledge" / "questions-heldout.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    count = 120 if args.quick else 1200
    calls = [questions[i % len(questions)] for i in range(count)]
    with rabbitmq_server() as (amqp_uri, management_url, _):
        vhosts = VirtualHosts(amqp_uri, management_url)
        vhost, uri = vhosts.create()
        port = free_port()
        process = start(uri, port)
        try:
            base = f"http://127.0.0.1:{port}"
            token = issue_token(DEV_JWT_SECRET, tenant_id="bench-org", role="mentee", person_id="bench-mentee")
            headers = {"Authorization": f"Bearer {token}"}

            def ask(session, question):
                return session.post(f"{base}/v1/advice", json={"question": question}, headers=headers, timeout=30)

            def search(session, question):
                return session.get(f"{base}/v1/articles/search", params={"q": question}, headers=headers, timeout=30)

            timed(calls[:20], ask)  # warm up: the first request of a worker builds nothing, but imports do
            for name, worker in (("advice", ask), ("search", search)):
                elapsed, latencies = timed(calls, worker)
                report.figure(f"{name} requests answered", round(len(calls) / elapsed, 1), "requests/s",
                              clients=CLIENTS, requests=len(calls))
                report.figure(f"{name} latency p50", round(statistics.median(latencies), 2), "ms")
                report.figure(f"{name} latency p99", round(p99(latencies), 2), "ms",
                              None if args.quick else "<= 250")
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
            report.figure("knowledge peak memory", round(peak, 1), "MB")
        finally:
            process.terminate()
            process.wait(timeout=30)
            vhosts.delete(vhost)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
