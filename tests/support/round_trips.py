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
from typing import NamedTuple

import eventlet

from ementor import registry
from ementor.runner import Services
from tests.support.http import ApiClient
from tests.support.services import start_within
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
    # 12: 11, and whether the conversation's notice window was told already (a chat's later messages
    # stop there); + the organisation's settings when their 5 s cache lapsed.
    "message posted to its email": 13 + 3,
    "match accepted to both emails": 79 + 3,
    "webhook delivered": 10 + 3,
    "session scheduled with its invitations": 36 + 3,
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
    services = start_within(Services([registry.service_class(name) for name in PATH_SERVICES], settings))
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


# -- growth: the same operations with 1x and 10x the data already in the store --------------------

class Sample(NamedTuple):
    """One operation: its round trips, the process's CPU from the call to the last effect, and the
    stand-in's share of that CPU (0 without a sampler)."""

    count: Count
    cpu_seconds: float
    store_share: float


def growth(settings, smtp, receiver, scales=(1, 10), repeats: int = 3, pairs: int = 10, messages: int = 100,
           sampler=None) -> dict[int, dict[str, list[Sample]]]:
    """Each operation `repeats` times (a fresh pair of people each time) once the organisation holds
    `scale` x (`pairs` active matches, `messages` messages, each with its email and webhook delivery),
    for each scale in turn. On an index-served design the round trips per operation do not change
    with the data; the stand-in's CPU may (it scans where MongoDB would seek)."""
    services = start_within(Services([registry.service_class(name) for name in PATH_SERVICES], settings))
    try:
        api = ApiClient(f"http://{settings.EMENTOR_HTTP_ADDRESS}", settings.EMENTOR_ADMIN_TOKEN)
        world = _World(api, smtp, receiver)
        results = {}
        for scale in scales:
            world.seed(pairs * scale, messages * scale)
            results[scale] = {name: [] for name in OPERATIONS}
            for _ in range(repeats):
                for name, sample in world.operations(sampler).items():
                    results[scale][name].append(sample)
        return results
    finally:
        services.stop()


class _World:
    def __init__(self, api: ApiClient, smtp, receiver):
        self.api, self.smtp, self.receiver = api, smtp, receiver
        org = api.create_organisation(f"growth-{uuid.uuid4().hex[:8]}")
        self.key = org["api_key"]
        self.coordinator = api.coordinator_token(self.key)
        hook = api.post("/v1/webhooks", self.coordinator, json={"url": receiver.url, "event_types": ["MessageSent"]})
        assert hook.status_code == 201, hook.text
        self.matches: list[tuple[dict, dict, str]] = []  # (mentor, mentee, match id), active
        self.messages = 0

    def person(self, role: str) -> dict:
        body = {"role": role, "name": f"{role.title()} {uuid.uuid4().hex[:4]}", "timezone": "Europe/London",
                "email": f"{role}-{uuid.uuid4().hex[:8]}@growth.example.org", "interests": ["science"],
                "vetted": role == "mentor", **({"capacity": 1} if role == "mentor" else {})}
        created = self.api.post("/v1/people", self.coordinator, json=body).json()
        return {**created, "email": body["email"], "token": self.api.person_token(self.key, created["id"])}

    def proposed(self) -> tuple[dict, dict, str]:
        """A new mentor and mentee, their match proposed and accepted by the mentor."""
        mentor, mentee = self.person("mentor"), self.person("mentee")
        proposed = {}

        def propose() -> bool:  # matching learns of the people from their events
            response = self.api.post("/v1/matches", self.coordinator,
                                     json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]})
            proposed.update(response.json() if response.status_code == 201 else {})
            return response.status_code == 201

        _until(propose)
        assert self.api.post(f"/v1/matches/{proposed['id']}/accept", mentor["token"], json={}).status_code == 200
        return mentor, mentee, proposed["id"]

    def _open(self, match_id: str, token: str) -> None:
        _until(lambda: self.api.get(f"/v1/matches/{match_id}/messages?limit=1", token).status_code == 200)

    def seed(self, pairs: int, messages: int) -> None:
        """Grow the organisation to `pairs` active matches and `messages` messages, and let it settle."""
        pool = eventlet.GreenPool(8)

        def match(_):
            mentor, mentee, match_id = self.proposed()
            assert self.api.post(f"/v1/matches/{match_id}/accept", mentee["token"], json={}).status_code == 200
            self._open(match_id, mentor["token"])
            return mentor, mentee, match_id

        self.matches += list(pool.imap(match, range(max(0, pairs - len(self.matches)))))
        hooks, wanted = len(self.receiver.requests), max(0, messages - self.messages)

        def post(i):
            mentor, mentee, match_id = self.matches[i % len(self.matches)]
            sender = mentor if (i // len(self.matches)) % 2 == 0 else mentee
            response = self.api.post(f"/v1/matches/{match_id}/messages", sender["token"], json={"body": f"Seed {i}"})
            assert response.status_code == 201, response.text

        list(pool.imap(post, range(self.messages, self.messages + wanted)))
        self.messages += wanted
        _until(lambda: len(self.receiver.requests) >= hooks + wanted, timeout=300)
        with counting() as count:
            _quiet(count)

    def operations(self, sampler) -> dict[str, Sample]:
        mentor, mentee, match_id = self.proposed()
        samples = {}
        mails = len(self.smtp.messages)

        def to(person_: dict, since: int) -> bool:
            return any(person_["email"] in message.recipients for message in self.smtp.messages[since:])

        samples[OPERATIONS[1]] = _sample(
            sampler, lambda: self.api.post(f"/v1/matches/{match_id}/accept", mentee["token"], json={}),
            lambda: to(mentor, mails) and to(mentee, mails))
        self._open(match_id, mentor["token"])
        mails, hooks = len(self.smtp.messages), len(self.receiver.requests)
        posted = _sample(
            sampler, lambda: self.api.post(f"/v1/matches/{match_id}/messages", mentor["token"], json={"body": "Hi"}),
            lambda: to(mentee, mails) and len(self.receiver.requests) > hooks)
        samples[OPERATIONS[0]] = posted._replace(count=_only(posted.count, lambda db: db != "ementor_integrations"))
        samples[OPERATIONS[2]] = posted._replace(count=_only(posted.count, lambda db: db == "ementor_integrations"))
        mails = len(self.smtp.messages)
        starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
        samples[OPERATIONS[3]] = _sample(
            sampler, lambda: self.api.post(f"/v1/matches/{match_id}/sessions", mentor["token"],
                                           json={"starts_at": starts, "duration_minutes": 30}),
            lambda: to(mentor, mails) and to(mentee, mails))
        self.matches.append((mentor, mentee, match_id))  # part of the data from now on
        return {name: samples[name] for name in OPERATIONS}


def _sample(sampler, act: Callable[[], None], done: Callable[[], bool]) -> Sample:
    """Round trips until the operation is quiet; CPU from the call until its last effect arrived."""
    with counting() as count:
        mark = sampler.mark() if sampler else None
        cpu = time.process_time()
        act()
        _until(done)
        cpu = time.process_time() - cpu
        share = mark.store_share() if mark else 0.0
        _quiet(count)
    return Sample(count, cpu, share)
