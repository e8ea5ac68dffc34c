"""The candidate projection follows profiles through their events: updates, erasure, redeliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ementor_contracts import ChannelPreferences, ProfileUpdated, to_cloudevent
from kombu import Connection

from ementor.platform.amqp import CLOUDEVENTS_SERIALIZER, event_exchange
from tests.support.events import eventually

from .conftest import wait_for_mentors

pytestmark = pytest.mark.integration


def publish(amqp_uri: str, envelope) -> None:
    """Publish a CloudEvent on profiles' exchange, as the profiles service would."""
    exchange = event_exchange("profiles")
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        connection.Producer(serializer=CLOUDEVENTS_SERIALIZER).publish(
            envelope.model_dump(mode="json"), exchange=exchange, declare=[exchange], routing_key=envelope.type,
            delivery_mode=2, message_id=envelope.id, retry=True)


def mentor_ids(api, org, mentee: str) -> list[str]:
    response = api.get(f"/v1/people/{org.id(mentee)}/recommendations?limit=50", org.token)
    assert response.status_code == 200, response.text
    return [i["mentor_id"] for i in response.json()["items"]]


def test_profile_changes_and_erasure_reach_matching(org, api, events):
    org.add("Ada", "mentor", interests=["robotics"], capacity=1)
    org.add("Bea", "mentor", interests=["music"], capacity=1)
    org.add("Cy", "mentee", interests=["robotics"])
    wait_for_mentors(org, "Cy", ["Ada"])
    assert org.id("Bea") not in mentor_ids(api, org, "Cy")

    # Bea takes up robotics: she becomes a candidate for Cy
    patched = api.patch(f"/v1/people/{org.id('Bea')}", org.token, json={"interests": ["music", "robotics"]})
    assert patched.status_code == 200, patched.text
    eventually(lambda: _assert(org.id("Bea") in mentor_ids(api, org, "Cy")))

    # Ada is matched with Cy, sets a goal, then erases herself: the match ends, the goal goes
    match = api.post("/v1/matches", org.token, json={"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")}).json()
    api.post(f"/v1/matches/{match['id']}/accept", org.token_for("Cy"), json={})
    api.post(f"/v1/matches/{match['id']}/accept", org.token_for("Ada"), json={})
    goal = api.post(f"/v1/matches/{match['id']}/goals", org.token_for("Ada"), json={"title": "Call me on 07700 900123"})
    assert goal.status_code == 201
    assert api.delete(f"/v1/people/{org.id('Ada')}", org.token_for("Ada")).status_code == 204

    ended = events.wait_for("MatchEnded", lambda e: e.subject == match["id"])[0]
    assert ended.data["reason"] == "person_erased" and ended.data["ended_by"] == org.id("Ada")
    assert api.get(f"/v1/matches/{match['id']}", org.token).json()["status"] == "ended"
    assert api.get(f"/v1/matches/{match['id']}/goals", org.token).json()["items"] == []
    eventually(lambda: _assert(mentor_ids(api, org, "Cy") == [org.id("Bea")]))
    erased = api.post("/v1/matches", org.token, json={"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")})
    assert erased.status_code == 404  # matching no longer knows her


def test_redelivered_and_out_of_order_profile_events_change_nothing(org, api, amqp_uri):
    org.add("Ada", "mentor", interests=["robotics"], capacity=1)
    org.add("Cy", "mentee", interests=["robotics"])
    wait_for_mentors(org, "Cy", ["Ada"])
    api.patch(f"/v1/people/{org.id('Ada')}", org.token, json={"interests": ["robotics", "chess"]})
    eventually(lambda: _assert(_shared_with(api, org, "Cy", "Ada") == ["robotics"]))

    ada = org.people["Ada"]
    snapshot = {"person_id": ada["id"], "role": "mentor", "programme_id": org.programme_id,
                "timezone": "Europe/London", "languages": ["en"], "capacity": 1, "is_minor": False, "vetted": False,
                "custom_fields": {}, "channels": ChannelPreferences(email=True, sms=False), "changed": ["interests"]}
    # a newer snapshot adding astronomy, delivered twice with the same id
    newer = to_cloudevent(ProfileUpdated(**snapshot, interests=["robotics", "chess", "astronomy"]), org.organisation_id)
    publish(amqp_uri, newer)
    publish(amqp_uri, newer)
    org.add("Mo", "mentee", interests=["astronomy"])
    wait_for_mentors(org, "Mo", ["Ada"])  # applied

    # then a stale snapshot from before all that (Ada without robotics), delivered late,
    stale = to_cloudevent(ProfileUpdated(**snapshot, interests=["chess"]), org.organisation_id)
    publish(amqp_uri, stale.model_copy(update={"time": stale.time - timedelta(hours=1)}))
    # and another organisation's event naming Ada
    publish(amqp_uri, to_cloudevent(ProfileUpdated(**snapshot, interests=["golf"]), "000000000000000000000000"))
    # and, behind them on the same queue, a real change to Mo
    api.patch(f"/v1/people/{org.id('Mo')}", org.token, json={"interests": ["astronomy", "chess"]})
    eventually(lambda: _assert(_shared_with(api, org, "Mo", "Ada") == ["astronomy", "chess"]
                               or _shared_with(api, org, "Mo", "Ada") == ["chess", "astronomy"]))
    assert sorted(_shared_with(api, org, "Cy", "Ada")) == ["robotics"]  # neither the stale nor the foreign one applied


def _shared_with(api, org, mentee: str, mentor: str) -> list[str]:
    items = api.get(f"/v1/people/{org.id(mentee)}/recommendations?limit=50", org.token).json()["items"]
    item = next((i for i in items if i["mentor_id"] == org.id(mentor)), None)
    return [] if item is None else [s["interest"] for s in item["reasons"]["interests"]["shared"]]


def _assert(condition: bool) -> None:
    assert condition
