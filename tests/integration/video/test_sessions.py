"""Scheduling, moving and cancelling sessions over the API, with real RabbitMQ."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import jwt
import pytest
from icalendar import Calendar
from mongoengine.connection import get_db

from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.integration.video import matches

pytestmark = pytest.mark.integration

PEOPLE = {"Ada": ("mentor", "Europe/London"), "Bo": ("mentee", "America/New_York"), "Cy": ("mentee", "Asia/Kolkata")}
JITSI_SECRET = "self-hosted-jitsi-secret-0123456789abcdef"


def future(days: int = 2, hour: int = 16) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def book(api, org, match_id, who, start, minutes=45, **kw):
    return api.post(f"/v1/matches/{match_id}/sessions", org.token(who) if who else org.coordinator,
                    json={"starts_at": start.isoformat(), "duration_minutes": minutes}, **kw)


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_a_session_shows_each_viewer_their_own_time_zone_and_their_own_link(start_services, settings, api, events,
                                                                          amqp_uri):
    jitsi = {"EMENTOR_JITSI_BASE_URL": "https://video.example.org", "EMENTOR_JITSI_APP_ID": "ementor",
             "EMENTOR_JITSI_APP_SECRET": JITSI_SECRET}
    start_services(ProfilesService, VideoService, settings_override=settings.model_copy(update=jitsi))
    org = matches.organisation(api, people=PEOPLE)
    match_id = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    start = future()

    created = book(api, org, match_id, "Bo", start.astimezone(ZoneInfo("America/New_York")))
    assert created.status_code == 201, created.text
    session = created.json()
    assert (session["status"], session["sequence"], session["match_id"]) == ("scheduled", 0, match_id)
    assert session["timezone"] == "America/New_York"
    assert session["starts_at"] == start.astimezone(ZoneInfo("America/New_York")).isoformat()
    assert datetime.fromisoformat(session["ends_at"]) == start + timedelta(minutes=45)

    seen_by = {who: api.get(f"/v1/sessions/{session['id']}", org.token(who)).json() for who in ("Ada", "Bo")}
    assert seen_by["Ada"]["timezone"] == "Europe/London"
    assert seen_by["Ada"]["starts_at"] == start.astimezone(ZoneInfo("Europe/London")).isoformat()
    as_coordinator = api.get(f"/v1/sessions/{session['id']}", org.coordinator).json()
    assert (as_coordinator["timezone"], as_coordinator["join_url"]) == ("UTC", None)
    in_kolkata = api.get(f"/v1/sessions/{session['id']}?timezone=Asia/Kolkata", org.token("Ada")).json()
    assert in_kolkata["starts_at"].endswith("+05:30")

    # Each person gets their own signed link to the same room; only the mentor moderates.
    claims = {}
    for who, view in seen_by.items():
        url = urlsplit(view["join_url"])
        assert (url.scheme, url.netloc) == ("https", "video.example.org")
        claims[who] = jwt.decode(parse_qs(url.query)["jwt"][0], JITSI_SECRET, algorithms=["HS256"], audience="jitsi",
                                 options={"verify_nbf": False})
        assert claims[who]["room"] == url.path.lstrip("/")
        assert claims[who]["nbf"] == int((start - timedelta(minutes=10)).timestamp())
        assert claims[who]["exp"] == int((start + timedelta(minutes=45)).timestamp())
    assert claims["Ada"]["room"] == claims["Bo"]["room"]
    assert claims["Ada"]["context"]["user"] == {"id": org.person("Ada")["id"], "name": "Ada", "moderator": True}
    assert claims["Bo"]["context"]["user"] == {"id": org.person("Bo")["id"], "name": "Bo", "moderator": False}
    assert (seen_by["Ada"]["moderator"], seen_by["Bo"]["moderator"]) == (True, False)

    (scheduled,) = events.wait_for("SessionScheduled", lambda e: e.subject == session["id"])
    assert scheduled.tenantid == org.id
    assert scheduled.data["starts_at"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (scheduled.data["mentor_id"], scheduled.data["mentee_id"]) == (org.person("Ada")["id"], org.person("Bo")["id"])
    assert claims["Ada"]["room"] not in json.dumps(scheduled.model_dump(mode="json"))  # no link in events


def test_rescheduling_and_cancelling_update_the_same_calendar_entry(start_services, api, events, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    match_id = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    start = future()
    session = book(api, org, match_id, "Ada", start).json()
    first = Calendar.from_ical(api.get(f"/v1/sessions/{session['id']}/invite.ics", org.token("Bo")).content)

    later = start + timedelta(days=1, hours=2)
    moved = api.patch(f"/v1/sessions/{session['id']}", org.token("Bo"),
                      json={"starts_at": later.isoformat(), "duration_minutes": 60})
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1
    assert datetime.fromisoformat(moved.json()["starts_at"]) == later
    assert datetime.fromisoformat(moved.json()["ends_at"]) == later + timedelta(minutes=60)
    (rescheduled,) = events.wait_for("SessionRescheduled", lambda e: e.subject == session["id"])
    assert rescheduled.data["sequence"] == 1
    assert datetime.fromisoformat(rescheduled.data["previous_starts_at"]) == start

    response = api.get(f"/v1/sessions/{session['id']}/invite.ics", org.token("Bo"))
    assert response.headers["Content-Type"].startswith("text/calendar")
    update = Calendar.from_ical(response.content)
    event, old = update.walk("VEVENT")[0], first.walk("VEVENT")[0]
    assert str(event["uid"]) == str(old["uid"])
    assert (old["sequence"], event["sequence"]) == (0, 1)
    assert event.decoded("dtstart") == later and str(update["method"]) == "REQUEST"
    assert str(event["location"]) == api.get(f"/v1/sessions/{session['id']}", org.token("Bo")).json()["join_url"]

    cancelled = api.post(f"/v1/sessions/{session['id']}/cancel", org.token("Ada"), json={"reason": "Exam week"})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["sequence"], cancelled.json()["join_url"]) == ("cancelled", 2, None)
    (cancel_event,) = events.wait_for("SessionCancelled", lambda e: e.subject == session["id"])
    assert cancel_event.data["cancelled_by"] == org.person("Ada")["id"]
    assert (cancel_event.data["reason"], cancel_event.data["sequence"]) == ("Exam week", 2)

    gone = Calendar.from_ical(api.get(f"/v1/sessions/{session['id']}/invite.ics", org.token("Ada")).content)
    assert str(gone["method"]) == "CANCEL"
    assert str(gone.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert gone.walk("VEVENT")[0]["sequence"] == 2 and str(gone.walk("VEVENT")[0]["uid"]) == str(old["uid"])

    again = api.patch(f"/v1/sessions/{session['id']}", org.token("Bo"), json={"duration_minutes": 30})
    assert (again.status_code, error_code(again)) == (409, "session_cancelled")
    twice = api.post(f"/v1/sessions/{session['id']}/cancel", org.token("Bo"), json={})
    assert (twice.status_code, error_code(twice)) == (409, "session_cancelled")
    # The freed slot can be booked again.
    assert book(api, org, match_id, "Ada", later).status_code == 201


def test_nobody_is_double_booked_even_by_concurrent_requests(start_services, api, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    with_bo = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    with_cy = matches.open_match(api, amqp_uri, org, "Ada", "Cy")
    start = future()
    first = book(api, org, with_bo, "Bo", start, 60)
    assert first.status_code == 201

    overlapping = book(api, org, with_bo, "Bo", start + timedelta(minutes=30))
    assert (overlapping.status_code, error_code(overlapping)) == (409, "slot_taken")
    assert overlapping.json()["error"]["details"]["busy"] == "mentor"
    # Ada mentors Cy too, but cannot be in two calls at once; Cy sees Ada is busy, not Ada's other session.
    elsewhere = book(api, org, with_cy, "Cy", start + timedelta(minutes=15))
    assert (elsewhere.status_code, elsewhere.json()["error"]["details"]) == (409, {"busy": "mentor"})
    back_to_back = book(api, org, with_cy, "Cy", start + timedelta(minutes=60))
    assert back_to_back.status_code == 201, back_to_back.text
    # Moving into an occupied slot is refused and leaves the session where it was.
    clash = api.patch(f"/v1/sessions/{back_to_back.json()['id']}", org.token("Ada"),
                      json={"starts_at": (start + timedelta(minutes=30)).isoformat()})
    assert (clash.status_code, error_code(clash)) == (409, "slot_taken")
    assert clash.json()["error"]["details"]["conflicting_session_ids"] == [first.json()["id"]]
    assert api.get(f"/v1/sessions/{back_to_back.json()['id']}", org.token("Cy")).json()["sequence"] == 0

    # Eight people click "book" for the same evening slot at once: exactly one wins.
    evening = future(days=3, hour=18)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: book(api, org, (with_bo, with_cy)[i % 2], None,
                                               evening + timedelta(minutes=5 * i)), range(8)))
    assert sorted(r.status_code for r in results) == [201] + [409] * 7
    listed = api.get(f"/v1/sessions?person_id={org.person('Ada')['id']}&status=scheduled", org.coordinator).json()
    assert len(listed["items"]) == 3


def test_bad_input_gets_a_clear_4xx(start_services, api, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    match_id = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    start = future()
    path = f"/v1/matches/{match_id}/sessions"

    def post(body, token=None):
        return api.post(path, token or org.token("Ada"), json=body)

    cases = {
        "past": (post({"starts_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(), "duration_minutes": 30}),
                 422, "starts_in_past"),
        "naive": (post({"starts_at": "2030-03-04T16:00:00", "duration_minutes": 30}), 422, "validation_failed"),
        "not a time": (post({"starts_at": "next tuesday", "duration_minutes": 30}), 422, "validation_failed"),
        "negative": (post({"starts_at": start.isoformat(), "duration_minutes": -30}), 422, "validation_failed"),
        "huge": (post({"starts_at": start.isoformat(), "duration_minutes": 10**9}), 422, "validation_failed"),
        "too long here": (post({"starts_at": start.isoformat(), "duration_minutes": 240}), 422, "duration_out_of_range"),
        "too far ahead": (post({"starts_at": (start + timedelta(days=500)).isoformat(), "duration_minutes": 30}), 422,
                          "starts_too_far_ahead"),
        "missing": (post({"duration_minutes": 30}), 422, "validation_failed"),
        "unknown field": (post({"starts_at": start.isoformat(), "duration_minutes": 30, "room": "mine"}), 422,
                          "validation_failed"),
        "unknown zone": (api.post(path + "?timezone=Mars/Olympus", org.token("Ada"),
                                  json={"starts_at": start.isoformat(), "duration_minutes": 30}), 422,
                         "unknown_timezone"),
        "unknown match": (api.post("/v1/matches/000000000000000000000000/sessions", org.coordinator,
                                   json={"starts_at": start.isoformat(), "duration_minutes": 30}), 404, "not_found"),
        "not their match": (post({"starts_at": start.isoformat(), "duration_minutes": 30}, org.token("Cy")), 404,
                            "not_found"),
    }
    for name, (response, status, code) in cases.items():
        assert (response.status_code, error_code(response)) == (status, code), f"{name}: {response.text}"
    assert "timezone" in cases["naive"][0].json()["error"]["message"].lower()

    session = post({"starts_at": start.isoformat(), "duration_minutes": 30}).json()
    empty = api.patch(f"/v1/sessions/{session['id']}", org.token("Ada"), json={})
    assert (empty.status_code, error_code(empty)) == (422, "nothing_to_change")
    into_past = api.patch(f"/v1/sessions/{session['id']}", org.token("Ada"),
                          json={"starts_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()})
    assert (into_past.status_code, error_code(into_past)) == (422, "starts_in_past")
    bad_cursor = api.get(f"{path}?cursor=not-a-cursor", org.token("Ada"))
    assert (bad_cursor.status_code, error_code(bad_cursor)) == (422, "bad_cursor")

    # Another organisation sees nothing of it.
    other = matches.organisation(api)
    for method, url in (("GET", f"/v1/sessions/{session['id']}"), ("GET", f"/v1/sessions/{session['id']}/invite.ics"),
                        ("POST", f"/v1/sessions/{session['id']}/cancel"), ("GET", path)):
        response = api.request(method, url, other.coordinator, json={} if method == "POST" else None)
        assert (response.status_code, error_code(response)) == (404, "not_found"), url
    foreign = api.post(path, other.coordinator, json={"starts_at": start.isoformat(), "duration_minutes": 30})
    assert foreign.status_code == 404
    assert api.get(f"/v1/sessions/{session['id']}", org.token("Cy")).status_code == 404  # same org, not theirs


def test_organisation_settings_set_the_limits_and_lists_page_in_time_order(start_services, api, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    match_id = matches.open_match(api, amqp_uri, org, "Ada", "Bo")

    defaults = api.get("/v1/settings/video", org.coordinator).json()
    assert defaults["reminder_offsets_minutes"] == [1440, 60, 15]
    assert (defaults["min_duration_minutes"], defaults["max_duration_minutes"]) == (15, 180)
    assert defaults["jitsi"]["base_url"] == "https://meet.jit.si" and defaults["jitsi"]["token_auth"] is False
    assert api.get("/v1/settings/video", org.token("Ada")).status_code == 403
    bad = api.request("PUT", "/v1/settings/video", org.coordinator, json={"min_duration_minutes": 90, "max_duration_minutes": 60})
    assert (bad.status_code, error_code(bad)) == (422, "validation_failed")
    bad = api.request("PUT", "/v1/settings/video", org.coordinator, json={"reminder_offsets_minutes": [0]})
    assert bad.status_code == 422
    saved = api.request("PUT", "/v1/settings/video", org.coordinator, json={
        "max_duration_minutes": 240, "reminder_offsets_minutes": [30, 2880],
        "jitsi": {"start_video_muted": True}})
    assert saved.status_code == 200, saved.text
    assert saved.json()["reminder_offsets_minutes"] == [2880, 30]

    start = future()
    long_one = book(api, org, match_id, "Ada", start, 240)
    assert long_one.status_code == 201, long_one.text
    assert "config.startWithVideoMuted=true" in long_one.json()["join_url"]
    for days in (3, 1, 2):
        assert book(api, org, match_id, "Bo", start + timedelta(days=days, hours=-5)).status_code == 201

    pages, cursor = [], None
    while True:
        page = api.get(f"/v1/matches/{match_id}/sessions?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                       org.token("Bo")).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    starts = [datetime.fromisoformat(s["starts_at"]) for page in pages for s in page]
    assert [len(p) for p in pages] == [2, 2] and starts == sorted(starts)
    assert all(s["timezone"] == "America/New_York" for page in pages for s in page)

    mine = api.get("/v1/sessions", org.token("Ada")).json()["items"]
    assert len(mine) == 4
    others = api.get(f"/v1/sessions?person_id={org.person('Bo')['id']}", org.token("Ada"))
    assert (others.status_code, error_code(others)) == (403, "not_your_sessions")
    assert api.get(f"/v1/sessions?person_id={org.person('Cy')['id']}", org.coordinator).json()["items"] == []


def test_an_empty_reminder_list_means_no_reminders(start_services, api, amqp_uri):
    start_services(ProfilesService, VideoService)
    org = matches.organisation(api, people=PEOPLE)
    match_id = matches.open_match(api, amqp_uri, org, "Ada", "Bo")

    saved = api.request("PUT", "/v1/settings/video", org.coordinator, json={"reminder_offsets_minutes": []})
    assert saved.status_code == 200, saved.text
    assert saved.json()["reminder_offsets_minutes"] == []
    assert api.get("/v1/settings/video", org.coordinator).json()["reminder_offsets_minutes"] == []

    session = book(api, org, match_id, "Ada", future())
    assert session.status_code == 201, session.text
    assert get_db("video")["reminders"].count_documents({"session_id": session.json()["id"]}) == 0
