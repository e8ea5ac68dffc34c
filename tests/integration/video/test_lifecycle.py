"""Sessions follow their match (from matching's events) and their people (erasure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import MatchAccepted, MatchDeclined, MatchProposed

from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.integration.video import matches
from tests.support.events import eventually

pytestmark = pytest.mark.integration

PEOPLE = {"Ada": ("mentor", "Europe/London"), "Bo": ("mentee", "America/New_York"), "Cy": ("mentee", "Asia/Kolkata")}


def future(days: int = 2, hour: int = 16) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def book(api, org, match_id, token, start, minutes=45):
    return api.post(f"/v1/matches/{match_id}/sessions", token,
                    json={"starts_at": start.isoformat(), "duration_minutes": minutes})


def test_sessions_need_an_active_match(start_services, api, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    ada, bo, cy = (org.person(n)["id"] for n in ("Ada", "Bo", "Cy"))
    proposed, declined = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    matches.publish(amqp_uri, MatchProposed(match_id=proposed, mentor_id=ada, mentee_id=bo, proposed_by="coordinator",
                                            score=0.8), org.id)
    matches.publish(amqp_uri, MatchDeclined(match_id=declined, mentor_id=ada, mentee_id=cy, declined_by=cy,
                                            reason="Timing"), org.id)
    matches.wait_for_match(api, org, proposed)
    matches.wait_for_match(api, org, declined)

    for match_id, token in ((proposed, org.token("Bo")), (declined, org.coordinator)):
        refused = book(api, org, match_id, token, future())
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "match_not_active"
    unknown = book(api, org, uuid.uuid4().hex[:24], org.coordinator, future())
    assert unknown.status_code == 404  # matching never told us of it: for video it does not exist

    matches.publish(amqp_uri, MatchAccepted(match_id=proposed, mentor_id=ada, mentee_id=bo), org.id)
    eventually(lambda: _assert_status(book(api, org, proposed, org.token("Bo"), future()), 201))


def _assert_status(response, status):
    assert response.status_code == status, response.text
    return response


def test_ending_a_match_cancels_its_future_sessions(start_services, api, events, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    match_id = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    other_match = matches.open_match(api, amqp_uri, org, "Ada", "Cy")
    start = future()
    upcoming = [book(api, org, match_id, org.token("Ada"), start + timedelta(days=d)).json()["id"] for d in (0, 1)]
    elsewhere = book(api, org, other_match, org.token("Cy"), start + timedelta(days=2)).json()["id"]

    matches.end_match(amqp_uri, org, match_id, "Ada", "Bo", reason="Programme finished")
    cancelled = events.wait_for("SessionCancelled", count=2)
    assert sorted(e.subject for e in cancelled) == sorted(upcoming)
    for event in cancelled:
        assert event.tenantid == org.id
        assert event.data["cancelled_by"] == "coordinator"
        assert event.data["reason"] == "The match ended: Programme finished"
        assert event.data["sequence"] == 1
    for session_id in upcoming:
        view = api.get(f"/v1/sessions/{session_id}", org.token("Bo")).json()
        assert (view["status"], view["join_url"]) == ("cancelled", None)
        assert "METHOD:CANCEL" in api.get(f"/v1/sessions/{session_id}/invite.ics", org.token("Bo")).text
    assert api.get(f"/v1/sessions/{elsewhere}", org.token("Cy")).json()["status"] == "scheduled"

    refused = book(api, org, match_id, org.token("Ada"), start + timedelta(days=5))
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "match_not_active")
    # Ada's freed slot can go to her other mentee.
    assert book(api, org, other_match, org.token("Cy"), start).status_code == 201
    assert len(events.of_type("SessionCancelled")) == 2


def test_erasing_a_person_takes_their_sessions_and_frees_the_other_persons_time(start_services, api, events,
                                                                               amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    with_bo = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    with_cy = matches.open_match(api, amqp_uri, org, "Ada", "Cy")
    start = future()
    session_id = book(api, org, with_bo, org.token("Bo"), start).json()["id"]
    earlier = book(api, org, with_bo, org.token("Bo"), start - timedelta(hours=3)).json()["id"]
    api.post(f"/v1/sessions/{earlier}/cancel", org.token("Bo"), json={})

    assert api.delete(f"/v1/people/{org.person('Bo')['id']}", org.coordinator).status_code == 204
    (cancelled,) = events.wait_for("SessionCancelled", lambda e: e.subject == session_id)
    assert cancelled.data["reason"] == "person_erased"

    def gone():
        assert api.get(f"/v1/sessions/{session_id}", org.token("Ada")).status_code == 404
        assert api.get(f"/v1/sessions/{earlier}", org.token("Ada")).status_code == 404
    eventually(gone)
    assert api.get("/v1/sessions", org.token("Ada")).json()["items"] == []
    assert api.get(f"/v1/matches/{with_bo}/sessions", org.coordinator).status_code == 404
    assert book(api, org, with_cy, org.token("Cy"), start).status_code == 201
