"""Sending safeguarding alerts by email (SMTP) and SMS (the real twilio client): a nameko provider.

Safeguarding sends its own alerts rather than through notifications (docs/decisions.md): an alert
goes to a contact who is not a person of the platform, must ignore quiet hours and preferences,
and each step's outcome belongs in the concern's own escalation record, which the clock reads.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

import requests
from twilio.base.exceptions import TwilioException

from ementor.platform.extension import ServiceDependency
from ementor.platform.settings import SafeguardingSettings
from ementor.platform.twilio_client import twilio_client

from .domain import Contact

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0


class AlertSender:
    def __init__(self, settings: SafeguardingSettings):
        self.settings = settings
        self.twilio = None
        if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN:
            self.twilio = twilio_client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                                        base_url=settings.TWILIO_BASE_URL or None, timeout=TIMEOUT_SECONDS)

    @property
    def operator(self) -> Contact:
        s = self.settings
        return Contact(s.EMENTOR_SAFEGUARDING_OPERATOR_NAME, s.EMENTOR_SAFEGUARDING_OPERATOR_EMAIL,
                       s.EMENTOR_SAFEGUARDING_OPERATOR_PHONE)

    def email(self, contact: Contact, subject: str, text: str) -> str:
        """Send one email; the outcome as text for the escalation record (never raises)."""
        if not contact.email:
            return "none"
        sender = parseaddr(self.settings.SMTP_FROM)
        message = EmailMessage()
        message["From"] = formataddr(sender)
        message["To"] = formataddr((contact.name, contact.email))
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=sender[1].partition("@")[2] or None)
        message["X-Priority"] = "1"
        message.set_content(text)
        try:
            with smtplib.SMTP(self.settings.SMTP_HOST, self.settings.SMTP_PORT, timeout=TIMEOUT_SECONDS) as smtp:
                if self.settings.SMTP_STARTTLS:
                    smtp.starttls()
                if self.settings.SMTP_USERNAME:
                    smtp.login(self.settings.SMTP_USERNAME, self.settings.SMTP_PASSWORD or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("safeguarding alert email not sent: %r", exc)
            return f"failed: {type(exc).__name__}"
        return "sent"

    def sms(self, contact: Contact, text: str) -> str:
        if not contact.phone:
            return "none"
        if self.twilio is None or not self.settings.TWILIO_FROM_NUMBER:
            return "failed: SMS not configured (TWILIO_* settings)"
        try:
            message = self.twilio.messages.create(to=contact.phone, from_=self.settings.TWILIO_FROM_NUMBER, body=text)
        except (requests.RequestException, TwilioException) as exc:
            log.warning("safeguarding alert SMS not sent: %r", exc)
            return f"failed: {type(exc).__name__}"
        return f"sent ({message.sid})"


class Alerts(ServiceDependency):
    settings_section = SafeguardingSettings

    def setup(self):
        self.sender = AlertSender(self.settings)

    def get_dependency(self, worker_ctx) -> AlertSender:
        return self.sender
