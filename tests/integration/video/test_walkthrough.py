"""The video step of the guided tour runs against the real services and leaves its session."""

from __future__ import annotations

import uuid

import pytest
from ementor_contracts import MatchAccepted

from ementor.walkthrough import profiles as profiles_step
from ementor.walkthrough import video as video_step
from ementor.walkthrough.tour import Api, Tour
from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.integration.video import matches

pytestmark = pytest.mark.integration


def test_the_video_step_books_shows_links_and_invite_and_reschedules(start_services, settings, events, amqp_uri,
                                                                     capsys):
    start_services(ProfilesService, VideoService)
    tour = Tour(api=Api(f"http://{settings.EMENTOR_HTTP_ADDRESS}"), admin_token=settings.EMENTOR_ADMIN_TOKEN,
                events=events)
    profiles_step.run(tour)
    mentor, mentee = tour.state["mentors"][0], tour.state["mentees"][0]
    match = {"id": uuid.uuid4().hex[:24], "mentor_id": mentor["id"], "mentee_id": mentee["id"], "status": "active"}
    matches.publish(amqp_uri, MatchAccepted(match_id=match["id"], mentor_id=mentor["id"], mentee_id=mentee["id"]),
                    tour.state["organisation_id"])  # what the matching step's acceptance publishes
    tour.state["match"] = match

    video_step.run(tour)

    session = tour.state["session"]
    assert (session["match_id"], session["sequence"], session["status"]) == (match["id"], 1, "scheduled")
    out = capsys.readouterr().out
    assert "BEGIN:VCALENDAR" in out and "SEQUENCE:1" in out
    assert "moderator=True" in out and out.count("https://meet.jit.si/ementor-") >= 2


def test_the_video_step_says_so_when_there_is_no_match(capsys):
    tour = Tour(api=None, admin_token="", events=None)
    video_step.run(tour)
    assert "skipped" in capsys.readouterr().out and "session" not in tour.state
