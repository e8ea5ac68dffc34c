"""Walkthrough: a video session for the active match, its links and invite, then a reschedule."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def _person(tour, person_id: str) -> dict:
    for person in tour.state.get("mentors", []) + tour.state.get("mentees", []):
        if person["id"] == person_id:
            return person
    return {"id": person_id, "name": person_id, "timezone": "UTC"}


def _wait_until_video_knows(tour, match_id: str, token: str, timeout: float = 15.0) -> None:
    """The video service learns of the match from MatchAccepted; give the event a moment to arrive."""
    deadline = time.monotonic() + timeout
    while tour.api.get(f"/v1/matches/{match_id}/sessions", token, expect=(200, 404)).status_code == 404:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the video service has not heard of match {match_id} (MatchAccepted) in {timeout}s")
        time.sleep(0.1)


def _when(view: dict) -> str:
    start = datetime.fromisoformat(view["starts_at"])
    return f"{start:%a %d %b %H:%M} {view['timezone']} (UTC{start.isoformat()[19:]})"


def run(tour) -> None:
    match = tour.state.get("match")
    if not match:
        tour.say("Video sessions", "skipped: no active match was left by the matching step")
        return
    api, token_for = tour.api, tour.state["token_for"]
    mentor, mentee = _person(tour, match["mentor_id"]), _person(tour, match["mentee_id"])
    mentor_token, mentee_token = token_for(mentor["id"]), token_for(mentee["id"])
    since = tour.now()
    _wait_until_video_knows(tour, match["id"], mentee_token)

    local = ZoneInfo(mentee.get("timezone") or "UTC")
    tomorrow = (datetime.now(local) + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    session = api.post(f"/v1/matches/{match['id']}/sessions", mentee_token,
                       json={"starts_at": tomorrow.isoformat(), "duration_minutes": 45}).json()
    tour.say(f"{mentee['name']} books a 45-minute video session with {mentor['name']} for tomorrow",
             f"POST /v1/matches/{match['id']}/sessions {{starts_at: {tomorrow.isoformat()}, duration_minutes: 45}}"
             f"\n-> 201 {session['status']}, {_when(session)}")

    mentor_view = api.get(f"/v1/sessions/{session['id']}", mentor_token).json()
    tour.say("Each person gets their own link, in their own time zone (the mentor joins as moderator)",
             f"{mentor['name']:<14} {_when(mentor_view)}  moderator={mentor_view['moderator']}\n"
             f"{'':<14} {mentor_view['join_url']}\n"
             f"{mentee['name']:<14} {_when(session)}  moderator={session['moderator']}\n"
             f"{'':<14} {session['join_url']}")

    invite = api.get(f"/v1/sessions/{session['id']}/invite.ics", mentee_token).text
    tour.say(f"{mentee['name']}'s calendar invite (GET /v1/sessions/{{id}}/invite.ics, first lines)",
             "\n".join(invite.splitlines()[:11]))

    clash = api.post(f"/v1/matches/{match['id']}/sessions", mentor_token, expect=409,
                     json={"starts_at": (tomorrow + timedelta(minutes=30)).isoformat(), "duration_minutes": 30}).json()
    tour.say("Booking over it is refused: nobody is double-booked", clash["error"]["message"])

    later = tomorrow + timedelta(hours=1)
    moved = api.patch(f"/v1/sessions/{session['id']}", mentor_token, json={"starts_at": later.isoformat()}).json()
    invite = api.get(f"/v1/sessions/{session['id']}/invite.ics", mentee_token).text
    lines = [line for line in invite.splitlines() if line.startswith(("UID", "SEQUENCE", "DTSTART", "METHOD"))]
    tour.say(f"{mentor['name']} moves it an hour later: same UID, SEQUENCE {moved['sequence']}, "
             "so calendars update the entry they have", "\n".join(lines))

    tour.events.wait_for("SessionRescheduled", lambda e: e.subject == session["id"], timeout=10)
    settings = api.get("/v1/settings/video", tour.state["coordinator_token"]).json()
    tour.say("Events that flowed (no links in them); reminders are due "
             f"{', '.join(str(m) for m in settings['reminder_offsets_minutes'])} minutes before the start")
    tour.show_events("SessionScheduled", "SessionRescheduled", since=since)
    tour.state["session"] = moved
