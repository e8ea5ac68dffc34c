"""RabbitMQ at the edge: the `ementor.integrations` exchange and the management API.

Two dependency providers: `IntegrationsExchange` republishes events with publisher confirms
(concurrent workers share one confirm wait), and `RabbitManagement` gives workers the management
API client (management.py) that creates the organisations' own RabbitMQ users
(EMENTOR_RABBITMQ_MANAGEMENT_URL).
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

from kombu import Connection, Exchange

from ementor.platform.extension import ServiceDependency
from ementor.platform.publisher import GroupPublisher, PipelinedPublisher
from ementor.platform.settings import IntegrationsSettings

from .domain import INTEGRATIONS_EXCHANGE
from .management import ManagementClient


def integrations_exchange() -> Exchange:
    return Exchange(INTEGRATIONS_EXCHANGE, type="topic", durable=True, auto_delete=False, delivery_mode=2)


def vhost_of(amqp_uri: str) -> str:
    path = urlsplit(amqp_uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class IntegrationsExchange(ServiceDependency):
    """Publishes to `ementor.integrations`; `publish` raises unless the broker confirmed."""

    def setup(self):
        settings = self.settings
        exchange = integrations_exchange()
        with Connection(settings.AMQP_URI) as connection:
            exchange(connection.default_channel).declare()
        # Workers republishing at once share a confirm wait instead of each waiting for its own.
        self.publisher = GroupPublisher(PipelinedPublisher(settings.AMQP_URI, INTEGRATIONS_EXCHANGE))

    def stop(self):
        self.publisher.close()

    def kill(self):
        self.publisher.close()

    def publish(self, envelope: dict, routing_key: str) -> None:
        self.publisher.publish(
            json.dumps(envelope, separators=(",", ":")).encode(),
            routing_key,
            envelope["id"],
            {"ce-type": envelope["type"], "ce-tenantid": envelope["tenantid"]},
        )

    def get_dependency(self, worker_ctx):
        return self


class RabbitManagement(ServiceDependency):
    settings_section = IntegrationsSettings

    def setup(self):
        settings = self.settings
        self.client = ManagementClient(settings.rabbitmq_management_url)
        self.vhost = vhost_of(settings.AMQP_URI)

    def get_dependency(self, worker_ctx):
        return self
