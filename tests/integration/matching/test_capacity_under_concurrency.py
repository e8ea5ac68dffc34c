"""Two replicas accepting at once never fill a mentor beyond capacity.

Two MatchingService containers (two replicas, two HTTP ports, one database, one broker) take a
burst of simultaneous accepts for a mentor with one place. The in-process MongoDB stand-in does
no I/O, so green threads would never interleave inside a handler; in the yielding store mode
(tests/support/store.py) every database call yields, as a real driver waiting on the network does, so the requests genuinely interleave
between the read of the mentor's load and its update: a read-then-write check would overfill.
"""

from __future__ import annotations

import eventlet
import pytest
import requests

from services.matching.service import MatchingService
from tests.support.infra import free_port
from tests.support.store import store_mode

from .conftest import wait_for_mentors

pytestmark = pytest.mark.integration


def test_simultaneous_accepts_on_two_replicas_fill_exactly_the_free_place(org, api, events, settings, start_services):
    second = settings.model_copy(update={"EMENTOR_HTTP_ADDRESS": f"127.0.0.1:{free_port()}"})
    start_services(MatchingService, settings_override=second)
    replicas = [f"http://{settings.EMENTOR_HTTP_ADDRESS}", f"http://{second.EMENTOR_HTTP_ADDRESS}"]

    org.add("Ada", "mentor", interests=["robotics"], capacity=2)
    mentees = [f"Mentee{i}" for i in range(8)]
    for name in mentees:
        org.add(name, "mentee", interests=["robotics"])
    for name in mentees:
        wait_for_mentors(org, name, ["Ada"])
    matches = []
    for name in mentees:  # each mentee chooses Ada (and so has accepted already)
        response = api.post("/v1/matches", org.token_for(name), json={"mentee_id": org.id(name), "mentor_id": org.id("Ada")})
        assert response.status_code == 201, response.text
        matches.append(response.json()["id"])

    token = org.token_for("Ada")

    def accept(i: int, match_id: str) -> requests.Response:
        return requests.post(f"{replicas[i % 2]}/v1/matches/{match_id}/accept",
                             headers={"Authorization": f"Bearer {token}"}, json={}, timeout=30)

    pool = eventlet.GreenPool()
    with store_mode("yield"):
        responses = list(pool.starmap(accept, enumerate(matches * 2)))  # every match accepted twice, all at once

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}, [r.text for r in responses if r.status_code not in (200, 409)]
    refused = [r.json()["error"] for r in responses if r.status_code == 409]
    assert refused and all(e["code"] == "mentor_at_capacity" for e in refused)
    active = api.get(f"/v1/matches?person_id={org.id('Ada')}&status=active", org.token).json()["items"]
    assert len(active) == 2  # both places taken, never a third
    winners = {r.json()["id"] for r in responses if r.status_code == 200}
    assert winners == {m["id"] for m in active}
    accepted = events.wait_for("MatchAccepted", count=2)
    assert sorted(e.subject for e in accepted) == sorted(winners)  # one MatchAccepted per match, not per accept
