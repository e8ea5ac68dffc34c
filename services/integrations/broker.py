"""RabbitMQ at the edge: the `ementor.integrations` exchange and the management API.

Two dependency providers: `IntegrationsExchange` republishes events with publisher confirms,
and `RabbitManagement` gives workers the management API client (management.py) that creates
the organisations' own RabbitMQ users (EMENTOR_RABBITMQ_MANAGEMENT_URL).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from kombu import Connection, Exchange
from nameko.amqp.publish import Publisher

from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER
from ementor.platform.extension import ServiceDependency
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
        self.publisher = Publisher(
            settings.AMQP_URI,
            use_confirms=True,
            serializer=CLOUDEVENTS_SERIALIZER,
            exchange=exchange,
            declare=[exchange],
            delivery_mode=2,
            retry=False,
        )

    def publish(self, envelope: dict, routing_key: str) -> None:
        self.publisher.publish(
            envelope,
            routing_key=routing_key,
            message_id=envelope["id"],
            headers={"ce-type": envelope["type"], "ce-tenantid": envelope["tenantid"]},
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
