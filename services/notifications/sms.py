"""SMS out through the real twilio client.

The twilio client is synchronous (`requests`), which eventlet makes green: it runs on the hub like
any other HTTP call, with a timeout. `TWILIO_BASE_URL` points every request at another host
(tests and development run a local stand-in that answers as Twilio does).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from .domain import SendFailure, twilio_failure


class _RebasedHttpClient(TwilioHttpClient):
    """Sends what the client would send to api.twilio.com to `base_url` instead."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url.rstrip("/"))

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


@dataclass(frozen=True)
class SmsSent:
    sid: str
    status: str


class SmsGateway:
    def __init__(self, account_sid: str, auth_token: str, *, base_url: str | None = None, timeout: float = 10.0):
        http_client = (_RebasedHttpClient(base_url, timeout=timeout) if base_url
                       else TwilioHttpClient(timeout=timeout))
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.validator = RequestValidator(auth_token)

    def send(self, *, to: str, body: str, from_number: str | None, messaging_service_sid: str | None,
             status_callback: str | None) -> SmsSent:
        """Hand one SMS to Twilio; raise SendFailure (permanent for 4xx other than 429)."""
        if not from_number and not messaging_service_sid:
            raise SendFailure("no SMS sender: set TWILIO_FROM_NUMBER or the organisation's sms_from or "
                              "messaging_service_sid", permanent=True)
        options = {"to": to, "body": body, "status_callback": status_callback}
        if messaging_service_sid:
            options["messaging_service_sid"] = messaging_service_sid
        else:
            options["from_"] = from_number
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as exc:
            raise twilio_failure(exc.status, exc.code, exc.msg) from None
        except (requests.RequestException, TwilioException) as exc:
            raise twilio_failure(None, None, f"cannot reach Twilio: {exc}") from None
        return SmsSent(sid=message.sid, status=message.status or "queued")

    def signature_valid(self, url: str, params: dict, signature: str | None) -> bool:
        return bool(signature) and self.validator.validate(url, params, signature)
