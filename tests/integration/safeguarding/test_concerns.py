"""Report and pause: a participant raises a concern, contact pauses for both sides, a lead decides."""

from __future__ import annotations

import time

import pytest

from services.matching.service import MatchingService
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from services.safeguarding.service import SafeguardingService
from services.video.service import VideoService
from tests.integration.safeguarding.world import active_match, book, code, organisation, send
from tests.support.events import eventually

pytestmark = pytest.mark.integration

PEOPLE = {"Ada": "mentor", "Bo": "mentee", "Cy": "mentee"}


@pytest.fixture
def world(start_services, api):
    start_services(ProfilesService, MatchingService, MessagingService, VideoService, SafeguardingService)
    org = organisation(api, PEOPLE)
    return org, active_match(api, org, "Ada", "Bo")


def test_a_concern_pauses_messages_and_sessions_for_both_sides_within_a_second(world, api, events):
    org, match_id = world
    first = send(api, org, match_id, "Ada")
    assert first.status_code == 201, first.text
    assert book(api, org, match_id, "Bo").status_code == 201

    raised = api.post("/v1/concerns", org.tokens["Bo"], json={
        "category": "asked_to_meet_or_talk_elsewhere", "match_id": match_id, "message_id": first.json()["id"],
        "details": "He asked me to add him on another app and not tell my mum"})
    assert raised.status_code == 201, raised.text
    started = time.monotonic()
    concern = raised.json()
    assert concern["status"] == "open" and "safeguarding lead" in concern["message"]
    assert "details" not in concern

    def refused_for_both():
        for who in ("Ada", "Bo"):
            response = send(api, org, match_id, who)
            assert response.status_code == 409, response.text
            assert code(response) == "match_paused"
            assert response.json()["error"]["details"]["paused_for"] == ["concern"]
    eventually(refused_for_both, timeout=5)
    paused_after = time.monotonic() - started
    assert paused_after < 2.0, f"messaging refused only after {paused_after:.2f} s"
    eventually(lambda: _assert_code(book(api, org, match_id, "Ada"), 409, "match_paused"))
    eventually(lambda: _assert_paused(api.get(f"/v1/matches/{match_id}", org.coordinator).json(), ["concern"]))

    [event] = events.wait_for("ConcernRaised", lambda e: e.data["concern_id"] == concern["id"])
    assert set(event.data) <= {"concern_id", "category", "match_id", "mentor_id", "mentee_id", "message_id",
                               "raised_via"}
    assert "mum" not in event.model_dump_json()

    # The reporter sees it was received; nobody else but a lead sees it at all.
    mine = api.get(f"/v1/concerns/{concern['id']}", org.tokens["Bo"]).json()
    assert (mine["status"], "details" in mine) == ("open", False)
    assert api.get(f"/v1/concerns/{concern['id']}", org.tokens["Ada"]).status_code == 404
    assert _assert_code(api.get("/v1/concerns", org.coordinator), 403, "role_not_allowed")
    assert api.get(f"/v1/concerns/{concern['id']}", org.coordinator).status_code == 403

    lead = org.lead()
    listed = api.get("/v1/concerns", lead).json()["items"]
    assert [(c["id"], c["details"], c["raised_by"]) for c in listed] == [
        (concern["id"], "He asked me to add him on another app and not tell my mum", f"person:{org.people['Bo']}")]
    assert (listed[0]["mentor_name"], listed[0]["mentee_name"]) == ("Ada", "Bo")  # a lead may not read Bo's profile
    named = api.get(f"/v1/concerns/{concern['id']}", lead).json()
    assert (named["mentor_name"], named["mentee_name"]) == ("Ada", "Bo")
    context = api.get(f"/v1/concerns/{concern['id']}/messages", lead)
    assert context.status_code == 200, context.text
    items = context.json()["items"]  # oldest first; a send racing the pause may follow the first
    assert (items[0]["id"], items[0]["body"], items[0]["is_concern_message"]) == (
        first.json()["id"], "Hello, how was the robotics club?", True)
    assert not any(m["is_concern_message"] for m in items[1:])

    acknowledged = api.post(f"/v1/concerns/{concern['id']}/acknowledge", lead, json={"note": "calling Bo's school"})
    assert acknowledged.json()["status"] == "acknowledged" and acknowledged.json()["next_alert_at"] is None
    resolved = api.post(f"/v1/concerns/{concern['id']}/resolve", lead,
                        json={"decision": "resume", "reason": "Spoke to both; a misunderstanding about a club app"})
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["decision"], resolved.json()["resolved_by"]) == ("resume", "staff:lead-1")
    eventually(lambda: _assert_code(send(api, org, match_id, "Ada"), 201))
    eventually(lambda: _assert_code(book(api, org, match_id, "Ada", days=4), 201))
    eventually(lambda: _assert_paused(api.get(f"/v1/matches/{match_id}", org.coordinator).json(), []))
    assert api.get(f"/v1/concerns/{concern['id']}", org.tokens["Bo"]).json()["status"] == "resolved"

    chain = api.get("/v1/safeguarding/audit", lead).json()
    assert chain["verified"] is True
    assert [e["action"] for e in chain["items"]] == ["concern_raised", "concern_acknowledged", "concern_resolved"]
    assert chain["items"][2]["data"]["reason"] == "Spoke to both; a misunderstanding about a club app"


