"""The mailer and the SMS gateway as the service's dependencies, built from its settings section."""

from __future__ import annotations

import logging

from ementor.platform.extension import ServiceDependency
from ementor.platform.settings import NotificationsSettings

from .mailer import Mailer
from .sms import SmsGateway
from .smtp_pool import SmtpConfig

log = logging.getLogger(__name__)


class MailerProvider(ServiceDependency):
    """One SMTP connection pool per service process, in its mail worker process (see mailer.py)."""

    settings_section = NotificationsSettings
    pool_size = 8

    def setup(self):
        settings = self.settings
        self.mailer = Mailer(SmtpConfig(
            host=settings.SMTP_HOST, port=settings.SMTP_PORT, username=settings.SMTP_USERNAME or None,
            password=settings.SMTP_PASSWORD or None, starttls=settings.SMTP_STARTTLS, pool_size=self.pool_size,
        ))

    def start(self):
        self.mailer.start()

    def stop(self):
        self.mailer.stop()

    def kill(self):
        self.mailer.stop(timeout=0)

    def get_dependency(self, worker_ctx) -> Mailer:
        return self.mailer


class SmsProvider(ServiceDependency):
    """The twilio client, or None when the deployment has no Twilio credentials (SMS off)."""

    settings_section = NotificationsSettings

    def setup(self):
        settings = self.settings
        self.gateway = None
        if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN:
            self.gateway = SmsGateway(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                                      base_url=settings.TWILIO_BASE_URL or None)
        else:
            log.warning("notifications: TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN not set; SMS notifications are off")

    def get_dependency(self, worker_ctx) -> SmsGateway | None:
        return self.gateway
