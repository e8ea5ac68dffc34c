"""`ementor dev` keeps its in-process store across a restart, and across a kill -9 once the
snapshot after a write is on disk (at most SNAPSHOT_SECONDS of writes can be lost)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from ementor.platform.settings import DEV_ADMIN_TOKEN
from tests.support.events import eventually
from tests.support.http import ApiClient
from tests.support.infra import free_port

pytestmark = pytest.mark.e2e


class DevServer:
    def __init__(self, amqp_uri: str, data_dir: Path):
        self.log = data_dir.parent / "ementor-dev.log"
        self.address = f"127.0.0.1:{free_port()}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "SMTP_", "TWILIO_", "MONGODB_"))}
        self.env.update(AMQP_URI=amqp_uri, EMENTOR_ENV="development", EMENTOR_HTTP_ADDRESS=self.address,
                        EMENTOR_DATA_DIR=str(data_dir), EMENTOR_LOG_FORMAT="text")
        self.api = ApiClient(f"http://{self.address}", DEV_ADMIN_TOKEN)
        self.process = None

    def start(self) -> DevServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ementor.cli", "dev", "--no-walkthrough", "--services", "profiles,matching,messaging"],
            env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )

        def ready():
            assert self.process.poll() is None, f"ementor dev exited:\n{self.output()}"
            try:
                assert self.api.get("/health/ready").status_code == 200
            except requests.ConnectionError as exc:
                raise AssertionError(str(exc)) from exc

        eventually(ready, timeout=90, interval=0.2)
        return self

    def output(self) -> str:
        return self.log.read_text()[-4000:]

    def stop(self, sig: int) -> None:
        self.process.send_signal(sig)
        self.process.wait(timeout=60)


def test_data_survives_a_restart_and_a_kill_9_after_its_snapshot(amqp_uri, tmp_path):
    tmp_path = tmp_path / "data"
    server = DevServer(amqp_uri, tmp_path).start()
    try:
        api = server.api
        organisation = api.create_organisation("persistent")
        token = api.coordinator_token(organisation["api_key"])
        people = {}
        for role, name in (("mentor", "Ada"), ("mentee", "Cy")):
            person = api.post("/v1/people", token, json={
                "role": role, "name": name, "email": f"{name.lower()}@example.org", "timezone": "Europe/London",
                "interests": ["robotics"], **({"capacity": 2} if role == "mentor" else {})})
            assert person.status_code == 201, person.text
            people[role] = person.json()["id"]
    finally:
        server.stop(signal.SIGTERM)

    server.start()
    try:
        exchanged = api.post("/v1/auth/token", organisation["api_key"])  # the key is still known
        assert exchanged.status_code == 200, f"{exchanged.text}\n{server.output()}"
        token = exchanged.json()["access_token"]
        assert api.get(f"/v1/people/{people['mentor']}", token).json()["name"] == "Ada"
        match = api.post("/v1/matches", token, json={"mentee_id": people["mentee"], "mentor_id": people["mentor"]})
        assert match.status_code == 201, match.text
        match_id = match.json()["id"]
        for side in people.values():
            assert api.post(f"/v1/matches/{match_id}/accept", token, json={"person_id": side}).status_code == 200
        mentor = api.person_token(organisation["api_key"], people["mentor"])

        def sent():
            response = api.post(f"/v1/matches/{match_id}/messages", mentor, json={"body": "kept after kill -9"})
            assert response.status_code == 201, response.text
            return response.json()["id"]

        message_id = eventually(sent, timeout=20, interval=0.2)
        snapshot = tmp_path / "ementor_messaging.bson"
        eventually(lambda: _contains(snapshot, message_id), timeout=10, interval=0.1)
    finally:
        server.stop(signal.SIGKILL)

    server.start()
    try:
        mentor = api.person_token(organisation["api_key"], people["mentor"])
        messages = api.get(f"/v1/matches/{match_id}/messages", mentor)
        assert messages.status_code == 200, messages.text
        assert [m["body"] for m in messages.json()["items"] if m["id"] == message_id] == ["kept after kill -9"]
    finally:
        server.stop(signal.SIGTERM)
    assert "Traceback" not in server.output(), "every stop was clean"


def _contains(snapshot: Path, message_id: str) -> None:
    data = snapshot.read_bytes() if snapshot.exists() else b""
    assert message_id.encode() in data or bytes.fromhex(message_id) in data, "no snapshot with the message yet"
