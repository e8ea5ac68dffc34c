"""Store round trips per business operation, all six services in one process on the stand-in.

Each operation is driven through the public API and counted (tests/support/store_ops.py) from
the call until its last effect is in and the services have gone quiet: a message posted until
its email is accepted; a match accepted (the second side) until both people's emails; a webhook
delivered (the integrations database's share of a posted message, whose event it delivers); a
session scheduled until both invitations are out. Idle polls (operations that found nothing)
are counted apart, as they depend on the clock rather than on the work.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ementor import registry
from ementor.runner import Services
from tests.support.http import ApiClient
from tests.support.store_ops import Count, counting

# The services these operations pass through; insights', knowledge's and safeguarding's cost per
# event is measured by their own benchmarks (bench/insights.py, bench/knowledge.py, bench/safeguarding.py).
PATH_SERVICES = ("profiles", "matching", "messaging", "notifications", "video", "integrations")
QUIET_SECONDS = 0.5  # no counted work for this long after the last effect: the operation is over
OPERATIONS = ("message posted to its email", "match accepted to both emails", "webhook delivered",
              "session scheduled with its invitations")
# Today's counts, plus room for the clock-driven work that may fall inside the window (a video
# reminder scan: a lease and two finds). Lower a bound when a round trip is taken away.
BOUNDS = {
    "message posted to its email": 18 + 3,
    "match accepted to both emails": 81 + 3,
    "webhook delivered": 10 + 3,
    "session scheduled with its invitations": 39 + 3,
}


def _until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the operation's effects never arrived")
        time.sleep(0.02)


def _quiet(count: Count) -> None:
    """Wait until nothing but idle polls has happened for QUIET_SECONDS."""
    last, since = count.total, time.monotonic()
    while time.monotonic() - since < QUIET_SECONDS:
        time.sleep(0.05)
        if count.total != last:
            last, since = count.total, time.monotonic()


def _measure(act: Callable[[], None], done: Callable[[], bool]) -> Count:
    with counting() as count:
        act()
        _until(done)
        _quiet(count)
    return count


def _only(count: Count, keep: Callable[[str], bool]) -> Count:
    part = Count()
    part.work.update({key: n for key, n in count.work.items() if keep(key[0])})
    part.empty.update({key: n for key, n in count.empty.items() if keep(key[0])})
    return part


def measure(settings, smtp, receiver) -> dict[str, Count]:
    """Start every service, set up an organisation with a mentor and a mentee, and count each operation."""
    services = Services([registry.service_class(name) for name in PATH_SERVICES], settings).start()
    try:
        return _scenario(ApiClient(f"http://{settings.EMENTOR_HTTP_ADDRESS}", settings.EMENTOR_ADMIN_TOKEN),
                         smtp, receiver)
    finally:
        services.stop()


def _scenario(api: ApiClient, smtp, receiver) -> dict[str, Count]:
    org = api.create_organisation(f"trips-{uuid.uuid4().hex[:8]}")
    key = org["api_key"]
    coordinator = api.coordinator_token(key)

    def person(role: str) -> dict:
        body = {"role": role, "name": f"{role.title()} {uuid.uuid4().hex[:4]}", "timezone": "Europe/London",
                "email": f"{role}-{uuid.uuid4().hex[:8]}@trips.example.org", "interests": ["science"],
                "vetted": role == "mentor", **({"capacity": 2} if role == "mentor" else {})}
        created = api.post("/v1/people", coordinator, json=body).json()
        return {**created, "email": body["email"], "token": api.person_token(key, created["id"])}

    mentor, mentee = person("mentor"), person("mentee")
    proposed = {}

    def propose() -> bool:  # matching learns of the people from their events
        response = api.post("/v1/matches", coordinator, json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]})
        proposed.update(response.json() if response.status_code == 201 else {})
        return response.status_code == 201

    _until(propose)
    match_id = proposed["id"]
    assert api.post(f"/v1/matches/{match_id}/accept", mentor["token"], json={}).status_code == 200
    mails = len(smtp.messages)

    def to(person_: dict, since: int) -> bool:
        return any(person_["email"] in message.recipients for message in smtp.messages[since:])

    counts = {}
    counts[OPERATIONS[1]] = _measure(
        lambda: api.post(f"/v1/matches/{match_id}/accept", mentee["token"], json={}),
        lambda: to(mentor, mails) and to(mentee, mails))
    _until(lambda: api.get(f"/v1/matches/{match_id}/messages?limit=1", mentor["token"]).status_code == 200)

    hook = api.post("/v1/webhooks", coordinator, json={"url": receiver.url, "event_types": ["MessageSent"]})
    assert hook.status_code == 201, hook.text
    mails, hooks = len(smtp.messages), len(receiver.requests)
    posted = _measure(
        lambda: api.post(f"/v1/matches/{match_id}/messages", mentor["token"], json={"body": "Hello there"}),
        lambda: to(mentee, mails) and len(receiver.requests) > hooks)
    counts[OPERATIONS[0]] = _only(posted, lambda database: database != "ementor_integrations")
    counts[OPERATIONS[2]] = _only(posted, lambda database: database == "ementor_integrations")

    mails = len(smtp.messages)
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    counts[OPERATIONS[3]] = _measure(
        lambda: api.post(f"/v1/matches/{match_id}/sessions", mentor["token"],
                         json={"starts_at": starts, "duration_minutes": 30}),
        lambda: to(mentor, mails) and to(mentee, mails))
    return {name: counts[name] for name in OPERATIONS}
