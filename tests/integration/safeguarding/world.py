"""Test helpers: an organisation with a mentor, a mentee (or two), an active match, and a safeguarding lead."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ementor.platform.http.auth import issue_token
from tests.support.events import eventually
from tests.support.secrets import TEST_JWT_SECRET


class Clock:
    """A clock the test moves: the safeguarding service reads its time from it."""

    def __init__(self):
        self.at = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)


@dataclass
class Org:
    id: str
    api_key: str
    coordinator: str
    people: dict = field(default_factory=dict)  # name -> id
    tokens: dict = field(default_factory=dict)  # name -> token

    def lead(self, staff_id: str = "lead-1") -> str:
        return issue_token(TEST_JWT_SECRET, tenant_id=self.id, role="safeguarding_lead", staff_id=staff_id)

    def staff(self, role: str, staff_id: str) -> str:
        return issue_token(TEST_JWT_SECRET, tenant_id=self.id, role=role, staff_id=staff_id)


def organisation(api, people: dict[str, str]) -> Org:
    created = api.create_organisation(f"org-{uuid.uuid4().hex[:8]}")
    org = Org(created["id"], created["api_key"], api.coordinator_token(created["api_key"]))
    for name, role in people.items():
        body = {"role": role, "name": name, "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.org",
                "timezone": "Europe/London", "interests": ["robotics", "chess"]}
        if role == "mentor":
            body["capacity"] = 3
        response = api.post("/v1/people", org.coordinator, json=body)
        assert response.status_code == 201, response.text
        org.people[name] = response.json()["id"]
        org.tokens[name] = api.person_token(org.api_key, org.people[name])
    return org


def active_match(api, org: Org, mentor: str, mentee: str, video: bool = True) -> str:
    def proposed():
        response = api.post("/v1/matches", org.coordinator,
                            json={"mentee_id": org.people[mentee], "mentor_id": org.people[mentor]})
        assert response.status_code == 201, response.text  # once matching's projection has both people
        return response.json()["id"]

    match_id = eventually(proposed)
    for name in (mentor, mentee):
        accepted = api.post(f"/v1/matches/{match_id}/accept", org.tokens[name], json={})
        assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"

    def open_everywhere():
        assert api.get(f"/v1/matches/{match_id}/conversation", org.coordinator).json()["status"] == "active"
        assert not video or api.get(f"/v1/matches/{match_id}/sessions", org.coordinator).status_code == 200
    eventually(open_everywhere)
    return match_id


def send(api, org: Org, match_id: str, who: str, body: str = "Hello, how was the robotics club?"):
    return api.post(f"/v1/matches/{match_id}/messages", org.tokens[who], json={"body": body})


def book(api, org: Org, match_id: str, who: str, days: int = 3):
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=16, minute=0, second=0, microsecond=0)
    return api.post(f"/v1/matches/{match_id}/sessions", org.tokens[who],
                    json={"starts_at": start.isoformat(), "duration_minutes": 45})


def code(response) -> str:
    return response.json()["error"]["code"]
