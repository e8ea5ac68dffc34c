"""Does the local RabbitMQ serve a new vhost? `python -m ementor.devtools.broker_probe` exits 0 if so.

The tests make a vhost each. A broker can accept a vhost through its management API and then
never start its message store (seen on RabbitMQ 3.10 after many vhosts came and went), and the
first connection to it hangs. Set-up runs this probe and restarts such a broker; the tests prove
each new vhost with `declare_queues`.
"""

from __future__ import annotations

import sys
import uuid

import requests
from amqp.exceptions import AMQPError
from kombu import Connection
from kombu.exceptions import KombuError

MANAGEMENT = "http://guest:guest@localhost:15672/api"
AMQP = "amqp://guest:guest@localhost:5672/"
TIMEOUT = 60


def probe() -> str | None:
    """None when a new vhost is served, else what went wrong."""
    name = f"probe-{uuid.uuid4().hex[:8]}"
    try:
        requests.put(f"{MANAGEMENT}/vhosts/{name}", timeout=TIMEOUT).raise_for_status()
        requests.put(f"{MANAGEMENT}/permissions/{name}/guest", json={"configure": ".*", "write": ".*", "read": ".*"},
                     timeout=TIMEOUT).raise_for_status()
        declare_queues(f"{AMQP}{name}", TIMEOUT)
    except (requests.RequestException, OSError, AMQPError, KombuError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        try:
            requests.delete(f"{MANAGEMENT}/vhosts/{name}", timeout=TIMEOUT)
        except requests.RequestException:
            pass
    return None


def declare_queues(amqp_uri: str, timeout: float) -> None:
    """Declare and delete a classic queue and a quorum queue, the kind every service declares (the
    broker serves it through Ra, not the vhost's message store); raise if either fails or times out."""
    with Connection(amqp_uri, connect_timeout=timeout, transport_options={"timeout": timeout}) as conn:
        channel = conn.channel()
        channel.queue_declare("", exclusive=True, auto_delete=True)
        quorum = f"probe-{uuid.uuid4().hex[:8]}"
        channel.queue_declare(quorum, durable=True, auto_delete=False, arguments={"x-queue-type": "quorum"})
        channel.queue_delete(quorum)
        channel.close()


if __name__ == "__main__":
    problem = probe()
    if problem:
        print(f"RabbitMQ did not serve a new vhost: {problem}", file=sys.stderr)
    sys.exit(1 if problem else 0)
