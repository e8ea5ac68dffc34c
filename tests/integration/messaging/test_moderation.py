"""Moderation over HTTP and real RabbitMQ: held, approved, rejected, audited; policy per organisation."""

from __future__ import annotations

import pytest
from bson import ObjectId

from ementor.platform.http.auth import issue_token
from tests.support.secrets import TEST_JWT_SECRET

pytestmark = pytest.mark.integration


def _queue(world, **params) -> list[dict]:
    response = world.api.get("/v1/moderation/messages", world.org.coordinator, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_held_message_reaches_the_recipient_only_once_a_coordinator_approves_it(world, pair):
    match_id, mentor, mentee = pair
    held = world.send(match_id, mentor, "Text me on 07700 900 123 if the bus is late")
    assert held.status_code == 201, held.text
    message = held.json()
    assert (message["status"], message["held_reasons"]) == ("held", ["contact_details"])
    event = world.events("MessageHeld", lambda e: e.subject == message["id"])[0]
    assert event.data["reasons"] == ["contact_details"] and "body" not in event.data

    # The recipient does not see it; the sender sees it marked held; the coordinator sees why.
    assert world.messages(match_id, mentee.token) == []
    mine = world.messages(match_id, mentor.token)
    assert [(m["id"], m["status"]) for m in mine] == [(message["id"], "held")]
    assert world.conversation(match_id, mentee.token).json()["unread"] == 0
    queued = _queue(world)
    assert [m["id"] for m in queued] == [message["id"]]
    assert queued[0]["findings"] == [{"kind": "phone", "text": "07700 900 123"}]
    assert world.seen("MessageSent") == []

    # A named member of staff approves: the audit log says which one.
    staff = issue_token(TEST_JWT_SECRET, tenant_id=world.org.id, role="coordinator", staff_id="staff-1", session_id="s")
    approved = world.decide(message["id"], "approve", token=staff, reason="the school minibus number")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "delivered"
    assert approved.json()["moderation"]["decision"] == "approved"
    assert approved.json()["moderation"]["decided_by"] == "staff:staff-1"

    # Approval publishes MessageApproved, then MessageSent so the recipient can be told.
    world.events("MessageApproved", lambda e: e.subject == message["id"])
    sent = world.events("MessageSent", lambda e: e.subject == message["id"])[0]
    assert (sent.data["sender_id"], sent.data["recipient_id"]) == (mentor.id, mentee.id)
    assert [m["id"] for m in world.messages(match_id, mentee.token)] == [message["id"]]
    assert world.conversation(match_id, mentee.token).json()["unread"] == 1
    assert _queue(world) == []
    assert [m["id"] for m in _queue(world, status="approved")] == [message["id"]]

    again = world.decide(message["id"], "reject")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_decided"
    assert again.json()["error"]["details"] == {"status": "delivered", "decision": "approved"}

    entries = world.audit(message_id=message["id"])
    assert [(e["decision"], e["actor"]) for e in entries] == [("approved", "staff:staff-1"), ("held", "system")]
    assert entries[0]["reason"] == "the school minibus number"
    assert entries[1]["held_reasons"] == ["contact_details"]


def test_a_rejected_message_is_never_delivered_and_its_sender_is_told(world, pair):
    match_id, mentor, mentee = pair
    message = world.send(match_id, mentee, "add me on snapchat, my snap is priya_p").json()
    assert message["status"] == "held"

    rejected = world.decide(message["id"], "reject", reason="Keep contact on the platform")
    assert rejected.status_code == 200, rejected.text
    event = world.events("MessageRejected", lambda e: e.subject == message["id"])[0]
    assert event.data["reason"] == "Keep contact on the platform"

    assert world.messages(match_id, mentor.token) == []
    mine = world.messages(match_id, mentee.token)
    assert mine[0]["status"] == "rejected"
    assert mine[0]["moderation"]["reason"] == "Keep contact on the platform"
    approve_late = world.decide(message["id"], "approve")
    assert approve_late.status_code == 409
    assert world.messages(match_id, mentor.token) == []
    assert world.seen("MessageSent") == []
    assert [e["decision"] for e in world.audit(match_id=match_id)] == ["rejected", "held"]


def test_the_audit_log_cannot_be_changed_through_the_api(world, pair):
    match_id, mentor, _ = pair
    message = world.send(match_id, mentor, "email me at amara@example.org").json()
    world.decide(message["id"], "reject", reason="spam")
    before = world.audit()
    assert [e["decision"] for e in before] == ["rejected", "held"]

    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = world.api.request(method, "/v1/moderation/audit", world.org.coordinator,
                                     json={"items": []})
        assert response.status_code == 405, (method, response.text)
    response = world.api.request("DELETE", f"/v1/moderation/audit/{before[0]['id']}", world.org.coordinator)
    assert response.status_code == 404
    assert world.audit() == before
    assert world.api.get("/v1/moderation/audit", mentor.token).status_code == 403


def test_moderation_is_for_the_organisations_coordinators_only(world, pair):
    match_id, mentor, mentee = pair
    message = world.send(match_id, mentor, "mail me: amara@example.org").json()
    assert message["status"] == "held"

    assert world.decide(message["id"], "approve", mentee.token).status_code == 403
    assert world.api.get("/v1/moderation/messages", mentor.token).status_code == 403
    other = world.organisation("rival")
    assert world.decide(message["id"], "approve", other.coordinator).status_code == 404
    assert world.api.get("/v1/moderation/messages", other.coordinator).json()["items"] == []
    unknown = world.api.post(f"/v1/moderation/messages/{ObjectId()}/approve", world.org.coordinator, json={})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "message_not_found"
    assert world.messages(match_id, mentee.token) == []


def test_approving_after_the_match_ended_is_refused_but_rejecting_clears_the_queue(world, pair):
    match_id, mentor, mentee = pair
    message = world.send(match_id, mentor, "my number is 07700900123").json()
    world.end(match_id, mentor, mentee)

    refused = world.decide(message["id"], "approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "match_not_active"
    assert world.decide(message["id"], "reject").status_code == 200
    assert _queue(world) == []


def test_a_minors_conversation_always_holds_links_contact_details_and_worrying_phrases(world):
    mentor = world.person("Amara", "mentor")
    child = world.person("Jamie", "mentee", is_minor=True)
    adult = world.person("Priya", "mentee")
    with_child = world.accept(mentor, child)
    with_adult = world.accept(mentor, adult)
    assert world.conversation(with_child).json()["moderation_policy"] == "minor"
    assert world.conversation(with_adult).json()["moderation_policy"] == "adult"

    link = "The club's page is robotics-club.org.uk"
    # Between adults links are allowed by default.
    assert world.send(with_adult, mentor, link).json()["status"] == "delivered"
    held = world.send(with_child, mentor, link).json()
    assert (held["status"], held["held_reasons"]) == ("held", ["link"])
    secret = world.send(with_child, mentor, "This is our little secret, don’t tell your parents").json()
    assert (secret["status"], secret["held_reasons"]) == ("held", ["flagged_word", "grooming"])  # a risk category too
    spelled = world.send(with_child, child, "seven seven zero zero nine zero zero one two three")
    assert spelled.json()["status"] == "held"
    assert world.send(with_child, child, "Thanks, see you on 12/05/2025!").json()["status"] == "delivered"

    # Settings cannot relax the minors' policy.
    world.put_settings(hold_contact_details_for_adults=False, hold_links_for_adults=False)
    assert world.send(with_child, mentor, "call 07700 900123").json()["status"] == "held"
    assert world.send(with_adult, mentor, "call 07700 900123").json()["status"] == "delivered"


def test_organisation_settings_hold_links_and_blocked_words(world, pair):
    match_id, mentor, mentee = pair
    defaults = world.api.get("/v1/settings/messaging", world.org.coordinator).json()
    assert defaults["blocked_words"] == [] and defaults["hold_links_for_adults"] is False
    assert defaults["minors"]["hold_links"] is True
    assert "our secret" in defaults["minors"]["safeguarding_phrases"]

    updated = world.put_settings(
        blocked_words=["  Vape ", "party  tonight", "vape"], hold_links_for_adults=True,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["blocked_words"] == ["Vape", "party tonight"]

    assert world.send(match_id, mentor, "see example.com").json()["held_reasons"] == ["link"]
    assert world.send(match_id, mentee, "Do you VAPE?").json()["held_reasons"] == ["flagged_word"]
    assert world.send(match_id, mentee, "Big PARTY   tonight!").json()["status"] == "held"
    assert world.send(match_id, mentee, "Vapers and parties are not my thing").json()["status"] == "delivered"

    for bad in ({"blocked_words": [""]}, {"blocked_words": ["x" * 101]}, {"messages_per_minute": 0},
                {"hold_links": True}):
        response = world.api.request("PUT", "/v1/settings/messaging", world.org.coordinator, json=bad)
        assert response.status_code == 422, (bad, response.text)
    assert world.api.request("PUT", "/v1/settings/messaging", mentor.token, json={}).status_code == 403
    other = world.organisation("other")
    assert world.api.get("/v1/settings/messaging", other.coordinator).json()["blocked_words"] == []
