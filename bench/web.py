"""Web app benchmark: what a first visit downloads, how soon it shows a page, and how soon a
message reaches the other person's open conversation.

    .venv/bin/python -m bench.web [--json] [--quick]

- JS + CSS shipped on first load: every script and stylesheet web/dist/index.html references,
  gzip-compressed (level 6, as a proxy would), in KB; and the insights charts' lazy chunk (uPlot),
  which must not be part of it (the benchmark fails if it is).
- Time to the first meaningful page: a fresh browser context opens `/` (signed out) until the
  sign-in page's heading is visible, p50 over 5 (3 with --quick) cold contexts.
- Message posted → shown: the mentor posts through the API (POST /v1/matches/{id}/messages) and
  the mentee's page, open in Debian's Chromium, shows it (a MutationObserver stamps the moment the
  text enters the DOM); p50/p95 over 100 messages (20 with --quick), one every 150 ms.

The platform runs as `make run` starts it (`ementor dev`, every service in one process) on a
fresh RabbitMQ vhost (or AMQP_URI when set), with a real SMTP catcher for the sign-in links.
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests
from playwright.sync_api import sync_playwright

from bench.report import Report, arguments
from ementor.devtools.catchers import MailCatcher
from ementor.platform.settings import DEV_ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
MANAGEMENT = "http://guest:guest@localhost:15672/api"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
STAMP_ARRIVALS = """() => {
  window.__arrivals = {};
  new MutationObserver(() => {
    for (const p of document.querySelectorAll('.bubble .body')) {
      if (!(p.textContent in window.__arrivals)) window.__arrivals[p.textContent] = Date.now();
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def first_load_assets() -> list[str]:
    html = (DIST / "index.html").read_text()
    return re.findall(r'(?:src|href)="/(assets/[^"]+\.(?:js|css))"', html)


def gzip_kb(assets) -> float:
    return sum(len(gzip.compress((DIST / a).read_bytes(), 6)) for a in assets) / 1024


def first_load_kb() -> float:
    return gzip_kb(first_load_assets())


def chart_chunk() -> list[str]:
    """The lazy chunk of the insights charts (uPlot, which draws into `.u-over`) and its stylesheet;
    a SystemExit if any of it is in the first load, where every participant would pay for it."""
    scripts = [f"assets/{p.name}" for p in (DIST / "assets").glob("*.js") if "u-over" in p.read_text()]
    if not scripts:
        raise SystemExit("bench.web: no chunk holds the chart library (uPlot)")
    leaked = set(scripts) & set(first_load_assets())
    if leaked:
        raise SystemExit(f"bench.web: the chart library is in the first load: {sorted(leaked)}")
    styles = [f"assets/{p.name}" for p in (DIST / "assets").glob("*.css") if ".u-over" in p.read_text()]
    leaked = set(styles) & set(first_load_assets())
    if leaked:
        raise SystemExit(f"bench.web: the chart library's stylesheet is in the first load: {sorted(leaked)}")
    return scripts + styles


class Platform:
    def __init__(self, smtp_port: int):
        self.vhost = None
        amqp = os.environ.get("AMQP_URI")
        if not amqp:
            self.vhost = f"bench-web-{uuid.uuid4().hex[:8]}"
            requests.put(f"{MANAGEMENT}/vhosts/{self.vhost}", timeout=30).raise_for_status()
            requests.put(f"{MANAGEMENT}/permissions/{self.vhost}/guest", timeout=30,
                         json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
            amqp = f"amqp://guest:guest@localhost:5672/{quote(self.vhost, safe='')}"
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "SMTP_", "MONGODB_"))}
        env.update(AMQP_URI=amqp, EMENTOR_ENV="development", EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{port}",
                   EMENTOR_DATA_DIR=tempfile.mkdtemp(prefix="bench-web-"), SMTP_HOST="127.0.0.1",
                   SMTP_PORT=str(smtp_port), EMENTOR_LOG_FORMAT="text")
        self.process = subprocess.Popen([sys.executable, "-m", "ementor.cli", "dev", "--no-walkthrough"], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/health/ready", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("bench.web: the platform did not start")

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(method, self.base + path, headers=headers, timeout=10, **kwargs)
        response.raise_for_status()
        return response

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.vhost:
            requests.delete(f"{MANAGEMENT}/vhosts/{self.vhost}", timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_page(browser, platform: Platform, smtp: MailCatcher, slug: str, email: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    asked = time.time()
    platform.call("POST", "/v1/auth/sign-in", json={"organisation": slug, "email": email})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        mails = [m for m in smtp.to(email) if m.received_at >= asked - 1]
        # the newest sign-in email: another (the match accepted) may arrive after it
        links = [re.search(r"/sign-in/complete\?token=[\w-]+", m.message.get_body(("plain",)).get_content()) for m in mails]
        found = next((link for link in reversed(links) if link), None)
        if found:
            page = context.new_page()
            page.goto(platform.base + found.group(0))
            page.get_by_role("heading", level=1).filter(has_text="Hello").wait_for()
            return page
        time.sleep(0.05)
    raise SystemExit(f"bench.web: no sign-in email for {email} ({len(smtp.messages)} emails: {[m.recipients for m in smtp.messages][-3:]})")


def main(argv=None) -> int:
    args = arguments("web app benchmark (first load, first page, live message latency)", argv)
    report = Report("web", as_json=args.json)
    if not (DIST / "index.html").is_file():
        subprocess.run(["bash", "scripts/setup.sh"], cwd=ROOT, check=True)
    report.figure("JS + CSS on first load (gzip)", first_load_kb(), "KB")
    report.figure("charts chunk, loaded by the insights pages only (gzip)", gzip_kb(chart_chunk()), "KB")
    smtp = MailCatcher().start()
    platform = Platform(smtp.port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            loads = []
            for _ in range(3 if args.quick else 5):
                context = browser.new_context()
                page = context.new_page()
                started = time.perf_counter()
                page.goto(platform.base + "/")
                page.get_by_role("heading", name="Sign in").wait_for()
                loads.append(time.perf_counter() - started)
                context.close()
            report.figure("first meaningful page (sign-in, cold context) p50", statistics.median(loads) * 1e3, "ms",
                          samples=len(loads))
            live_latency(report, platform, smtp, browser, 20 if args.quick else 100)
            browser.close()
    finally:
        platform.stop()
        smtp.stop()
    return 0


def live_latency(report: Report, platform: Platform, smtp: MailCatcher, browser, count: int) -> None:
    slug = f"bench-{uuid.uuid4().hex[:6]}"
    org = platform.call("POST", "/v1/organisations", DEV_ADMIN_TOKEN, json={"slug": slug, "name": "Bench"}).json()
    token = platform.call("POST", "/v1/auth/token", org["api_key"]).json()["access_token"]
    platform.call("PUT", "/v1/settings/messaging", token, json={"messages_per_minute": 600})
    people = [platform.call("POST", "/v1/people", token, json={
        "role": role, "name": f"{role.title()} One", "email": f"{role}@{slug}.example.org",
        "timezone": "Europe/London", "interests": ["robotics"], "vetted": role == "mentor"}).json()
        for role in ("mentor", "mentee")]
    mentor, mentee = people
    for _ in range(100):  # matching learns people from events
        if requests.get(f"{platform.base}/v1/people/{mentee['id']}/recommendations",
                        headers={"Authorization": f"Bearer {token}"}, timeout=5).ok:
            break
        time.sleep(0.1)
    match = platform.call("POST", "/v1/matches", token, json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]}).json()
    for person in people:
        platform.call("POST", f"/v1/matches/{match['id']}/accept", token, json={"person_id": person["id"]})
    mentor_token = platform.call("POST", "/v1/auth/token", org["api_key"],
                                 json={"person_id": mentor["id"]}).json()["access_token"]
    page = signed_in_page(browser, platform, smtp, slug, mentee["email"])
    for _ in range(100):  # messaging opens the conversation on MatchAccepted
        page.goto(f"{platform.base}/matches/{match['id']}/conversation")
        page.get_by_role("heading", level=1).filter(has_text="Messages").wait_for()
        if page.get_by_text("New messages appear here as they arrive.").is_visible():
            break
        time.sleep(0.2)
    page.wait_for_timeout(500)  # the stream is open
    page.evaluate(STAMP_ARRIVALS)
    posted = {}
    for i in range(count):
        text = f"bench message number {i} of {count}"
        posted[text] = time.time() * 1000
        platform.call("POST", f"/v1/matches/{match['id']}/messages", mentor_token, json={"body": text})
        time.sleep(0.15)
    deadline = time.monotonic() + 30  # polled with evaluate: the page's CSP refuses wait_for_function's eval
    while len(arrivals := page.evaluate("() => window.__arrivals")) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    missing = [text for text in posted if text not in arrivals]
    if missing:
        raise SystemExit(f"bench.web: {len(missing)} of {count} messages never appeared")
    latencies = [arrivals[text] - at for text, at in posted.items()]
    report.figure("message posted → shown in the other browser p50", statistics.median(latencies), "ms", messages=count)
    report.figure("message posted → shown in the other browser p95", percentile(latencies, 95), "ms", messages=count)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
