"""A real OpenID Provider for the SSO tests: panva/oidc-provider (tests/support/oidc, installed by
scripts/setup.sh with `npm ci`) run with the machine's Node.js on a free loopback port.

    with OpenIdProvider(clients=[...], accounts={"jamie": {...}}) as op:
        callback_url = op.sign_in(authorisation_url, "jamie")   # drives its login and consent forms

People sign in through the provider's own login and consent pages (its development interactions:
the login name is the account id, any password), submitted over HTTP like a browser would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from html import unescape
from pathlib import Path
from typing import Self
from urllib.parse import urljoin

import requests

from tests.support.infra import free_port

HERE = Path(__file__).resolve().parent / "oidc"
FORM = re.compile(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)
INPUT = re.compile(r"<input[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"(\w+)=\"([^\"]*)\"")


class OpenIdProvider:
    def __init__(self, *, clients: list[dict], accounts: dict[str, dict]):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.config = {"port": self.port, "clients": clients, "accounts": accounts}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        node = shutil.which("node")
        assert node, "Node.js is needed for the SSO tests (scripts/setup.sh installs the provider)"
        assert (HERE / "node_modules" / "oidc-provider").is_dir(), "run scripts/setup.sh (npm ci in tests/support/oidc)"
        self.process = subprocess.Popen([node, str(HERE / "server.mjs")], cwd=HERE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT,
                                        env={**os.environ, "OIDC_CONFIG": json.dumps(self.config),
                                             "NODE_ENV": "test"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the OpenID Provider did not start")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def sign_in(self, authorisation_url: str, login: str, redirect_prefix: str) -> str:
        """Follow the provider's pages as a browser, filling its login form with `login` and accepting
        its consent form; return the URL it finally sends the browser to (our callback)."""
        browser = requests.Session()
        url, method, data = authorisation_url, "GET", None
        for _ in range(12):
            response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if url.startswith(redirect_prefix):
                    return url
                method, data = "GET", None
                continue
            assert response.status_code == 200, f"{response.status_code} from the provider: {response.text[:500]}"
            action, fields = _form(response.text)
            if "login" in fields:
                fields.update(login=login, password="any")
            url, method, data = urljoin(url, action), "POST", fields
        raise AssertionError("the provider never sent the browser back")


def _form(page: str) -> tuple[str, dict]:
    found = FORM.search(page)
    assert found, f"no form on the provider's page: {page[:500]}"
    fields = {}
    for tag in INPUT.findall(found.group(2)):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = unescape(attributes.get("value", ""))
    return unescape(found.group(1)), fields
