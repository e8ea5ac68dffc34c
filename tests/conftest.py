"""Shared fixtures: a real RabbitMQ (a vhost per test), the MongoDB fixture, running services."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # nameko services run in this process, on green threads

import mongoengine
import pytest
from mongoengine.base.common import _document_registry
from mongoengine.connection import get_db

from ementor.platform.settings import Settings
from ementor.runner import Services
from tests.support.events import EventRecorder
from tests.support.http import ApiClient
from tests.support.infra import VirtualHosts, free_port, mongodb_server, rabbitmq_server
from tests.support.secrets import TEST_ADMIN_TOKEN, TEST_JWT_SECRET


def pytest_report_header(config):
    return "ementor: RabbitMQ and MongoDB sources are reported by the rabbitmq/mongodb fixtures"


@pytest.fixture(scope="session")
def rabbitmq():
    with rabbitmq_server() as (amqp_uri, management_url, source):
        print(f"\n[rabbitmq] {source}: {amqp_uri}")
        yield VirtualHosts(amqp_uri, management_url)


@pytest.fixture
def amqp_uri(rabbitmq):
    name, uri = rabbitmq.create()
    yield uri
    rabbitmq.delete(name)


@pytest.fixture(scope="session")
def mongodb_uri():
    with mongodb_server() as (uri, source):
        print(f"\n[mongodb] {source}")
        yield uri


@pytest.fixture
def mongodb(mongodb_uri):
    """The MongoDB fixture: every service alias connected in a test is dropped afterwards."""
    yield mongodb_uri
    for alias in list(mongoengine.connection._connection_settings):
        try:
            db = get_db(alias)
            db.client.drop_database(db.name)
        finally:
            mongoengine.disconnect(alias)
    # mongoengine caches each document class's collection object; a cached mongomock collection
    # would keep the previous test's documents alive.
    for document in _document_registry.values():
        document._collection = None


@pytest.fixture
def settings(amqp_uri, mongodb) -> Settings:
    return Settings(
        _env_file=None,
        EMENTOR_ENV="test",
        EMENTOR_ADMIN_TOKEN=TEST_ADMIN_TOKEN,
        EMENTOR_JWT_SECRET=TEST_JWT_SECRET,
        EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
        AMQP_URI=amqp_uri,
        MONGODB_URI=mongodb,
        EMENTOR_DELIVERY_LIMIT=3,
    )


@pytest.fixture
def start_services(settings):
    """Start the given service classes in this process; stopped at the end of the test."""
    running = []

    def start(*classes, settings_override: Settings | None = None) -> Services:
        services = Services(classes, settings_override or settings).start()
        running.append(services)
        return services

    yield start
    for services in reversed(running):
        services.stop()


@pytest.fixture
def api(settings) -> ApiClient:
    return ApiClient(f"http://{settings.EMENTOR_HTTP_ADDRESS}", settings.EMENTOR_ADMIN_TOKEN)


@pytest.fixture
def events(amqp_uri):
    recorder = EventRecorder(amqp_uri)
    yield recorder
    recorder.close()
