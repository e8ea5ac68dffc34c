"""Fixtures for the matching service over HTTP and real RabbitMQ: an organisation with people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest

from services.matching.service import MatchingService
from services.profiles.service import ProfilesService
from tests.support.events import eventually

OFFLINE_CONSENT = {"decision": "grant", "evidence": "signed paper form (test)"}
SAME = object()  # Org.add: the organisation's programme


@dataclass
class Org:
    api: object
    api_key: str
    token: str  # coordinator
    organisation_id: str
    programme_id: str
    people: dict = field(default_factory=dict)  # name -> person dict
    _tokens: dict = field(default_factory=dict)

    def token_for(self, name_or_id: str) -> str:
        person_id = self.people[name_or_id]["id"] if name_or_id in self.people else name_or_id
        if person_id not in self._tokens:
            self._tokens[person_id] = self.api.person_token(self.api_key, person_id)
        return self._tokens[person_id]

    def id(self, name: str) -> str:
        return self.people[name]["id"]

    def add(self, name: str, role: str, *, interests, languages=("en",), timezone="Europe/London", capacity=None,
            is_minor=False, vetted=False, custom_fields=None, programme_id=SAME) -> dict:
        """programme_id: the organisation's programme unless named; None for a person in no programme."""
        body = {"role": role, "name": name, "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.org",
                "timezone": timezone, "languages": list(languages), "interests": list(interests),
                "is_minor": is_minor, "vetted": vetted,
                "programme_id": self.programme_id if programme_id is SAME else programme_id,
                "custom_fields": custom_fields or {}}
        if role == "mentor":
            body["capacity"] = capacity or 1
        if is_minor:  # a minor is matched only with their guardian's consent: collected offline here
            body["consent_recorded_offline"] = OFFLINE_CONSENT
        response = self.api.post("/v1/people", self.token, json=body)
        assert response.status_code == 201, response.text
        self.people[name] = response.json()
        return self.people[name]

    def wait_known(self, *names: str) -> None:
        """Until matching's projection has every named person (their ProfileCreated consumed)."""
        for name in names:
            person = self.people[name]
            if person["role"] != "mentee":
                continue

            def known(person=person):
                r = self.api.get(f"/v1/people/{person['id']}/recommendations", self.token)
                assert r.status_code == 200, r.text

            eventually(known)


def make_org(api, slug_prefix: str = "org", fields=None) -> Org:
    organisation = api.create_organisation(f"{slug_prefix}-{uuid.uuid4().hex[:8]}")
    token = api.coordinator_token(organisation["api_key"])
    response = api.post("/v1/programmes", token, json={
        "name": "Careers", "custom_fields": fields if fields is not None else [
            {"key": "sector", "label": "Sector", "type": "single_choice", "options": ["tech", "health", "law"]}]})
    assert response.status_code == 201, response.text
    programme_id = response.json()["id"]

    def matching_knows_the_programme():  # its ProgrammeCreated event has been consumed
        known = api.get(f"/v1/settings/matching?programme_id={programme_id}", token)
        assert known.status_code == 200, known.text

    eventually(matching_knows_the_programme)
    return Org(api=api, api_key=organisation["api_key"], token=token, organisation_id=organisation["id"],
               programme_id=programme_id)


@pytest.fixture
def platform(start_services):
    """Profiles and matching running together, as in production (two services, one broker)."""
    return start_services(ProfilesService, MatchingService)


@pytest.fixture
def org(platform, api) -> Org:
    return make_org(api)


def wait_for_mentors(org: Org, mentee: str, mentors: list[str]) -> dict:
    """Recommendations for the mentee, once the projection lists every named mentor."""

    def check():
        r = org.api.get(f"/v1/people/{org.id(mentee)}/recommendations?limit=50", org.token)
        assert r.status_code == 200, r.text
        seen = {item["mentor_id"] for item in r.json()["items"]}
        assert {org.id(m) for m in mentors} <= seen
        return r.json()

    return eventually(check)
