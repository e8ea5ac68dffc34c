"""`ServiceExtension`: the base of every nameko provider and entrypoint that needs settings or storage.

It reads the boot settings from the container (the one place that does) and narrows them to the
section the extension declares, and it opens the service's own database (the one place that calls
`mongo.connect`): connected once per process, each document's indexes ensured once.

    class Mailer(ServiceDependency):
        settings_section = NotificationsSettings

        def setup(self):
            self.mailer = build_mailer(self.settings.SMTP_HOST, ...)

        def get_dependency(self, worker_ctx):
            return self.mailer
"""

from __future__ import annotations

from nameko.extensions import DependencyProvider, Extension

from .settings import CommonSettings, section

SETTINGS_KEY = "EMENTOR_SETTINGS"  # where ementor.platform.amqp.nameko_config puts the boot settings


class ServiceExtension(Extension):
    """Settings and database access for an extension; subclass it (or ServiceDependency)."""

    settings_section: type[CommonSettings] = CommonSettings

    @property
    def settings(self):
        """The validated settings, narrowed to `settings_section` (once per boot settings: every
        request reads them, and narrowing copies each field)."""
        boot = self.container.config[SETTINGS_KEY]
        narrowed = self.__dict__.get("_narrowed")
        if narrowed is None or narrowed[0] is not boot:
            narrowed = self._narrowed = (boot, section(boot, self.settings_section))
        return narrowed[1]

    def open_database(self, *documents) -> str:
        """Connect the service's database alias and ensure the documents' indexes; idempotent."""
        from . import mongo  # mongo's Repository derives from this module's classes

        return mongo.open_database(self.container.service_name, self.settings.MONGODB_URI, documents)


class ServiceDependency(ServiceExtension, DependencyProvider):
    """A dependency provider with settings and database access."""
