"""Profiles' own small mailer for emails that carry a secret link (sign-in, staff invitation).

Such links must never travel in an event, so these emails do not go through notifications.
Sending happens on a green thread after the request has been answered: a request for a known
address takes as long as one for an unknown address (no enumeration through timing). A link lost
to a crash before sending is asked for again; nothing else depends on it.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from eventlet.queue import Queue

from ementor.platform.extension import ServiceDependency
from ementor.platform.settings import MailSettings

log = logging.getLogger(__name__)


class Outgoing:
    def __init__(self, queue: Queue):
        self._queue = queue

    def send(self, to: str, subject: str, text: str) -> None:
        self._queue.put((to, subject, text))


class LinkMailer(ServiceDependency):
    settings_section = MailSettings

    def setup(self):
        self.queue: Queue = Queue()
        self.mail = self.settings

    def start(self):
        self.container.spawn_managed_thread(self._run)

    def get_dependency(self, worker_ctx):
        return Outgoing(self.queue)

    def _run(self):
        while True:
            to, subject, text = self.queue.get()
            try:
                self._send(to, subject, text)
            except Exception:  # the person can ask for another link; the mailer keeps going
                log.exception("could not send %r", subject)

    def _send(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.mail.SMTP_FROM, to, subject
        message.set_content(text)
        with smtplib.SMTP(self.mail.SMTP_HOST, self.mail.SMTP_PORT, timeout=10) as smtp:
            if self.mail.SMTP_STARTTLS:
                smtp.starttls()
            if self.mail.SMTP_USERNAME:
                smtp.login(self.mail.SMTP_USERNAME, self.mail.SMTP_PASSWORD or "")
            smtp.send_message(message)
