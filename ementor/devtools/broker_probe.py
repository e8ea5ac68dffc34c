"""Does the local RabbitMQ serve a new vhost? `python -m ementor.devtools.broker_probe` exits 0 if so.

The tests make a vhost each. A broker can accept a vhost through its management API and then
never start its message store (seen on RabbitMQ 3.10 after many vhosts came and went), and the
first connection to it hangs. Set-up runs this probe and restarts such a broker.
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
        with Connection(f"{AMQP}{name}", connect_timeout=TIMEOUT, transport_options={"timeout": TIMEOUT}) as conn:
            channel = conn.channel()
            channel.queue_declare("", exclusive=True, auto_delete=True)
            channel.close()
    except (requests.RequestException, OSError, AMQPError, KombuError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        try:
            requests.delete(f"{MANAGEMENT}/vhosts/{name}", timeout=TIMEOUT)
        except requests.RequestException:
            pass
    return None


if __name__ == "__main__":
    problem = probe()
    if problem:
        print(f"RabbitMQ did not serve a new vhost: {problem}", file=sys.stderr)
    sys.exit(1 if problem else 0)
