"""Conversations over HTTP and real RabbitMQ: opened by MatchAccepted, read state, history, closing."""

from __future__ import annotations

from datetime import datetime

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted, MatchEnded

from services.messaging.documents import Message
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def test_mentor_and_mentee_exchange_messages_and_the_events_carry_no_body(world, pair):
    match_id, mentor, mentee = pair

    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    sent = world.api.post(f"/v1/matches/{match_id}/messages", mentor.token, headers={"traceparent": trace},
                          json={"body": "  Hi Priya, how did the interview go?  "})
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["status"] == "delivered"
    assert message["body"] == "Hi Priya, how did the interview go?"  # trimmed
    assert (message["sender_id"], message["recipient_id"]) == (mentor.id, mentee.id)

    published = world.events("MessageSent", lambda e: e.subject == message["id"])[0]
    assert published.tenantid == world.org.id
    assert published.traceparent == trace  # the request's trace continues in the event
    delivered_at = published.data.pop("delivered_at")
    assert published.data == {"message_id": message["id"], "match_id": match_id, "sender_id": mentor.id,
                              "recipient_id": mentee.id, "length": len(message["body"]),
                              "topics": ["interviews"]}  # the tagger's label, never the words
    assert datetime.fromisoformat(delivered_at) == datetime.fromisoformat(message["delivered_at"])
    assert "how did the interview go" not in str(world.recorder.raw)

    reply = world.send(match_id, mentee, "It went well, thank you!")
    assert reply.status_code == 201, reply.text

    for token in (mentor.token, mentee.token, world.org.coordinator):
        history = world.messages(match_id, token)
        assert [m["body"] for m in history] == ["It went well, thank you!",
                                                "Hi Priya, how did the interview go?"]


