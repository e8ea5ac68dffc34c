"""An organisation with people (made through the profiles API) and a way to open matches.

Matching is not needed: the tests publish its events (MatchAccepted, MatchEnded...) themselves.

Profiles and messaging run once per test module (`platform`), on the module's own vhost; each
test gets a new organisation (`world`), so tests are isolated by tenancy, the very property the
services guarantee, and the suite does not pay for starting and stopping nameko per test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted, MatchDeclined, MatchEnded, MatchProposed
from mongoengine.connection import get_db

from ementor.platform.settings import Settings
from ementor.runner import Services
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from tests.support.databases import drop_connected_databases
from tests.support.events import EventRecorder, eventually
from tests.support.http import ApiClient
from tests.support.infra import free_port
from tests.support.publish import publish_event
from tests.support.secrets import TEST_ADMIN_TOKEN, TEST_JWT_SECRET
from tests.support.services import start_within

OFFLINE_CONSENT = {"decision": "grant", "evidence": "signed paper form (test)"}  # a minor's guardian consented, on paper


@dataclass
class Person:
    id: str
    token: str
    role: str


@dataclass
class Organisation:
    id: str
    api_key: str
    coordinator: str
    people: dict = field(default_factory=dict)


@dataclass
class World:
    api: ApiClient
    amqp_uri: str
    org: Organisation
    recorder: EventRecorder

    def events(self, type_name: str, predicate=lambda e: True, *, count: int = 1, timeout: float = 10.0):
        """Wait for `count` events of this type published for this test's organisation."""
        return self.recorder.wait_for(type_name, lambda e: e.tenantid == self.org.id and predicate(e),
                                      count=count, timeout=timeout)

    def seen(self, type_name: str) -> list:
        """Events of this type for this test's organisation received so far."""
        return [e for e in self.recorder.of_type(type_name) if e.tenantid == self.org.id]

    def person(self, name: str, role: str, *, is_minor: bool = False,
               org: Organisation | None = None) -> Person:
        org = org or self.org
        response = self.api.post("/v1/people", org.coordinator, json={
            "role": role, "name": name, "email": f"{name.lower()}.{ObjectId()}@example.org",
            "timezone": "Europe/London", "is_minor": is_minor,
            **({"consent_recorded_offline": OFFLINE_CONSENT} if is_minor else {}),
        })
        assert response.status_code == 201, response.text
        person_id = response.json()["id"]
        return Person(person_id, self.api.person_token(org.api_key, person_id), role)

    def organisation(self, slug: str) -> Organisation:
        created = self.api.create_organisation(f"{slug}-{ObjectId()}")
        return Organisation(created["id"], created["api_key"], self.api.coordinator_token(created["api_key"]))

    def publish(self, event, org: Organisation | None = None):
        return publish_event(self.amqp_uri, event, (org or self.org).id)

    def accept(self, mentor: Person, mentee: Person, *, org: Organisation | None = None,
               match_id: str | None = None) -> str:
        """Publish MatchAccepted and wait until messaging has opened the conversation."""
        match_id = match_id or str(ObjectId())
        self.publish(MatchAccepted(match_id=match_id, mentor_id=mentor.id, mentee_id=mentee.id), org)
        self.wait_for_status(match_id, "active", org=org)
        return match_id

    def propose(self, mentor: Person, mentee: Person) -> str:
        match_id = str(ObjectId())
        self.publish(MatchProposed(match_id=match_id, mentor_id=mentor.id, mentee_id=mentee.id,
                                   proposed_by="coordinator", score=0.5))
        self.wait_for_status(match_id, "proposed")
        return match_id

    def decline(self, match_id: str, mentor: Person, mentee: Person) -> None:
        self.publish(MatchDeclined(match_id=match_id, mentor_id=mentor.id, mentee_id=mentee.id,
                                   declined_by=mentee.id, reason="not now"))
        self.wait_for_status(match_id, "declined")

    def end(self, match_id: str, mentor: Person, mentee: Person) -> None:
        self.publish(MatchEnded(match_id=match_id, mentor_id=mentor.id, mentee_id=mentee.id,
                                ended_by="coordinator", reason="Programme finished"))
        self.wait_for_status(match_id, "ended")

    def handled(self, envelope) -> None:
        """Wait until messaging has handled this published event (its inbox records it)."""
        def check():
            assert get_db("messaging")["inbox"].count_documents({"event_id": envelope.id}) == 1

        eventually(check, timeout=15)

    def conversation(self, match_id: str, token: str | None = None):
        return self.api.get(f"/v1/matches/{match_id}/conversation", token or self.org.coordinator)

    def wait_for_status(self, match_id: str, status: str, *, org: Organisation | None = None) -> dict:
        def check():
            response = self.conversation(match_id, (org or self.org).coordinator)
            assert response.status_code == 200 and response.json()["status"] == status, response.text
            return response.json()

        return eventually(check, timeout=15)

    def send(self, match_id: str, sender: Person, body: str):
        return self.api.post(f"/v1/matches/{match_id}/messages", sender.token, json={"body": body})

    def mark_read(self, match_id: str, reader: Person, message_id: str):
        return self.api.post(f"/v1/matches/{match_id}/messages/read", reader.token,
                             json={"up_to_message_id": message_id})

    def decide(self, message_id: str, decision: str, token: str | None = None, **body):
        """Approve or reject a held message (as this organisation's coordinator unless told)."""
        path = f"/v1/moderation/messages/{message_id}/{decision}"
        return self.api.post(path, token or self.org.coordinator, json=body)

    def put_settings(self, token: str | None = None, **body):
        return self.api.request("PUT", "/v1/settings/messaging", token or self.org.coordinator, json=body)

    def audit(self, **params) -> list[dict]:
        response = self.api.get("/v1/moderation/audit", self.org.coordinator, params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def messages(self, match_id: str, token: str, **params) -> list[dict]:
        response = self.api.get(f"/v1/matches/{match_id}/messages", token, params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture(scope="module")
def platform(rabbitmq, mongodb_uri):
    vhost, amqp_uri = rabbitmq.create()
    settings = Settings(
        _env_file=None, EMENTOR_ENV="test", EMENTOR_ADMIN_TOKEN=TEST_ADMIN_TOKEN,
        EMENTOR_JWT_SECRET=TEST_JWT_SECRET,
        EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}", AMQP_URI=amqp_uri, MONGODB_URI=mongodb_uri,
        EMENTOR_DELIVERY_LIMIT=3,
    )
    services = start_within(Services([ProfilesService, MessagingService], settings))
    yield settings
    services.stop()
    drop_connected_databases()
    rabbitmq.delete(vhost)


@pytest.fixture
def world(platform):
    api = ApiClient(f"http://{platform.EMENTOR_HTTP_ADDRESS}", platform.EMENTOR_ADMIN_TOKEN)
    created = api.create_organisation(f"northside-{ObjectId()}")
    org = Organisation(created["id"], created["api_key"], api.coordinator_token(created["api_key"]))
    recorder = EventRecorder(platform.AMQP_URI)
    yield World(api, platform.AMQP_URI, org, recorder)
    recorder.close()


@pytest.fixture
def pair(world):
    """An adult mentor and an adult mentee with an active match: (match_id, mentor, mentee)."""
    mentor = world.person("Amara", "mentor")
    mentee = world.person("Priya", "mentee")
    return world.accept(mentor, mentee), mentor, mentee
