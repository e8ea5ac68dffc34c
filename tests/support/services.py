"""Starting service containers in a test within a bound.

nameko retries a broker that does not serve its vhost for ever, as a production service should.
In a test that would hang until pytest-timeout ends the whole run, hiding the cause; here the test
fails instead, naming what did not start, and the suite goes on.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlparse

import eventlet

from ementor.runner import Services

START_SECONDS = 120  # nine services start in a few seconds; a healthy broker never needs this long


class ServicesDidNotStart(RuntimeError):
    pass


def start_within(services: Services, seconds: float = START_SECONDS) -> Services:
    started = []
    timer = eventlet.Timeout(seconds)
    try:
        for container in services.containers:  # as Services.start, one by one, to name the one stuck
            container.start()
            started.append(container)
        return services
    except eventlet.Timeout as expired:
        if expired is not timer:
            raise
        waiting = [container.service_name for container in services.containers if container not in started]
        _abandon(services)
        broker = urlparse(services.settings.AMQP_URI)
        raise ServicesDidNotStart(
            f"{', '.join(waiting)} did not start within {seconds:g} s: RabbitMQ at {broker.hostname}:{broker.port} "
            f"did not serve vhost {broker.path.lstrip('/')!r}. See /var/log/rabbitmq; scripts/setup.sh restarts "
            f"a wedged broker.") from None
    finally:
        timer.cancel()


KILL_SECONDS = 10


def _abandon(services: Services) -> None:
    """Kill every container, started or still starting, so nothing retries in the background. A kill
    may itself wait on the broker that never answered (seen), so each gets KILL_SECONDS at most."""
    for container in services.containers:
        with suppress(Exception), eventlet.Timeout(KILL_SECONDS, False):  # best effort: the test fails anyway
            container.kill()
