"""Organisations the operator has disabled: their tokens stop working in every service.

Tokens are JWTs that each service verifies on its own, so a disabled organisation's tokens would
otherwise work until they expire. Each process keeps the set of disabled organisation ids, asking
profiles for it (RPC `profiles.disabled_organisations`) every REFRESH_SECONDS from a background
green thread: a request never waits for it. While profiles cannot be asked the last known set
stays in force.
"""

from __future__ import annotations

import logging

import eventlet
from nameko.standalone.rpc import ClusterRpcProxy

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0
RPC_TIMEOUT_SECONDS = 5.0


class DisabledOrganisations:
    def __init__(self, nameko_config: dict):
        self.config = nameko_config
        self.ids: frozenset[str] = frozenset()
        self._gt = None

    def __contains__(self, organisation_id: str | None) -> bool:
        return organisation_id in self.ids

    def start(self) -> None:
        self._gt = eventlet.spawn(self._refresh_forever)

    def stop(self) -> None:
        if self._gt is not None:
            self._gt.kill()

    def refresh(self) -> None:
        with ClusterRpcProxy(self.config, timeout=RPC_TIMEOUT_SECONDS) as cluster:
            self.ids = frozenset(cluster.profiles.disabled_organisations())

    def _refresh_forever(self) -> None:
        while True:
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - profiles away or not deployed: keep the last set
                log.debug("could not refresh the disabled organisations: %s", exc)
            eventlet.sleep(REFRESH_SECONDS)
