"""An organisation for the browser journeys, made through the API as a coordinator would."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass


@dataclass
class Organisation:
    slug: str
    api_key: str
    token: str  # the coordinator's (the API key's) token
    mentor: dict
    other_mentor: dict
    mentee: dict  # a minor, whose guardian is asked by email
    guardian_email: str


def organisation(platform) -> Organisation:
    slug = f"riverside-{uuid.uuid4().hex[:6]}"
    created = platform.call("POST", "/v1/organisations", platform.admin_token,
                            json={"slug": slug, "name": "Riverside School"}).json()
    token = platform.call("POST", "/v1/auth/token", created["api_key"]).json()["access_token"]
    programme = platform.call("POST", "/v1/programmes", token, json={
        "name": "Science mentoring", "description": "Students meet scientists and engineers once a fortnight."}).json()

    def person(**body):
        return platform.call("POST", "/v1/people", token, json={"programme_id": programme["id"], **body}).json()

    mentor = person(role="mentor", name="Ada Okafor", email=f"ada@{slug}.example.org", timezone="Europe/Paris",
                    interests=["robotics", "astronomy", "chess"], languages=["en", "es"], vetted=True,
                    bio="Engineer who builds telescopes at weekends.")
    other = person(role="mentor", name="Ben Carter", email=f"ben@{slug}.example.org", timezone="America/New_York",
                   interests=["music"], languages=["en"], vetted=True, bio="Sound engineer.")
    guardian = f"guardian@{slug}.example.org"
    mentee = person(role="mentee", name="Sam Rivera", email=f"sam@{slug}.example.org", timezone="Europe/London",
                    interests=["robotics", "astronomy"], languages=["en"], is_minor=True,
                    guardian={"name": "Alex Rivera", "email": guardian})
    _until_matching_knows(platform, token, mentee["id"], mentor["id"])
    return Organisation(slug, created["api_key"], token, mentor, other, mentee, guardian)


def _until_matching_knows(platform, token: str, mentee_id: str, mentor_id: str, wait: float = 20.0) -> None:
    """Matching learns people from events: wait until it recommends the mentor (usually well under 1 s)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = platform.call("GET", f"/v1/people/{mentee_id}/recommendations", token, expect=(200, 404))
        if found.status_code == 200 and any(r["mentor_id"] == mentor_id for r in found.json()["items"]):
            return
        time.sleep(0.1)
    raise AssertionError("matching never learnt the seeded people")
