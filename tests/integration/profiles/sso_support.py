"""Helpers for the SSO and TOTP tests: the local OpenID Provider wired to two organisations, and a
browser's round trip through start → provider → callback."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from tests.support.oidc_provider import OpenIdProvider

SECRETS = {"northside": "northside-client-secret-0123456789", "southside": "southside-client-secret-0123456789"}
ACCOUNTS = {
    "priya": {"email": "Priya@Northside.org", "email_verified": True, "name": "Priya Shah"},
    "jamie": {"email": "jamie@example.org", "email_verified": True, "name": "Jamie Rivera"},
    "sam": {"email": "sam@example.org", "email_verified": False, "name": "Sam Unverified"},
    "stranger": {"email": "stranger@example.org", "email_verified": True, "name": "Not Registered"},
}


def provider(api_base: str) -> OpenIdProvider:
    callback = f"{api_base}/v1/auth/sso/callback"
    return OpenIdProvider(accounts=ACCOUNTS, clients=[
        {"client_id": f"{slug}-app", "client_secret": secret, "redirect_uris": [callback]}
        for slug, secret in SECRETS.items()])


def configure(api, token: str, op: OpenIdProvider, slug: str, **options) -> requests.Response:
    return api.request("PUT", "/v1/sign-in-options/sso", token, json={
        "issuer": op.issuer, "client_id": f"{slug}-app", "client_secret": SECRETS[slug], **options})


@dataclass
class Started:
    authorisation_url: str
    browser: str  # the ementor_sso cookie the start set


def start(api, slug: str, return_to: str = "/home") -> Started:
    response = requests.get(f"{api.base_url}/v1/auth/sso/{slug}/start", params={"return_to": return_to},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return Started(response.headers["Location"], response.cookies["ementor_sso"])


def callback(url: str, browser: str | None, accept: str = "application/json") -> requests.Response:
    # The cookie is Secure outside development; this test browser speaks plain HTTP on loopback, so
    # it sends the cookie by hand, as a browser would over HTTPS.
    return requests.get(url, cookies={"ementor_sso": browser} if browser else None, allow_redirects=False,
                        headers={"Accept": accept}, timeout=10)


def round_trip(api, op: OpenIdProvider, slug: str, login: str, return_to: str = "/home") -> requests.Response:
    started = start(api, slug, return_to)
    return callback(op.sign_in(started.authorisation_url, login, f"{api.base_url}/v1/auth/sso/callback"),
                    started.browser)


def error_code(response: requests.Response) -> str:
    return response.json()["error"]["code"]
