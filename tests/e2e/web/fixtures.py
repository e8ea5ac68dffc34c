"""Fixtures of the browser journeys (a pytest plugin: `-p tests.e2e.web.fixtures`).

The journeys run in their own pytest process, started by test_in_browser.py without the
repository's conftest: that one monkey-patches the process for eventlet, under which Playwright's
driver pipe never answers. The platform as `make run` starts it (`ementor dev`, one process, every service, the web app at
/), with the tests' real SMTP server, and Debian's Chromium. Session-scoped: one platform and one
browser serve every journey file (starting them costs about 6 s); each file makes its own organisation."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from playwright.sync_api import sync_playwright

from ementor.platform.settings import DEV_ADMIN_TOKEN
from tests.support.infra import free_port
from tests.support.smtp import SmtpServer

from .browser import launch

ROOT = Path(__file__).resolve().parents[3]
START_SECONDS = 60


@dataclass
class Platform:
    base: str
    mail: SmtpServer
    log: Path
    admin_token: str = DEV_ADMIN_TOKEN
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, token: str | None = None, expect: int | tuple = (200, 201, 202, 204),
             **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.session.request(method, self.base + path, headers=headers, timeout=10, **kwargs)
        expected = expect if isinstance(expect, tuple) else (expect,)
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response

    def emailed_link(self, address: str, pattern: str, *, after: float = 0.0, wait: float = 15.0) -> str:
        """The newest link to path `pattern` with its token (and the page to open after) emailed to `address`."""
        return self.base + self.emailed(address, pattern + r"\?token=[A-Za-z0-9_\-]+(?:&next=\S+)?",
                                        after=after, wait=wait)

    def emailed(self, address: str, regex: str, *, after: float = 0.0, wait: float = 15.0) -> str:
        """What `regex` finds in the newest email to `address` received after `after` that has it."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for caught in reversed(self.mail.to(address)):
                if caught.received_at < after:
                    continue
                found = re.search(regex, caught.message.get_body(("plain",)).get_content())
                if found:
                    return found.group(0)
            time.sleep(0.05)
        raise AssertionError(f"no email to {address} with {regex} within {wait} s")


def _built() -> None:
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        subprocess.run(["bash", "scripts/setup.sh"], cwd=ROOT, check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    _built()
    amqp_uri = os.environ["EMENTOR_WEB_E2E_AMQP_URI"]  # a vhost of its own, made by test_in_browser.py
    mail = SmtpServer().start()
    address = f"127.0.0.1:{free_port()}"
    folder = tmp_path_factory.mktemp("web-platform")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "SMTP_", "TWILIO_", "MONGODB_"))}
    env.update(AMQP_URI=amqp_uri, EMENTOR_ENV="development", EMENTOR_HTTP_ADDRESS=address, EMENTOR_LOG_FORMAT="text",
               EMENTOR_DATA_DIR=str(folder / "data"), SMTP_HOST=mail.host, SMTP_PORT=str(mail.port))
    log = folder / "ementor.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "ementor.cli", "dev", "--no-walkthrough"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    platform = Platform(base=f"http://{address}", mail=mail, log=log)
    try:
        _wait_ready(platform, process)
        yield platform
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        mail.stop()
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]


def _wait_ready(platform: Platform, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, platform.log.read_text()[-3000:]
        try:
            if requests.get(platform.base + "/health/ready", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("the platform did not become ready: " + platform.log.read_text()[-3000:])


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
