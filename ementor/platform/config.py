"""Gives workers the service's validated settings (its own section of them)."""

from __future__ import annotations

from .extension import ServiceDependency
from .settings import CommonSettings


class AppSettings(ServiceDependency):
    def __init__(self, section: type[CommonSettings] = CommonSettings):
        self.settings_section = section

    def setup(self):
        self.section = self.settings

    def get_dependency(self, worker_ctx):
        return self.section
