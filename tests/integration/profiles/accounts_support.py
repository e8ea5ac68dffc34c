"""Helpers for the accounts tests: read a link from the caught email, complete sign-in with it."""

from __future__ import annotations

import re
import time

from tests.support.events import eventually

LINK = re.compile(r"https?://\S+/(?:sign-in/complete|invitations/accept)\?token=([\w-]+)")


def link_token(smtp, to: str, *, after: int = 0) -> str:
    """The token of the newest link emailed to `to` among the messages after index `after`."""
    def arrived():
        mails = [m for m in smtp.messages[after:] if to in m.recipients]
        assert mails, f"no email to {to} yet"
        match = LINK.search(mails[-1].text())
        assert match, mails[-1].text()
        return match.group(1)

    return eventually(arrived)


def sign_in(api, smtp, organisation: str, email: str) -> dict:
    """Ask for a link, read it from the email, complete sign-in: the session's tokens."""
    before = len(smtp.messages)
    response = api.post("/v1/auth/sign-in", json={"organisation": organisation, "email": email})
    assert response.status_code == 202, response.text
    token = link_token(smtp, email, after=before)
    completed = api.post("/v1/auth/sign-in/complete", json={"token": token})
    assert completed.status_code == 200, completed.text
    return completed.json()


def seconds_until_refused(api, path: str, token: str, timeout: float = 15.0) -> float:
    """Poll `path` with `token` until it answers 401 token_revoked; the seconds that took."""
    started = time.monotonic()

    def refused():
        response = api.get(path, token)
        assert response.status_code == 401, response.status_code
        assert response.json()["error"]["code"] == "token_revoked"

    eventually(refused, timeout=timeout, interval=0.01)
    return time.monotonic() - started
