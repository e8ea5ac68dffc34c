"""The invitation worker: every replica sends the invitations that are due, every few seconds and at
once when a worker adds a person with `invite` (invitations.py; each invitation is claimed first)."""

from __future__ import annotations

from ementor.platform.extension import ServiceDependency
from ementor.platform.loop import BackgroundLoop
from ementor.platform.settings import MailSettings

from . import invitations
from .accounts import LinkSettings
from .documents import DOCUMENTS
from .import_documents import IMPORT_DOCUMENTS
from .import_repository import ImportRepository
from .mailer import DirectMail


class InvitationWorker(ServiceDependency):
    """Gives workers `kick()`; sends due invitations in the platform's background loop."""

    settings_section = MailSettings  # the mail server and the public address

    def setup(self):
        self.open_database(*DOCUMENTS, *IMPORT_DOCUMENTS)
        self.repo = ImportRepository()
        self.mail = DirectMail(self.settings)
        self.links = LinkSettings.of(self.settings)
        self.loop = BackgroundLoop(self.container.service_name, "invitations", self.tick,
                                   poll_seconds=invitations.POLL_SECONDS)

    def start(self):
        self.loop.start(lambda run: self.container.spawn_managed_thread(run, identifier=self.loop.name))

    def stop(self):
        self.loop.stop()

    def kill(self):
        self.loop.stop(timeout=0)

    def kick(self) -> None:
        self.loop.kick()

    def get_dependency(self, worker_ctx):
        return self

    def tick(self) -> bool:
        """True when a full batch went: more may be due. A store outage raises: the loop backs off, and
        claimed invitations fall due again after their lease."""
        return invitations.send_due(self.repo, self.mail, self.links) == invitations.BATCH
