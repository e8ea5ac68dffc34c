"""The import worker: every replica claims queued people imports (a leased claim) and runs them.

A job is claimed with an atomic update and a lease renewed after every batch; if the replica dies
the lease lapses and another replica resumes the job from its last recorded batch.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import eventlet
from eventlet.queue import Empty, LightQueue

from ementor.platform.extension import ServiceDependency

from . import import_jobs
from .documents import DOCUMENTS
from .import_documents import IMPORT_DOCUMENTS
from .import_repository import ImportRepository

log = logging.getLogger(__name__)


class ImportWorker(ServiceDependency):
    """Gives workers the import repository and `kick()`; runs claimed imports in a managed thread."""

    poll_seconds = 2.0

    def __init__(self):
        self._wake = LightQueue(maxsize=1)
        self._gt = None

    def setup(self):
        self.open_database(*DOCUMENTS, *IMPORT_DOCUMENTS)
        self.repo = ImportRepository()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def start(self):
        self._gt = self.container.spawn_managed_thread(self._run, identifier="people-imports")

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
                while (job := self.repo.claim_import(self.holder, import_jobs.LEASE)) is not None:
                    import_jobs.run_import(self.repo, job, self.holder, pause=eventlet.sleep)
            except Exception:  # the database away: the lease lapses and the job is taken up again
                log.exception("people imports: could not claim or run an import")
                eventlet.sleep(self.poll_seconds)
