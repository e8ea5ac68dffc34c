"""Gives workers the service's validated settings (its own section of them), and binds each
worker's log context: every service declares AppSettings, so it is where a worker's log lines
learn their service, tenant, request id and trace."""

from __future__ import annotations

from .extension import ServiceDependency
from .logs import bind_worker
from .settings import CommonSettings


class AppSettings(ServiceDependency):
    def __init__(self, section: type[CommonSettings] = CommonSettings):
        self.settings_section = section

    def setup(self):
        self.section = self.settings

    def get_dependency(self, worker_ctx):
        return self.section

    def worker_setup(self, worker_ctx):
        bind_worker(self.container.service_name, worker_ctx.context_data)
