"""Gives workers the service's validated settings, and binds each worker's log context.

Every service declares AppSettings, so it is also where a worker's log lines learn their
service, tenant, request id and trace.
"""

from nameko.extensions import DependencyProvider

from .logs import bind_worker
from .settings import Settings


class AppSettings(DependencyProvider):
    def get_dependency(self, worker_ctx) -> Settings:
        return self.container.config["EMENTOR_SETTINGS"]

    def worker_setup(self, worker_ctx):
        bind_worker(self.container.service_name, worker_ctx.context_data)
