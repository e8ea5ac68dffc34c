"""Accounts benchmark: sign-in link → token, SSO callback → session, and how fast revoked access ends
at another service.

    .venv/bin/python -m bench.accounts [--json] [--quick]

profiles and messaging run as two processes on a fresh RabbitMQ vhost, with a real SMTP catcher.
"link → token" is the time from POST /v1/auth/sign-in to the access token, reading the link from
the email as a person would. The revocation bound is the time from the revoking call to the first
401 `token_revoked` at messaging (the stated bound: event propagation + the 1 s per-replica cache).
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from bench.accounts_sso import sso_callback_figures
from bench.report import Report, arguments
from ementor.devtools.catchers import MailCatcher
from ementor.platform.settings import DEV_ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[1]
# Another broker can be named the way the tests name it (AMQP_URI, RABBITMQ_MANAGEMENT_URL).
AMQP_BASE = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/").rstrip("/") + "/"
MANAGEMENT = os.environ.get("RABBITMQ_MANAGEMENT_URL", "http://guest:guest@localhost:15672").rstrip("/") + "/api"
LINK = re.compile(r"token=([\w-]+)")
QUEUE = "/v1/moderation/messages"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class TwoServices:
    """profiles and messaging as separate processes on their own vhost."""

    def __init__(self, smtp_port: int):
        self.vhost = f"bench-accounts-{uuid.uuid4().hex[:8]}"
        requests.put(f"{MANAGEMENT}/vhosts/{self.vhost}", timeout=10).raise_for_status()
        requests.put(f"{MANAGEMENT}/permissions/{self.vhost}/guest",
                     json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "SMTP_", "TWILIO_", "MONGODB_"))}
        env.update(AMQP_URI=f"{AMQP_BASE}{quote(self.vhost, safe='')}",
                   SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), EMENTOR_ENV="development",
                   EMENTOR_LOG_FORMAT="json")
        self.urls, self.processes = {}, []
        for name in ("profiles", "messaging"):
            port = free_port()
            self.urls[name] = f"http://127.0.0.1:{port}"
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "ementor.cli", "serve", name],
                env={**env, "EMENTOR_HTTP_ADDRESS": f"127.0.0.1:{port}", "EMENTOR_PUBLIC_URL": self.urls[name]},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT))
        deadline = time.monotonic() + 120
        for url in self.urls.values():
            while True:
                try:
                    if requests.get(f"{url}/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not start")
                time.sleep(0.2)
        self.http = requests.Session()

    def call(self, service: str, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, self.urls[service] + path, headers=headers, timeout=30, **kwargs)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        requests.delete(f"{MANAGEMENT}/vhosts/{self.vhost}", timeout=10)


def wait_for_link(smtp: MailCatcher, to: str, after: int) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for mail in smtp.messages[after:]:
            if to in mail.recipients:
                return LINK.search(mail.text()).group(1)
        time.sleep(0.002)
    raise RuntimeError(f"no email to {to}")


def sign_in(platform: TwoServices, smtp: MailCatcher, org: str, email: str) -> tuple[dict, float]:
    before = len(smtp.messages)
    started = time.perf_counter()
    assert platform.call("profiles", "POST", "/v1/auth/sign-in", json={"organisation": org, "email": email}
                         ).status_code == 202
    token = wait_for_link(smtp, email, before)
    completed = platform.call("profiles", "POST", "/v1/auth/sign-in/complete", json={"token": token})
    assert completed.status_code == 200, completed.text
    return completed.json(), time.perf_counter() - started


def seconds_to_refusal(platform: TwoServices, revoke, path: str, token: str) -> float:
    """Time from the revoking call to the first 401 at messaging."""
    assert platform.call("messaging", "GET", path, token).status_code in (200, 404)
    started = time.perf_counter()
    revoke()
    while True:
        response = platform.call("messaging", "GET", path, token)
        if response.status_code == 401:
            return time.perf_counter() - started
        if time.perf_counter() - started > 30:
            raise RuntimeError("access was not revoked within 30 s")


def main(argv=None) -> int:
    args = arguments("accounts benchmark (sign-in links, revocation across services)", argv)
    report = Report("accounts", as_json=args.json)
    smtp = MailCatcher().start()
    platform = TwoServices(smtp.port)
    try:
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        org = platform.call("profiles", "POST", "/v1/organisations", DEV_ADMIN_TOKEN,
                            json={"slug": slug, "name": "Bench"}).json()
        key_token = platform.call("profiles", "POST", "/v1/auth/token", org["api_key"]).json()["access_token"]
        rounds = 5 if args.quick else 20

        # Sign-in link → token, one address per round (the per-address limit is 5 in 15 minutes).
        people = []
        for i in range(rounds * 2):
            person = platform.call("profiles", "POST", "/v1/people", key_token, json={
                "role": "mentee", "name": f"Mentee {i}", "email": f"mentee{i}@bench.example.org",
                "timezone": "Europe/London"}).json()
            people.append(person)
        timings, sessions = [], []
        for person in people[:rounds]:
            tokens, seconds = sign_in(platform, smtp, slug, person["email"])
            timings.append(seconds)
            sessions.append((person, tokens))
        report.figure("sign-in link → token p50", statistics.median(timings) * 1e3, "ms", rounds=rounds)
        report.figure("sign-in link → token p99", percentile(timings, 99) * 1e3, "ms", rounds=rounds)

        # SSO callback → session, for the people signed in above (matched by verified email).
        sso_callback_figures(platform, report, percentile, slug, key_token, [p["email"] for p in people[:rounds]])

        # Revocation: time from the revoking call to the first 401 at messaging.
        bounds: dict[str, list[float]] = {}
        person_path = f"/v1/matches/{'0' * 24}/messages"  # a person's token reads 404 here until revoked
        for person, tokens in sessions:
            bounds.setdefault("sign-out", []).append(seconds_to_refusal(
                platform, lambda t=tokens: platform.call("profiles", "POST", "/v1/auth/sign-out", t["access_token"]),
                person_path, tokens["access_token"]))
        for person in people[rounds:]:
            tokens, _ = sign_in(platform, smtp, slug, person["email"])
            case = "erasure" if len(bounds.get("erasure", [])) < rounds // 2 else "sign out everywhere"
            path = f"/v1/people/{person['id']}" if case == "erasure" else f"/v1/people/{person['id']}/sessions"
            bounds.setdefault(case, []).append(seconds_to_refusal(
                platform, lambda p=path: platform.call("profiles", "DELETE", p, key_token),
                person_path, tokens["access_token"]))
        for i in range(max(2, rounds // 4)):
            email = f"staff{i}@bench.example.org"
            staff = platform.call("profiles", "POST", "/v1/staff", key_token,
                                  json={"name": f"Staff {i}", "email": email, "role": "coordinator"}).json()
            tokens, _ = sign_in(platform, smtp, slug, email)
            bounds.setdefault("staff removal", []).append(seconds_to_refusal(
                platform, lambda s=staff: platform.call("profiles", "DELETE", f"/v1/staff/{s['id']}", key_token),
                QUEUE, tokens["access_token"]))
        rotated_from = key_token
        rotation = platform.call("profiles", "POST", f"/v1/organisations/{org['id']}/api-keys", DEV_ADMIN_TOKEN,
                                 json={"previous_key_valid_for_seconds": 1})
        grace_ends = time.perf_counter() + 1
        while platform.call("messaging", "GET", QUEUE, rotated_from).status_code != 401:
            if time.perf_counter() - grace_ends > 30:
                raise RuntimeError("the rotated key's token was not refused within 30 s")
        bounds["key rotation (after the grace period)"] = [max(0.0, time.perf_counter() - grace_ends)]
        assert rotation.status_code == 201
        for case, values in bounds.items():
            report.figure(f"revocation bound, {case}: max", max(values) * 1e3, "ms", samples=len(values),
                          median_ms=round(statistics.median(values) * 1e3, 1))
        everything = [v for values in bounds.values() for v in values]
        report.figure("revocation bound, every case: max", max(everything) * 1e3, "ms", samples=len(everything))
        report.note("stated bound: event propagation + 1 s per-replica cache; load: "
                    + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        platform.stop()
        smtp.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
