"""Where the tests find RabbitMQ and MongoDB (docs/decisions.md, "MongoDB in development and tests"), and per-test isolation."""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from urllib.parse import quote, urlparse

import requests

LOCAL_AMQP_URI = "amqp://guest:guest@localhost:5672/"


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no Docker engine, whatever the reason
        return False


@contextmanager
def rabbitmq_server():
    """Yield (amqp_uri, management_url, source) for a RabbitMQ the tests may use."""
    if uri := os.environ.get("AMQP_URI"):
        yield uri, os.environ.get("RABBITMQ_MANAGEMENT_URL", _management_url_for(uri)), "AMQP_URI"
        return
    if docker_answers():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as container:
            host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
            mgmt = f"http://guest:guest@{host}:{container.get_exposed_port(15672)}"
            yield f"amqp://guest:guest@{host}:{port}/", mgmt, "testcontainers"
        return
    yield LOCAL_AMQP_URI, _management_url_for(LOCAL_AMQP_URI), "local server"


def _management_url_for(amqp_uri: str) -> str:
    parsed = urlparse(amqp_uri)
    user, password = parsed.username or "guest", parsed.password or "guest"
    return f"http://{user}:{password}@{parsed.hostname or 'localhost'}:15672"


class VirtualHosts:
    """Creates a throwaway vhost per test through the management API, so tests never share queues.

    Each new vhost is proved usable (a connection declares a queue in it): a broker that accepts
    a vhost but never starts its message store would otherwise hang the first service that
    connects until the test's timeout. Once that is seen, later tests fail at once, saying so.
    """

    def __init__(self, amqp_uri: str, management_url: str):
        self.amqp_uri = amqp_uri
        self.management_url = management_url.rstrip("/")
        parsed = urlparse(amqp_uri)
        self.user = parsed.username or "guest"
        self.broken: str | None = None

    def create(self) -> tuple[str, str]:
        if self.broken:
            raise RuntimeError(self.broken)
        name = f"test-{uuid.uuid4().hex[:12]}"
        api = f"{self.management_url}/api"
        uri = urlparse(self.amqp_uri)._replace(path="/" + quote(name, safe="")).geturl()
        try:
            # Generous timeouts: the broker adds and deletes vhosts one at a time, and deleting one
            # with quorum queues can take a minute on a busy machine.
            requests.put(f"{api}/vhosts/{name}", timeout=120).raise_for_status()
            requests.put(
                f"{api}/permissions/{name}/{self.user}",
                json={"configure": ".*", "write": ".*", "read": ".*"},
                timeout=120,
            ).raise_for_status()
            _declare_queues(uri, timeout=60)
        except Exception as exc:
            self.broken = (f"RabbitMQ at {self.management_url.rsplit('@', 1)[-1]} did not serve a new vhost "
                           f"({type(exc).__name__}: {exc}); it is wedged — restart it (scripts/setup.sh does)")
            raise RuntimeError(self.broken) from exc
        return name, uri

    def delete(self, name: str) -> None:
        requests.delete(f"{self.management_url}/api/vhosts/{name}", timeout=120)


def _declare_queues(amqp_uri: str, timeout: float) -> None:
    import eventlet

    from ementor.devtools.broker_probe import declare_queues

    with eventlet.Timeout(timeout):
        declare_queues(amqp_uri, timeout)


@contextmanager
def mongodb_server():
    """Yield (uri or None, source). None means the in-process mongomock stand-in."""
    if uri := os.environ.get("MONGODB_URI"):
        yield uri, "MONGODB_URI"
        return
    if docker_answers():
        from testcontainers.mongodb import MongoDbContainer

        with MongoDbContainer("mongo:7") as container:
            yield container.get_connection_url(), "testcontainers"
        return
    yield None, "mongomock (in-process stand-in: no MONGODB_URI and no Docker engine)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
