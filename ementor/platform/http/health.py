"""Liveness and readiness of the services in this process.

Liveness (`/health/live`): the process answers; a failing liveness probe restarts the pod, so it
checks nothing beyond that. Readiness (`/health/ready`, and `/health`): every container started,
the broker accepts a connection and each service's MongoDB answers a ping; a failing readiness
probe takes the pod out of rotation until they are back. A check that hangs counts as down.
"""

from __future__ import annotations

import time

import eventlet
import mongoengine
from kombu import Connection
from mongoengine.connection import get_db

from ..extension import SETTINGS_KEY

CHECK_TIMEOUT_SECONDS = 2.0
CACHE_SECONDS = 2.0  # probes of several replicas and services in one process share one answer


def _ping_broker(amqp_uri: str) -> None:
    with Connection(amqp_uri, connect_timeout=CHECK_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1)


def _ping_mongodb(alias: str) -> None:
    get_db(alias).client.admin.command("ping")


def _run(check, *args) -> str:
    try:
        with eventlet.Timeout(CHECK_TIMEOUT_SECONDS):
            check(*args)
    except eventlet.Timeout:
        return f"down: no answer within {CHECK_TIMEOUT_SECONDS:g}s"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason is reported
        return f"down: {type(exc).__name__}: {str(exc)[:200]}"
    return "ok"


class Readiness:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._cached: tuple[float, dict, int] | None = None

    def __call__(self, containers) -> tuple[dict, int]:
        """(body, status): 200 when everything is ready, 503 naming what is down."""
        now = self.clock()
        if self._cached and now - self._cached[0] < CACHE_SECONDS:
            return self._cached[1], self._cached[2]
        checks = {f"service:{c.service_name}": "ok" if c.started else "down: stopped" for c in containers}
        if containers:  # the services of one process share one settings object
            checks["broker"] = _run(_ping_broker, containers[0].config[SETTINGS_KEY].AMQP_URI)
        for container in containers:
            alias = container.service_name
            if alias in mongoengine.connection._connection_settings:
                checks[f"mongodb:{alias}"] = _run(_ping_mongodb, alias)
        down = sorted(name for name, state in checks.items() if state != "ok")
        ready = bool(containers) and not down
        body = {"status": "ok" if ready else "unavailable", "checks": checks}
        if not ready:
            body["down"] = down or ["no service started"]
        self._cached = (now, body, 200 if ready else 503)
        return body, self._cached[2]
