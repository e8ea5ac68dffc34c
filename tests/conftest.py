"""Shared fixtures: a real RabbitMQ (a vhost per test), the MongoDB fixture, running services."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # nameko services run in this process, on green threads

import os

import pytest

from ementor.platform.settings import Settings
from ementor.runner import Services
from tests.support.databases import drop_connected_databases
from tests.support.events import EventRecorder
from tests.support.http import ApiClient
from tests.support.infra import VirtualHosts, free_port, mongodb_server, rabbitmq_server
from tests.support.secrets import TEST_ADMIN_TOKEN, TEST_JWT_SECRET
from tests.support.services import start_within
from tests.support.smtp import SmtpServer
from tests.support.store import MODES, store_mode

pytest_plugins = ["tests.support.index_check",  # every query served by an index (checked at the end)
                  "tests.support.hang_guard"]  # a test stuck on a green wait fails, and the suite goes on


def pytest_addoption(parser):
    parser.addoption("--store", choices=MODES, default="plain",
                     help="mongomock calls yield to the hub (yield) or sleep 0-3 ms (stress): races show up")


def pytest_report_header(config):
    return (f"ementor: store mode {config.getoption('--store')}; RabbitMQ and MongoDB sources are reported by "
            "the rabbitmq/mongodb fixtures")


@pytest.fixture(autouse=True)
def _no_listener_outlives_its_descriptor():
    """After each test, the hub forgets listeners on descriptors that are closed now.

    A green thread a test leaves blocked on a socket that was closed behind the hub's back keeps a
    listener on its descriptor number; when a later test's pipe reuses that number, eventlet refuses
    the second reader ("Second simultaneous read on fileno"). Marking it reopened wakes the stale
    thread with IOClosed instead, as eventlet does itself for a descriptor a green socket reopens.
    """
    yield
    hub = eventlet.hubs.get_hub()
    for fileno in {*hub.listeners[hub.READ], *hub.listeners[hub.WRITE]}:
        try:
            os.fstat(fileno)
        except OSError:
            hub.mark_as_reopened(fileno)


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
def mongodb(mongodb_uri, request):
    """The MongoDB fixture: every service alias connected in a test is dropped afterwards.

    With `pytest --store yield` (or `stress`) every mongomock call yields to the hub (see
    tests/support/store.py); a real MongoDB server interleaves calls anyway.
    """
    with store_mode(request.config.getoption("--store")):
        yield mongodb_uri
    drop_connected_databases()


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


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server (aiosmtpd) for the test module; each test reads what it received."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp) -> Settings:
    """The test's settings with email going to `smtp`."""
    return settings.model_copy(update={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port})


@pytest.fixture
def start_services(settings):
    """Start the given service classes in this process; stopped at the end of the test."""
    running = []

    def start(*classes, settings_override: Settings | None = None) -> Services:
        services = start_within(Services(classes, settings_override or settings))
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
