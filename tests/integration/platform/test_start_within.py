"""A test whose broker never serves its vhost fails within a bound, saying why, instead of hanging."""

from __future__ import annotations

import socket

import pytest

from ementor import registry
from ementor.runner import Services
from tests.support.services import ServicesDidNotStart, start_within

pytestmark = pytest.mark.integration


def test_services_on_a_silent_broker_fail_in_seconds_naming_the_vhost(settings):
    with socket.socket() as silent:  # takes connections and never speaks AMQP, as a wedged broker
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        config = settings.model_copy(update={"AMQP_URI": f"amqp://guest:guest@127.0.0.1:{port}/stuck-vhost"})
        services = Services([registry.service_class("profiles")], config)

        with pytest.raises(ServicesDidNotStart) as failed:
            start_within(services, seconds=3)

    assert str(failed.value).startswith("profiles did not start within 3 s")
    assert f"127.0.0.1:{port} did not serve vhost 'stuck-vhost'" in str(failed.value)
    assert not any(container.started for container in services.containers), "nothing left retrying"
