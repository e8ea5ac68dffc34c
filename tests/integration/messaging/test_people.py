"""What messaging learns about people from profiles: minors, profile changes, and erasure."""

from __future__ import annotations

import pytest

from services.messaging.documents import Participant
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def test_erasing_a_person_removes_their_words_and_closes_their_conversations(world, pair):
    match_id, mentor, mentee = pair
    hello = world.send(match_id, mentor, "Hello, I am Amara from Manchester").json()
    held = world.send(match_id, mentor, "my number is 07700 900123").json()
    reply = world.send(match_id, mentee, "Hi Amara!").json()
    assert held["status"] == "held"

    erased = world.api.delete(f"/v1/people/{mentor.id}", world.org.coordinator)
    assert erased.status_code == 204, erased.text
    world.wait_for_status(match_id, "ended")

    history = {m["id"]: m for m in world.messages(match_id, world.org.coordinator)}
    assert (history[hello["id"]]["body"], history[hello["id"]]["erased"]) == (None, True)
    assert (history[held["id"]]["body"], history[held["id"]]["status"]) == (None, "withdrawn")
    assert history[held["id"]]["findings"] == []  # the phone number found in it is gone too
    assert history[reply["id"]]["body"] == "Hi Amara!"  # the mentee's own words stay
    assert [m["id"] for m in world.messages(match_id, mentee.token)] == [reply["id"], hello["id"]]

    conversation = world.conversation(match_id, mentee.token).json()
    assert conversation["ended_reason"] == "person_erased"
    refused = world.send(match_id, mentee, "Are you still there?")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "match_not_active"

    queue = world.api.get("/v1/moderation/messages", world.org.coordinator).json()["items"]
    assert queue == []
    audit = world.audit(message_id=held["id"])
    assert [(e["decision"], e["actor"]) for e in audit] == [("withdrawn", "system"), ("held", "system")]


def test_a_mentee_marked_as_a_minor_later_gets_the_strict_policy_at_once(world, pair):
    match_id, mentor, mentee = pair
    assert world.send(match_id, mentor, "see example.com").json()["status"] == "delivered"

    changed = world.api.patch(f"/v1/people/{mentee.id}", world.org.coordinator, json={
        "is_minor": True, "consent_recorded_offline": {"decision": "grant", "evidence": "signed form (test)"}})
    assert changed.status_code == 200, changed.text
    eventually(lambda: _policy(world, match_id, "minor"))
    assert world.send(match_id, mentor, "see example.com").json()["held_reasons"] == ["link"]

    world.api.patch(f"/v1/people/{mentee.id}", world.org.coordinator, json={"is_minor": False})
    eventually(lambda: _policy(world, match_id, "adult"))


def test_a_conversation_asks_profiles_about_a_mentee_it_has_not_heard_of(world):
    """E.g. messaging deployed after the profiles were created: it asks profiles over RPC."""
    mentor = world.person("Amara", "mentor")
    child = world.person("Jamie", "mentee", is_minor=True)
    # Wait for the projection to have them, then forget them, as a freshly deployed messaging would.
    eventually(lambda: _known(world, child.id))
    Participant.scoped(world.org.id, id=child.id).delete()

    match_id = world.accept(mentor, child)
    assert world.conversation(match_id).json()["moderation_policy"] == "minor"
    assert world.send(match_id, mentor, "see example.com").json()["status"] == "held"
    assert Participant.scoped(world.org.id, id=child.id).first().is_minor is True


def _policy(world, match_id: str, expected: str) -> None:
    assert world.conversation(match_id).json()["moderation_policy"] == expected


def _known(world, person_id: str) -> None:
    assert Participant.scoped(world.org.id, id=person_id).count() == 1
