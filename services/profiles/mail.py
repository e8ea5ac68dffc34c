"""Profiles' own small mailer, for the transactional emails that carry a secret link.

A guardian's consent link must never sit in an event or in notifications' delivery log, so
profiles sends these few emails itself, at once, over SMTP (a green socket under eventlet).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from ementor.platform.extension import ServiceDependency
from ementor.platform.settings import NotificationsSettings

from .consent import MailNotSent

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 10.0


class Mail:
    def __init__(self, settings: NotificationsSettings):
        self.settings = settings

    def send(self, *, to_name: str, to_address: str, subject: str, text: str) -> None:
        """Send one plain-text email now; raises MailNotSent if the server does not take it."""
        settings = self.settings
        sender = parseaddr(settings.SMTP_FROM)
        message = EmailMessage()
        message["From"] = formataddr(sender)
        message["To"] = formataddr((to_name, to_address))
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=sender[1].partition("@")[2] or None)
        message.set_content(text)
        try:
            with smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                if settings.SMTP_STARTTLS:
                    smtp.starttls()
                if settings.SMTP_USERNAME:
                    smtp.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(f"the mail server did not take the email: {exc}") from exc


class MailProvider(ServiceDependency):
    settings_section = NotificationsSettings

    def get_dependency(self, worker_ctx) -> Mail:
        return Mail(self.settings)
