"""SMS out through the real twilio client (ementor/platform/twilio_client.py), with a timeout."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

from ementor.platform.twilio_client import twilio_client

from .domain import SendFailure, twilio_failure


@dataclass(frozen=True)
class SmsSent:
    sid: str
    status: str


class SmsGateway:
    def __init__(self, account_sid: str, auth_token: str, *, base_url: str | None = None, timeout: float = 10.0):
        self.client = twilio_client(account_sid, auth_token, base_url=base_url, timeout=timeout)
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
