"""Profiles' own small mailer for the emails that carry a secret link (sign-in, invitations,
guardian consent).

Such links must never travel in an event or sit in notifications' delivery log, so these emails
do not go through notifications. Two ways to send:

- `send` queues the email for a green thread that sends it after the request has been answered:
  a sign-in request for a known address takes as long as one for an unknown address (no
  enumeration through timing). A link lost to a crash before sending is asked for again.
- `send_now` sends before answering and raises MailNotSent when the server does not take it, for
  the consent request whose sending is recorded as evidence.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from eventlet.queue import Queue

from ementor.platform.extension import ServiceDependency
from ementor.platform.settings import MailSettings

from .consent import MailNotSent

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 10.0


class Outgoing:
    """What a worker gets: `send` after answering, or `send_now`, which raises MailNotSent when the
    server does not take the email."""

    def __init__(self, queue: Queue, settings: MailSettings):
        self._queue = queue
        self._settings = settings

    def send(self, to: str, subject: str, text: str, *, to_name: str = "") -> None:
        self._queue.put((to_name, to, subject, text))

    def send_now(self, *, to_name: str, to_address: str, subject: str, text: str, message_id: str | None = None) -> None:
        """`message_id` (its left part) makes the Message-ID stable, so an email sent again is the same email."""
        try:
            deliver(self._settings, to_name, to_address, subject, text, message_id)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(f"the mail server did not take the email: {exc}") from exc


def deliver(settings: MailSettings, to_name: str, to_address: str, subject: str, text: str,
            message_id: str | None = None) -> None:
    sender = parseaddr(settings.SMTP_FROM)
    domain = sender[1].partition("@")[2] or socket.getfqdn()
    message = EmailMessage()
    message["From"] = formataddr(sender)
    message["To"] = formataddr((to_name, to_address))
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@{domain}>" if message_id else make_msgid(domain=domain)
    message.set_content(text)
    with smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.SMTP_STARTTLS:
            smtp.starttls()
        if settings.SMTP_USERNAME:
            smtp.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD or "")
        smtp.send_message(message)


class LinkMailer(ServiceDependency):
    settings_section = MailSettings

    def setup(self):
        self.queue: Queue = Queue()

    def start(self):
        self.container.spawn_managed_thread(self._run)

    def get_dependency(self, worker_ctx) -> Outgoing:
        return Outgoing(self.queue, self.settings)

    def _run(self):
        while True:
            to_name, to, subject, text = self.queue.get()
            try:
                deliver(self.settings, to_name, to, subject, text)
            except Exception:  # the person can ask for another link; the mailer keeps going
                log.exception("could not send %r", subject)
