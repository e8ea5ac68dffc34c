"""The invitation worker: every replica sends the invitations that are due, every few seconds and at
once when a worker adds a person with `invite` (invitations.py; each invitation is claimed first)."""

from __future__ import annotations

import logging

import eventlet
from eventlet.queue import Empty, LightQueue

from ementor.platform.extension import ServiceDependency
from ementor.platform.settings import MailSettings

from . import invitations
from .accounts import LinkSettings
from .documents import DOCUMENTS
from .import_documents import IMPORT_DOCUMENTS
from .import_repository import ImportRepository
from .mailer import DirectMail

log = logging.getLogger(__name__)


class InvitationWorker(ServiceDependency):
    """Gives workers `kick()`; sends due invitations in a managed thread."""

    settings_section = MailSettings  # the mail server and the public address
    poll_seconds = invitations.POLL_SECONDS

    def __init__(self):
        self._wake = LightQueue(maxsize=1)
        self._gt = None

    def setup(self):
        self.open_database(*DOCUMENTS, *IMPORT_DOCUMENTS)
        self.repo = ImportRepository()
        self.mail = DirectMail(self.settings)
        self.links = LinkSettings.of(self.settings)

    def start(self):
        self._gt = self.container.spawn_managed_thread(self._run, identifier="invitations")

    def stop(self):
        if self._gt is not None:
            self._gt.kill()

    kill = stop

    def kick(self) -> None:
        if self._wake.qsize() == 0:  # woken once is enough
            self._wake.put_nowait(True)

    def get_dependency(self, worker_ctx):
        return self

    def _run(self):
        while True:
            try:
                self._wake.get(timeout=self.poll_seconds)
            except Empty:
                pass
            try:
                while invitations.send_due(self.repo, self.mail, self.links) == invitations.BATCH:
                    eventlet.sleep(0)  # a full batch: more may be due
            except Exception:  # the database away: claimed invitations fall due again after their lease
                log.exception("invitations: could not claim or send")
                eventlet.sleep(self.poll_seconds)