def test_ending_the_match_and_suspending_a_person_keep_contact_closed(world, api, start_services):
    org, match_id = world
    other = active_match(api, org, "Ada", "Cy")
    lead = org.lead()
    first = api.post("/v1/concerns", org.tokens["Bo"], json={"category": "bullying", "match_id": match_id}).json()
    second = api.post("/v1/concerns", org.tokens["Cy"], json={"category": "uncomfortable", "match_id": other}).json()

    ended = api.post(f"/v1/concerns/{first['id']}/resolve", lead, json={"decision": "end_match",
                                                                        "reason": "Repeated unkind messages"})
    assert ended.status_code == 200, ended.text
    eventually(lambda: _assert_code(send(api, org, match_id, "Bo"), 409, "match_not_active"))
    assert api.get(f"/v1/matches/{match_id}", org.coordinator).json()["status"] == "ended"

    suspended = api.post(f"/v1/concerns/{second['id']}/resolve", lead, json={
        "decision": "suspend_person", "person_id": org.people["Ada"], "reason": "Pattern across two mentees"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["suspended_person_id"] == org.people["Ada"]
    eventually(lambda: _assert_paused(api.get(f"/v1/matches/{other}", org.coordinator).json(),
                                      ["concern", "suspended"]))
    refused = send(api, org, other, "Cy")
    assert refused.status_code == 409 and code(refused) == "match_paused"


def test_bad_input_is_a_clear_4xx(world, api, start_services):
    org, match_id = world
    elsewhere = organisation(api, {"Di": "mentor", "Ed": "mentee"})
    foreign = active_match(api, elsewhere, "Di", "Ed")
    lead = org.lead()

    not_mine = api.post("/v1/concerns", org.tokens["Cy"], json={"category": "bullying", "match_id": match_id})
    assert not_mine.status_code == 404 and code(not_mine) == "match_not_found"
    other_org = api.post("/v1/concerns", org.tokens["Bo"], json={"category": "bullying", "match_id": foreign})
    assert other_org.status_code == 404
    assert api.post("/v1/concerns", org.coordinator, json={"category": "bullying"}).status_code == 403
    unknown = api.post("/v1/concerns", org.tokens["Bo"], json={"category": "shrug", "match_id": match_id})
    assert unknown.status_code == 422 and "category" in unknown.text
    orphan = api.post("/v1/concerns", org.tokens["Bo"], json={"category": "bullying", "message_id": "m1"})
    assert orphan.status_code == 422 and "match_id" in orphan.text

    concern = api.post("/v1/concerns", org.tokens["Bo"], json={"category": "bullying", "match_id": match_id}).json()
    decision = {"decision": "resume", "reason": "Checked"}
    for token, status in ((org.coordinator, 403), (org.tokens["Bo"], 403), (org.staff("admin", "a1"), 403),
                          (elsewhere.lead(), 404)):
        assert api.post(f"/v1/concerns/{concern['id']}/resolve", token, json=decision).status_code == status
    needs_person = api.post(f"/v1/concerns/{concern['id']}/resolve", lead,
                            json={"decision": "suspend_person", "reason": "x" * 5})
    assert needs_person.status_code == 422 and code(needs_person) == "person_id_required"
    outsider = api.post(f"/v1/concerns/{concern['id']}/resolve", lead,
                        json={"decision": "suspend_person", "reason": "x" * 5, "person_id": org.people["Cy"]})
    assert outsider.status_code == 422 and code(outsider) == "person_not_in_match"
    no_reason = api.post(f"/v1/concerns/{concern['id']}/resolve", lead, json={"decision": "resume"})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    assert api.post(f"/v1/concerns/{concern['id']}/resolve", lead, json=decision).status_code == 200
    again = api.post(f"/v1/concerns/{concern['id']}/resolve", lead, json=decision)
    assert again.status_code == 409 and code(again) == "concern_resolved"
    assert api.get("/v1/concerns/000000000000000000000000", lead).status_code == 404


def _assert_code(response, status: int, error: str | None = None):
    assert response.status_code == status, response.text
    if error:
        assert code(response) == error
    return True


def _assert_paused(match: dict, reasons: list[str]):
    assert sorted(match["paused_for"]) == reasons, match
