"""Services in one process stop together: each container waits about a second for its consumers'
next poll, so nine stopped one after another kept `ementor dev` 25 s from exiting on Ctrl-C."""

from __future__ import annotations

import eventlet

from ementor.runner import Services


class Container:
    def __init__(self, log: list, name: str, started: bool = True):
        self.log, self.name, self.started = log, name, started

    def stop(self):
        self.log.append(("stopping", self.name))
        eventlet.sleep(0.01)  # waiting for a consumer's poll
        self.log.append(("stopped", self.name))


def test_every_started_container_begins_stopping_before_any_has_finished():
    log: list = []
    services = Services.__new__(Services)  # the containers stand in for nameko's
    services.containers = [Container(log, name) for name in ("profiles", "messaging", "knowledge")]
    services.containers.append(Container(log, "never started", started=False))

    services.stop()

    assert [step for step, _ in log[:3]] == ["stopping"] * 3
    assert sorted(name for step, name in log if step == "stopped") == ["knowledge", "messaging", "profiles"]
