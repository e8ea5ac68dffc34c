"""Sessions with a minor under the organisation's supervision rules: a named staff observer with a
slot-bound link of their own, and a vetted mentor. Profiles' events are published here as profiles
would, so the test decides who is a minor and who is vetted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from ementor_contracts import ChannelPreferences, ProfileCreated, ProfileUpdated
from icalendar import Calendar

from ementor.platform.http.auth import issue_token
from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.integration.video import matches
from tests.support.events import eventually
from tests.support.secrets import TEST_JWT_SECRET

pytestmark = pytest.mark.integration

JITSI = {"EMENTOR_JITSI_BASE_URL": "https://video.example.org", "EMENTOR_JITSI_APP_ID": "ementor",
         "EMENTOR_JITSI_APP_SECRET": "self-hosted-jitsi-secret-0123456789abcdef"}


def future(days: int = 3) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=16, minute=0, second=0, microsecond=0)


def profile(event_type, person_id: str, role: str, *, minor: bool, vetted: bool = False, **extra):
    return event_type(person_id=person_id, role=role, timezone="Europe/London", languages=["en"], interests=[],
                      capacity=2 if role == "mentor" else 0, is_minor=minor, vetted=vetted,
                      channels=ChannelPreferences(email=True, sms=False), **extra)


@pytest.fixture
def world(start_services, settings, api, amqp_uri):
    start_services(ProfilesService, VideoService, settings_override=settings.model_copy(update=JITSI))
    org = matches.organisation(api)
    mentor, mentee = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    matches.publish(amqp_uri, profile(ProfileCreated, mentor, "mentor", minor=False), org.id)
    matches.publish(amqp_uri, profile(ProfileCreated, mentee, "mentee", minor=True), org.id)
    match_id = uuid.uuid4().hex[:24]
    matches.publish(amqp_uri, matches.MatchAccepted(match_id=match_id, mentor_id=mentor, mentee_id=mentee), org.id)
    matches.wait_for_match(api, org, match_id)
    return org, match_id, mentor, mentee


def invite_staff(api, org, name: str, email: str) -> str:
    response = api.post("/v1/staff", org.coordinator, json={"name": name, "email": email, "role": "coordinator"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def put_minors(api, org, **minors):
    return api.request("PUT", "/v1/settings/video", org.coordinator, json={"minors": minors})


def book(api, org, match_id, start):
    return api.post(f"/v1/matches/{match_id}/sessions", org.coordinator,
                    json={"starts_at": start.isoformat(), "duration_minutes": 45})


def test_a_session_with_a_minor_names_its_observer_who_alone_gets_a_third_slot_bound_link(world, api):
    org, match_id, _mentor, mentee = world
    priya = invite_staff(api, org, "Priya Shah", "priya@example.org")
    saved = put_minors(api, org, require_observer=True, observer_staff_id=priya)
    assert saved.status_code == 200, saved.text
    assert saved.json()["minors"] == {"require_observer": True, "observer_staff_id": priya,
                                      "observer_name": "Priya Shah", "require_vetted_mentor": False,
                                      "min_vetting_level": None, "invite_guardian": False}

    start = future()
    booked = book(api, org, match_id, start)
    assert booked.status_code == 201, booked.text
    session = booked.json()
    assert session["observer"] == {"staff_id": priya, "name": "Priya Shah"}

    observer = issue_token(TEST_JWT_SECRET, tenant_id=org.id, role="coordinator", staff_id=priya)
    link = api.get(f"/v1/sessions/{session['id']}", observer).json()["join_url"]
    url = urlsplit(link)
    claims = jwt.decode(parse_qs(url.query)["jwt"][0], JITSI["EMENTOR_JITSI_APP_SECRET"], algorithms=["HS256"],
                        audience="jitsi", options={"verify_nbf": False})
    assert claims["context"]["user"] == {"id": f"staff:{priya}", "name": "Priya Shah (observer)", "moderator": False}
    assert (claims["nbf"], claims["exp"]) == (int((start - timedelta(minutes=10)).timestamp()),
                                              int((start + timedelta(minutes=45)).timestamp()))

    other_staff = issue_token(TEST_JWT_SECRET, tenant_id=org.id, role="coordinator", staff_id="someone-else")
    assert api.get(f"/v1/sessions/{session['id']}", other_staff).json()["join_url"] is None

    mentee_token = issue_token(TEST_JWT_SECRET, tenant_id=org.id, role="mentee", person_id=mentee)
    assert api.get(f"/v1/sessions/{session['id']}", mentee_token).json()["observer"]["name"] == "Priya Shah"
    invite = Calendar.from_ical(api.get(f"/v1/sessions/{session['id']}/invite.ics", mentee_token).content)
    (event,) = invite.walk("VEVENT")
    attendees = {str(a.params["CN"]): str(a.params["ROLE"]) for a in event.get("attendee")}
    assert attendees["Priya Shah (observer)"] == "NON-PARTICIPANT"


def test_a_mentor_must_be_vetted_to_meet_a_minor_and_an_adult_mentee_is_not_held_to_it(world, api, amqp_uri):
    org, match_id, mentor, _mentee = world
    assert put_minors(api, org, require_vetted_mentor=True).status_code == 200

    refused = book(api, org, match_id, future())
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "mentor_not_vetted"
    assert "vetted to at least basic level" in refused.json()["error"]["message"]

    matches.publish(amqp_uri, profile(ProfileUpdated, mentor, "mentor", minor=False, vetted=True,
                                      changed=["vetted"]), org.id)
    def booked_once_vetted():
        response = book(api, org, match_id, future())
        assert response.status_code == 201, response.text

    eventually(booked_once_vetted)

    adult_mentee, unvetted = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    matches.publish(amqp_uri, profile(ProfileCreated, adult_mentee, "mentee", minor=False), org.id)
    second = uuid.uuid4().hex[:24]
    matches.publish(amqp_uri, matches.MatchAccepted(match_id=second, mentor_id=unvetted, mentee_id=adult_mentee),
                    org.id)
    matches.wait_for_match(api, org, second)
    def booked_for_the_adult():
        response = book(api, org, second, future(5))
        assert response.status_code == 201, response.text
        assert response.json()["observer"] is None

    eventually(booked_for_the_adult)


def test_the_organisation_names_the_vetting_level_and_a_lower_one_is_refused_naming_it(world, api, amqp_uri):
    org, match_id, mentor, _mentee = world
    saved = put_minors(api, org, min_vetting_level="enhanced")
    assert saved.status_code == 200, saved.text
    assert (saved.json()["minors"]["require_vetted_mentor"], saved.json()["minors"]["min_vetting_level"]) == \
        (True, "enhanced")
    assert put_minors(api, org, min_vetting_level="top-secret").status_code == 422

    matches.publish(amqp_uri, profile(ProfileUpdated, mentor, "mentor", minor=False, vetted=True,
                                      vetting_level="standard", changed=["vetting_level"]), org.id)

    def refused_at_standard():
        refused = book(api, org, match_id, future())
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "mentor_not_vetted"
        assert error["details"] == {"required_level": "enhanced", "mentor_level": "standard"}
        assert "at least enhanced level" in error["message"] and "recorded is standard" in error["message"]

    eventually(refused_at_standard)
    matches.publish(amqp_uri, profile(ProfileUpdated, mentor, "mentor", minor=False, vetted=True,
                                      vetting_level="enhanced", changed=["vetting_level"]), org.id)

    def booked_at_enhanced():
        response = book(api, org, match_id, future())
        assert response.status_code == 201, response.text

    eventually(booked_at_enhanced)


def test_an_observer_must_be_a_current_member_of_staff(world, api):
    org, _, _, _ = world
    missing = put_minors(api, org, require_observer=True)
    assert missing.status_code == 422, missing.text
    assert missing.json()["error"]["details"][0]["field"] == "minors.observer_staff_id"
    unknown = put_minors(api, org, require_observer=True, observer_staff_id="no-such-staff")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_staff"
    assert "no current member of staff" in unknown.json()["error"]["message"]
    assert api.get("/v1/settings/video", org.coordinator).json()["minors"]["require_observer"] is False
