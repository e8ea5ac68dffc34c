"""A test whose broker never serves its vhost fails within a bound, saying why, instead of hanging."""

from __future__ import annotations

import socket
import time
from contextlib import contextmanager

import eventlet
import pytest
from nameko.containers import ServiceContainer

from ementor import registry
from ementor.runner import Services
from tests.support import services as services_support
from tests.support.services import ServicesDidNotStart, start_within

pytestmark = pytest.mark.integration


@contextmanager
def silent_broker():
    """The port of a listener that takes connections and never speaks AMQP, as a wedged broker."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        yield silent.getsockname()[1]


def _profiles_on(settings, port: int, vhost: str = "") -> Services:
    config = settings.model_copy(update={"AMQP_URI": f"amqp://guest:guest@127.0.0.1:{port}/{vhost}"})
    return Services([registry.service_class("profiles")], config)


def test_services_on_a_silent_broker_fail_in_seconds_naming_the_vhost(settings):
    with silent_broker() as port:
        services = _profiles_on(settings, port, "stuck-vhost")

        with pytest.raises(ServicesDidNotStart) as failed:
            start_within(services, seconds=3)

    assert str(failed.value).startswith("profiles did not start within 3 s")
    assert f"127.0.0.1:{port} did not serve vhost 'stuck-vhost'" in str(failed.value)
    assert not any(container.started for container in services.containers), "nothing left retrying"


def test_a_kill_that_waits_on_the_silent_broker_does_not_keep_the_test_waiting(settings, monkeypatch):
    monkeypatch.setattr(services_support, "KILL_SECONDS", 1)
    monkeypatch.setattr(ServiceContainer, "kill", lambda self, exc_info=None: eventlet.sleep(600))  # as seen in CI
    with silent_broker() as port:
        services = _profiles_on(settings, port)
        started = time.monotonic()
        with pytest.raises(ServicesDidNotStart):
            start_within(services, seconds=2)
        assert time.monotonic() - started < 10, "2 s to start, then 1 s for the kill"

    monkeypatch.undo()  # and now really kill it, so that it does not retry for the rest of the run
    for container in services.containers:
        container.kill()
    assert not any(container.started for container in services.containers)
