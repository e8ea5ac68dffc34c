"""Reminders fire once however many replicas of the video service run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.integration.video import matches
from tests.support.infra import free_port

pytestmark = pytest.mark.integration

PEOPLE = {"Ada": ("mentor", "Europe/London"), "Bo": ("mentee", "America/New_York"),
          "Di": ("mentor", "Europe/Rome"), "Cy": ("mentee", "Asia/Kolkata")}


def test_a_reminder_fires_once_with_two_replicas_running(start_services, settings, api, events, amqp_uri):
    start_services(ProfilesService, VideoService)
    start_services(VideoService, settings_override=settings.model_copy(
        update={"EMENTOR_HTTP_ADDRESS": f"127.0.0.1:{free_port()}"}))
    org = matches.organisation(api, people=PEOPLE)
    first_match = matches.open_match(api, amqp_uri, org, "Ada", "Bo")
    second_match = matches.open_match(api, amqp_uri, org, "Di", "Cy")
    # One-minute reminders, and sessions a few seconds over a minute away: the reminders fall due in seconds.
    assert api.request("PUT", "/v1/settings/video", org.coordinator,
                       json={"reminder_offsets_minutes": [1, 60]}).status_code == 200

    now = datetime.now(UTC)
    first = api.post(f"/v1/matches/{first_match}/sessions", org.token("Ada"), json={
        "starts_at": (now + timedelta(seconds=63)).isoformat(), "duration_minutes": 30}).json()
    second = api.post(f"/v1/matches/{second_match}/sessions", org.token("Cy"), json={
        "starts_at": (now + timedelta(seconds=66)).isoformat(), "duration_minutes": 30}).json()

    (reminder,) = events.wait_for("SessionReminderDue", lambda e: e.subject == first["id"], timeout=15)
    assert reminder.tenantid == org.id
    assert reminder.data["minutes_before"] == 1
    assert (reminder.data["mentor_id"], reminder.data["mentee_id"]) == (org.person("Ada")["id"], org.person("Bo")["id"])
    assert datetime.fromisoformat(reminder.data["starts_at"]) == datetime.fromisoformat(first["starts_at"])
    # The second session's reminder comes three seconds later: by then a duplicate of the first would have shown.
    events.wait_for("SessionReminderDue", lambda e: e.subject == second["id"], timeout=15)
    due = events.of_type("SessionReminderDue")
    assert sorted(e.subject for e in due) == sorted([first["id"], second["id"]])  # once each; no 60-minute one
