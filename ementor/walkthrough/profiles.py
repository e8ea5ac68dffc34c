"""Walkthrough: an organisation, a programme, a few mentors and mentees, staff invited and a mentee signing in."""

from __future__ import annotations

import re
import time
import uuid

try:
    from ementor.devtools.catchers import running as running_catchers
except ImportError:  # no dev dependencies (aiosmtpd): no mail catcher to read links from

    def running_catchers():
        return None, None

LINK = re.compile(r"(\S+\?token=[\w-]+)")
from . import guardian_consent

MENTORS = [
    {"name": "Amara Okafor", "interests": ["software engineering", "robotics", "music"], "languages": ["en", "yo"],
     "timezone": "Europe/London", "capacity": 2, "bio": "Robotics engineer in Manchester."},
    {"name": "Li Wei", "interests": ["medicine", "biology", "chess"], "languages": ["en", "zh"],
     "timezone": "Europe/London", "capacity": 1, "bio": "Junior doctor, first in family at university."},
    {"name": "Sofia Rossi", "interests": ["law", "debating", "music"], "languages": ["en", "it"],
     "timezone": "Europe/Rome", "capacity": 2, "bio": "Barrister and former debating coach."},
]
MENTEES = [
    {"name": "Jamie Fisher", "interests": ["Robotics", "Software Engineering"], "languages": ["en"],
     "timezone": "Europe/London", "is_minor": True,
     "guardian": {"name": "Helen Fisher", "email": "helen.fisher@families.example.org"}},
    {"name": "Priya Shah", "interests": ["medicine", "chess"], "languages": ["en"], "timezone": "Europe/London"},
    {"name": "Tom Evans", "interests": ["debating", "music"], "languages": ["en"], "timezone": "Europe/London"},
]


def run(tour) -> None:
    api = tour.api
    slug = f"coastal-academy-{uuid.uuid4().hex[:6]}"
    organisation = api.post("/v1/organisations", tour.admin_token, json={"slug": slug, "name": "Coastal Academy"}).json()
    tour.say("The operator creates an organisation", {k: organisation[k] for k in ("id", "slug", "name")})
    api_key = organisation["api_key"]
    token = api.post("/v1/auth/token", api_key).json()["access_token"]
    tour.say("Its coordinator exchanges the API key for a token", "POST /v1/auth/token -> Bearer JWT")

    programme = api.post("/v1/programmes", token, json={
        "name": "Careers mentoring",
        "description": "Year 12 students meet professionals.",
        "custom_fields": [{"key": "sector", "label": "Sector", "type": "single_choice",
                           "options": ["engineering", "health", "law"], "required": False}],
    }).json()
    tour.say("A programme with a custom profile field", {"id": programme["id"], "custom_fields": programme["custom_fields"]})

    sectors = ["engineering", "health", "law"]
    mentors, mentees = [], []
    for i, mentor in enumerate(MENTORS):
        email = mentor["name"].split()[0].lower() + "@mentors.example.org"
        body = {**mentor, "role": "mentor", "email": email, "vetted": True, "programme_id": programme["id"],
                "custom_fields": {"sector": sectors[i]}, "phone": f"+4477009001{i:02d}",
                "channels": {"email": True, "sms": True}}
        mentors.append(api.post("/v1/people", token, json=body).json())
    for i, mentee in enumerate(MENTEES):
        email = mentee["name"].split()[0].lower() + "@students.example.org"
        body = {**mentee, "role": "mentee", "email": email, "programme_id": programme["id"],
                "custom_fields": {"sector": sectors[i]}, "phone": f"+4477009002{i:02d}",
                "channels": {"email": True, "sms": not mentee.get("is_minor", False)}, "invite": True}
        mentees.append(api.post("/v1/people", token, json=body).json())
    tour.say("Mentors and mentees registered (interests normalised to tags)",
             "\n".join(f"{p['role']:<6} {p['name']:<14} {', '.join(p['interests'])}" for p in mentors + mentees))

    bad = api.post("/v1/people", token, expect=422, json={"role": "mentee", "name": "X", "email": "not-an-email",
                                                          "timezone": "Mars/Olympus"}).json()
    tour.say("Bad input gets a clear 422", bad["error"]["message"])

    tour.events.wait_for("ProfileCreated", count=len(mentors) + len(mentees))
    tour.say("Events that flowed")
    tour.show_events("OrganisationCreated", "ProgrammeCreated", "ProfileCreated")

    tokens: dict[str, str] = {}

    def token_for(person_id: str) -> str:
        if person_id not in tokens:
            tokens[person_id] = api.post("/v1/auth/token", api_key, json={"person_id": person_id}).json()["access_token"]
        return tokens[person_id]

    minor = next(p for p in mentees if p["guardian_consent"] != "not_required")
    guardian_consent.run(tour, token, minor, mentors[0]["id"])

    tour.state.update(slug=slug, api_key=api_key, coordinator_token=token, organisation_id=organisation["id"],
                      programme_id=programme["id"], mentors=mentors, mentees=mentees, token_for=token_for)
    _accounts(tour, slug, token, mentees[1])


def _accounts(tour, slug: str, token: str, mentee: dict) -> None:
    """Staff invited by email, and a mentee signing in with an emailed link."""
    api = tour.api
    mail, _ = running_catchers()
    if mail is None:
        tour.say("Accounts", "skipped: no mail catcher running to read the sign-in links from")
        return
    before = len(mail.messages)
    staff = api.post("/v1/staff", token, json={"name": "Grace Hopper", "email": "grace@coastal.example.org",
                                               "role": "coordinator"}).json()
    link = _link(mail, "grace@coastal.example.org", before)
    tour.say("A coordinator is invited by email (POST /v1/staff)", link)
    tokens = api.post("/v1/auth/sign-in/complete", json={"token": link.split("token=")[1]}).json()
    me = api.get("/v1/me", tokens["access_token"]).json()
    tour.say("She opens the link and is signed in as herself (GET /v1/me)",
             {k: me[k] for k in ("role", "staff_id", "name", "permissions")})
    tour.state.update(staff_token=tokens["access_token"], staff_id=staff["id"])

    invitation = _link(mail, mentee["email"], 0)
    tour.say("Mentees were added with invite: true, so each got an email with a one-time link that signs "
             "them in (a minor's waits for their guardian's consent)", invitation)

    before = len(mail.messages)
    answer = api.post("/v1/auth/sign-in", expect=202, json={"organisation": slug, "email": mentee["email"]}).json()
    tour.say("A mentee asks for a sign-in link (the answer is the same for an unknown address)", answer["message"])
    link = _link(mail, mentee["email"], before)
    tokens = api.post("/v1/auth/sign-in/complete", json={"token": link.split("token=")[1]}).json()
    me = api.get("/v1/me", tokens["access_token"]).json()
    tour.say("The link from the email signs them in (single use, 15 minutes)",
             {k: me[k] for k in ("role", "person_id", "name")})
    again = api.post("/v1/auth/sign-in/complete", expect=400, json={"token": link.split("token=")[1]}).json()
    tour.say("The same link a second time", again["error"]["message"])


def _link(mail, to: str, after: int, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.messages[after:]:
            if to in message.recipients:
                return LINK.search(message.text()).group(1)
        time.sleep(0.05)
    raise RuntimeError(f"no email reached {to}")
