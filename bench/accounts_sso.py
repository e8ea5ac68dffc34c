"""The SSO part of the accounts benchmark: callback → session against a real OpenID Provider.

The provider is panva/oidc-provider (tests/support/oidc, run with Node.js). Each round starts a
sign-in at profiles, signs in at the provider through its own forms (not timed), then times the
callback: state claimed, code exchanged over HTTP, ID token verified with the cached JWKS, person
matched, session stored, 302 with the cookies.
"""

from __future__ import annotations

import statistics
import time

import requests

from tests.support.oidc_provider import OpenIdProvider

SECRET = "bench-client-secret-0123456789abcdef"


def sso_callback_figures(platform, report, percentile, slug: str, key_token: str, emails: list[str]) -> None:
    profiles = platform.urls["profiles"]
    callback_url = f"{profiles}/v1/auth/sso/callback"
    accounts = {f"user{i}": {"email": email, "email_verified": True, "name": f"User {i}"}
                for i, email in enumerate(emails)}
    with OpenIdProvider(clients=[{"client_id": "bench", "client_secret": SECRET, "redirect_uris": [callback_url]}],
                        accounts=accounts) as op:
        configured = platform.call("profiles", "PUT", "/v1/sign-in-options/sso", key_token,
                                   json={"issuer": op.issuer, "client_id": "bench", "client_secret": SECRET})
        assert configured.status_code == 200, configured.text
        timings = []
        for login in accounts:
            started = requests.get(f"{profiles}/v1/auth/sso/{slug}/start", params={"return_to": "/"},
                                   allow_redirects=False, timeout=10)
            back = op.sign_in(started.headers["Location"], login, callback_url)
            began = time.perf_counter()
            landed = requests.get(back, cookies={"ementor_sso": started.cookies["ementor_sso"]},
                                  allow_redirects=False, timeout=10)
            timings.append(time.perf_counter() - began)
            assert landed.status_code == 302 and "ementor_session" in landed.cookies, landed.text
    report.figure("SSO callback → session p50", statistics.median(timings) * 1e3, "ms", rounds=len(timings))
    report.figure("SSO callback → session p99", percentile(timings, 99) * 1e3, "ms", rounds=len(timings))
