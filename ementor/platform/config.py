"""Gives workers the service's validated settings."""

from nameko.extensions import DependencyProvider

from .settings import Settings


class AppSettings(DependencyProvider):
    def get_dependency(self, worker_ctx) -> Settings:
        return self.container.config["EMENTOR_SETTINGS"]
