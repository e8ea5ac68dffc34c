"""Test helpers: stand in for the matching service by publishing its events, and set up people.

The video service must not depend on matching's code, so its tests publish MatchAccepted and
MatchEnded themselves, exactly as matching's outbox would put them on the wire.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ementor_contracts import Event, MatchAccepted, MatchEnded, to_cloudevent
from kombu import Connection, Exchange

from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER
from tests.support.events import eventually


def publish(amqp_uri: str, event: Event, tenant_id: str) -> str:
    """Publish an event as its owning service would; return its CloudEvents id."""
    envelope = to_cloudevent(event, tenant_id)
    exchange = Exchange(f"{event.source_service}.events", type="topic", durable=True, auto_delete=False)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:  # returns once the broker has it
        producer = connection.Producer()
        producer.publish(
            envelope.model_dump(mode="json"), exchange=exchange, routing_key=event.type_name(), declare=[exchange],
            serializer=CLOUDEVENTS_SERIALIZER, delivery_mode=2,  # application/cloudevents+json
        )
    return envelope.id


@dataclass
class Organisation:
    id: str
    api_key: str
    coordinator: str
    people: dict = field(default_factory=dict)  # name -> person dict
    tokens: dict = field(default_factory=dict)  # person id -> token

    def person(self, name: str) -> dict:
        return self.people[name]

    def token(self, name: str) -> str:
        return self.tokens[self.people[name]["id"]]


def organisation(api, slug: str | None = None, people: dict | None = None) -> Organisation:
    """An organisation with people (name -> (role, timezone)), each with a person token."""
    created = api.create_organisation(slug or f"org-{uuid.uuid4().hex[:8]}")
    org = Organisation(created["id"], created["api_key"], api.coordinator_token(created["api_key"]))
    for name, (role, tz) in (people or {}).items():
        body = {"role": role, "name": name, "email": f"{name.lower().replace(' ', '.')}@example.org",
                "timezone": tz}
        if role == "mentor":
            body["capacity"] = 3
        response = api.post("/v1/people", org.coordinator, json=body)
        assert response.status_code == 201, response.text
        person = response.json()
        org.people[name] = person
        org.tokens[person["id"]] = api.person_token(org.api_key, person["id"])
    return org


def open_match(api, amqp_uri: str, org: Organisation, mentor: str, mentee: str) -> str:
    """Publish MatchAccepted for a new match and wait until the video service knows it."""
    match_id = uuid.uuid4().hex[:24]
    publish(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=org.person(mentor)["id"],
                                    mentee_id=org.person(mentee)["id"]), org.id)
    wait_for_match(api, org, match_id)
    return match_id


def wait_for_match(api, org: Organisation, match_id: str) -> None:
    def known():
        response = api.get(f"/v1/matches/{match_id}/sessions", org.coordinator)
        assert response.status_code == 200, response.text
    eventually(known)


def end_match(amqp_uri: str, org: Organisation, match_id: str, mentor: str, mentee: str, reason=None) -> None:
    publish(amqp_uri, MatchEnded(match_id=match_id, mentor_id=org.person(mentor)["id"],
                                 mentee_id=org.person(mentee)["id"], ended_by="coordinator", reason=reason), org.id)