def test_history_is_paged_newest_first(world, pair):
    match_id, mentor, mentee = pair
    for i in range(5):
        assert world.send(match_id, mentor if i % 2 == 0 else mentee, f"message {i}").status_code == 201

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = world.api.get(f"/v1/matches/{match_id}/messages", mentee.token, params=params).json()
        seen += [m["body"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"message {i}" for i in reversed(range(5))]

    bad = world.api.get(f"/v1/matches/{match_id}/messages", mentee.token, params={"cursor": "nonsense"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "cursor"


def test_read_state_and_unread_counts_per_person(world, pair):
    match_id, mentor, mentee = pair
    ids = [world.send(match_id, mentor, f"note {i}").json()["id"] for i in range(3)]

    assert world.conversation(match_id, mentee.token).json()["unread"] == 3
    assert world.conversation(match_id, mentor.token).json()["unread"] == 0  # their own messages

    marked = world.mark_read(match_id, mentee, ids[1])
    assert marked.status_code == 200, marked.text
    assert marked.json()["unread"] == 1
    assert marked.json()["last_read_message_id"] == ids[1]

    # The marker never moves backwards.
    again = world.mark_read(match_id, mentee, ids[0])
    assert again.json()["last_read_message_id"] == ids[1]
    assert again.json()["unread"] == 1

    unknown = world.mark_read(match_id, mentee, str(ObjectId()))
    assert unknown.status_code == 422


def test_each_move_of_a_read_marker_is_published_and_a_mark_that_moves_nothing_is_not(world, pair):
    match_id, mentor, mentee = pair
    sent = [world.send(match_id, mentor, f"note {i}").json() for i in range(3)]

    assert world.mark_read(match_id, mentee, sent[2]["id"]).json()["unread"] == 0
    (read,) = world.events("ConversationRead", lambda e: e.subject == match_id)
    assert read.data == {"match_id": match_id, "reader_id": mentee.id, "up_to_message_id": sent[2]["id"],
                         "up_to": read.data["up_to"]}
    # Notifications compares it with MessageSent's delivered_at: the same instant for the same message.
    assert datetime.fromisoformat(read.data["up_to"]) == datetime.fromisoformat(sent[2]["delivered_at"])

    assert world.mark_read(match_id, mentee, sent[0]["id"]).status_code == 200  # behind the marker
    assert world.mark_read(match_id, mentee, sent[2]["id"]).status_code == 200  # at it
    world.send(match_id, mentee, "thanks")  # published after both marks: no ConversationRead came between
    world.events("MessageSent", lambda e: e.data["sender_id"] == mentee.id)
    assert len(world.seen("ConversationRead")) == 1


def test_an_ended_match_is_closed_to_new_messages_but_its_history_stays(world, pair):
    match_id, mentor, mentee = pair
    assert world.send(match_id, mentor, "Good luck with everything").status_code == 201

    world.end(match_id, mentor, mentee)

    refused = world.send(match_id, mentee, "Thanks!")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "match_not_active"
    assert refused.json()["error"]["details"] == {"status": "ended"}
    assert [m["body"] for m in world.messages(match_id, mentee.token)] == ["Good luck with everything"]


def test_a_proposed_or_declined_match_has_no_conversation_yet(world):
    mentor, mentee = world.person("Li", "mentor"), world.person("Tom", "mentee")

    match_id = world.propose(mentor, mentee)
    refused = world.send(match_id, mentor, "Hello?")
    assert refused.status_code == 409
    assert refused.json()["error"]["details"] == {"status": "proposed"}
    assert world.api.get(f"/v1/matches/{match_id}/messages", mentee.token).status_code == 409

    world.decline(match_id, mentor, mentee)
    assert world.send(match_id, mentor, "Hello?").json()["error"]["code"] == "match_not_active"


def test_lifecycle_events_arriving_out_of_order_never_reopen_a_conversation(world):
    mentor, mentee = world.person("Sofia", "mentor"), world.person("Jamie", "mentee")
    match_id = str(ObjectId())
    ids = {"match_id": match_id, "mentor_id": mentor.id, "mentee_id": mentee.id}

    world.publish(MatchEnded(**ids, ended_by="coordinator"))
    world.wait_for_status(match_id, "ended")
    world.handled(world.publish(MatchAccepted(**ids)))  # late, e.g. redelivered after a crash

    assert world.conversation(match_id).json()["status"] == "ended"
    assert world.send(match_id, mentor, "hi").status_code == 409


def test_who_may_see_and_post(world, pair):
    match_id, mentor, _ = pair
    outsider = world.person("Olu", "mentor")
    assert world.send(match_id, mentor, "just us").status_code == 201

    # A person outside the match: 404, exactly as for a match that does not exist.
    for response in (world.send(match_id, outsider, "let me in"),
                     world.api.get(f"/v1/matches/{match_id}/messages", outsider.token),
                     world.send(str(ObjectId()), mentor, "anyone?")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "match_not_found"

    # A coordinator reads for moderation, but does not post.
    assert len(world.messages(match_id, world.org.coordinator)) == 1
    coordinator_post = world.api.post(f"/v1/matches/{match_id}/messages", world.org.coordinator,
                                      json={"body": "hi"})
    assert coordinator_post.status_code == 403

    # Another organisation sees nothing of it.
    other = world.organisation("elsewhere")
    stranger = world.person("Eve", "mentor", org=other)
    assert world.api.get(f"/v1/matches/{match_id}/messages", other.coordinator).status_code == 404
    assert world.send(match_id, stranger, "hello").status_code == 404
    assert world.api.get(f"/v1/matches/{match_id}/messages/stats", other.coordinator).status_code == 404


def test_bad_messages_are_refused_and_nothing_is_stored(world, pair):
    match_id, mentor, _ = pair
    cases = {
        "empty": {"body": ""},
        "whitespace": {"body": "   \n\t "},
        "too long": {"body": "x" * 4001},
        "missing": {},
        "not text": {"body": 42},
        "extra field": {"body": "hi", "urgent": True},
    }
    for name, payload in cases.items():
        response = world.api.post(f"/v1/matches/{match_id}/messages", mentor.token, json=payload)
        assert response.status_code == 422, (name, response.text)
        assert response.json()["error"]["code"] == "validation_failed", name
    longest = world.send(match_id, mentor, "x" * 4000)
    assert longest.status_code == 201

    assert [m["length"] for m in world.messages(match_id, world.org.coordinator)] == [4000]
    world.events("MessageSent")
    assert len(world.seen("MessageSent")) == 1


def test_the_rate_limit_answers_429_with_retry_after(world, pair):
    match_id, mentor, mentee = pair
    settings = world.put_settings(messages_per_minute=3)
    assert settings.status_code == 200, settings.text

    statuses = [world.send(match_id, mentor, f"quick {i}").status_code for i in range(3)]
    assert statuses == [201, 201, 201]
    limited = world.send(match_id, mentor, "one more")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 20  # one message every 20 s refills

    assert world.send(match_id, mentee, "my own allowance").status_code == 201
    assert "one more" not in [m["body"] for m in world.messages(match_id, mentor.token)]


def test_coordinator_statistics(world, pair):
    match_id, mentor, mentee = pair
    for sender, body in ((mentor, "Hello"), (mentor, "Are you there?"), (mentee, "Hi!"), (mentor, "Great")):
        assert world.send(match_id, sender, body).status_code == 201
    assert world.send(match_id, mentee, "my number is 07700 900123").json()["status"] == "held"

    stats = world.api.get(f"/v1/matches/{match_id}/messages/stats", world.org.coordinator)
    assert stats.status_code == 200, stats.text
    body = stats.json()
    people = {p["role"]: p for p in body["people"]}
    assert (people["mentor"]["delivered"], people["mentee"]["delivered"]) == (3, 1)
    assert (people["mentor"]["held"], people["mentee"]["held"]) == (0, 1)
    assert body["total_delivered"] == 4
    assert body["median_response_seconds"] is not None and body["median_response_seconds"] >= 0
    assert body["days_since_last_message"] < 0.01

    assert world.api.get(f"/v1/matches/{match_id}/messages/stats", mentor.token).status_code == 403


def test_a_repeated_match_accepted_changes_nothing(world, pair):
    """The same fact published again (a new event id, so the inbox cannot dedupe it) is harmless."""
    match_id, mentor, mentee = pair
    first = world.send(match_id, mentor, "first").json()["id"]
    world.mark_read(match_id, mentee, first)

    world.handled(world.publish(MatchAccepted(match_id=match_id, mentor_id=mentor.id, mentee_id=mentee.id)))

    conversation = world.conversation(match_id, mentee.token).json()
    assert (conversation["status"], conversation["last_read_message_id"]) == ("active", first)
    assert [m["body"] for m in world.messages(match_id, mentee.token)] == ["first"]


def test_published_events_leave_the_outbox_and_the_lease(world, pair):
    """The relay's fast path marks what the broker confirmed: nothing is left for a sweep to send again."""
    match_id, mentor, mentee = pair
    ids = [world.send(match_id, mentor if i % 2 else mentee, f"ping {i}").json()["id"] for i in range(5)]
    held = world.send(match_id, mentor, "ring me on 07700 900123").json()["id"]
    world.decide(held, "approve")
    world.events("MessageSent", lambda e: e.subject in ids + [held], count=6)

    def drained():
        stored = Message._get_collection().find({"tenant_id": world.org.id, "match_id": match_id})
        assert {(m["_id"], len(m["outbox"]), m["outbox_lease_until"]) for m in stored} == {
            (message_id, 0, None) for message_id in [*ids, held]
        }

    eventually(drained)
