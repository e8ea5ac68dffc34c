"""The real twilio REST client, optionally pointed at another host.

`base_url` (TWILIO_BASE_URL) sends every request the client would send to api.twilio.com there
instead: tests and development run a local stand-in that answers as Twilio does. The client is
synchronous (`requests`), which eventlet makes green.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class _RebasedHttpClient(TwilioHttpClient):
    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url.rstrip("/"))

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


def twilio_client(account_sid: str, auth_token: str, *, base_url: str | None = None, timeout: float = 10.0) -> Client:
    http = _RebasedHttpClient(base_url, timeout=timeout) if base_url else TwilioHttpClient(timeout=timeout)
    return Client(account_sid, auth_token, http_client=http)
