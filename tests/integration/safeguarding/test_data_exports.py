"""Subject access: a person (or staff on their behalf) asks for everything ementor holds about them; each
service contributes its part and the person downloads one archive. Real broker, every service running."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from services.insights.service import InsightsService
from services.integrations.service import IntegrationsService
from services.knowledge.service import KnowledgeService
from services.matching.service import MatchingService
from services.messaging.service import MessagingService
from services.notifications.service import NotificationsService
from services.profiles.service import ProfilesService
from services.safeguarding.service import SafeguardingService
from services.video.service import VideoService
from tests.integration.safeguarding.world import active_match, book, code, organisation, send
from tests.support.events import eventually

pytestmark = pytest.mark.integration

EVERY_SERVICE = (ProfilesService, MatchingService, MessagingService, VideoService, NotificationsService,
                 InsightsService, KnowledgeService, IntegrationsService, SafeguardingService)


@pytest.fixture
def world(start_services, api):
    start_services(*EVERY_SERVICE)
    org = organisation(api, {"Ada": "mentor", "Bo": "mentee", "Cy": "mentee"})
    other = organisation(api, {"Zed": "mentee"})
    return org, other, active_match(api, org, "Ada", "Bo")


def _ready(api, token, person_id, export_id):
    def ready():
        view = api.get(f"/v1/people/{person_id}/data-exports/{export_id}", token)
        assert view.status_code == 200, view.text
        assert view.json()["status"] == "ready", view.json()
        return view.json()
    return eventually(ready, timeout=60)


def _archive(api, token, url) -> dict[str, str]:
    response = api.get(url, token)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_an_export_holds_what_each_service_keeps_about_the_person_and_nothing_of_anyone_else(world, api, events):
    org, other, match_id = world
    bo, ada = org.people["Bo"], org.people["Ada"]
    assert send(api, org, match_id, "Bo", "Bo asks about the robotics fair on Friday").status_code == 201
    assert send(api, org, match_id, "Ada", "Ada answers: bring the line-following robot").status_code == 201
    goal = api.post(f"/v1/matches/{match_id}/goals", org.tokens["Bo"], json={"title": "Finish the robot arm"})
    assert goal.status_code == 201, goal.text
    session = book(api, org, match_id, "Ada")
    assert session.status_code == 201, session.text
    mine = api.post("/v1/concerns", org.tokens["Bo"], json={"category": "uncomfortable", "match_id": match_id,
                                                              "details": "BO-OWN-WORDS about the chat"})
    assert mine.status_code == 201, mine.text
    theirs = api.post("/v1/concerns", org.tokens["Ada"], json={"category": "worried_about_someone_else",
                                                                 "match_id": match_id,
                                                                 "details": "ADA-REPORT about Bo's home"})
    assert theirs.status_code == 201, theirs.text

    asked = api.post(f"/v1/people/{bo}/data-exports", org.tokens["Bo"], json={})
    assert asked.status_code == 202, asked.text
    export = asked.json()
    assert (export["status"], export["person_id"], export["on_behalf"]) == ("gathering", bo, False)
    assert len(export["services"]) == 9 and export["services"][0] == "profiles"  # the page's "n of 9 parts"
    again = api.post(f"/v1/people/{bo}/data-exports", org.tokens["Bo"], json={})
    assert again.status_code in (202, 409)  # 409 export_in_progress while the first is gathered

    ready = _ready(api, org.tokens["Bo"], bo, export["id"])
    assert set(ready["services_done"]) == {"profiles", "matching", "messaging", "video", "notifications", "insights",
                                           "knowledge", "integrations", "safeguarding"}
    files = _archive(api, org.tokens["Bo"], ready["download_url"])
    assert {"summary.txt", "summary.html", "profiles.json", "messaging.json", "safeguarding.json"} <= set(files)
    parts = {name[:-5]: json.loads(text) for name, text in files.items() if name.endswith(".json")}

    profile = parts["profiles"]["data"]["profile"]
    assert (profile["id"], profile["name"], profile["role"]) == (bo, "Bo", "mentee")
    bodies = {m["body"]: m["from"] for m in parts["messaging"]["data"]["messages"]}
    assert bodies == {"Bo asks about the robotics fair on Friday": "you",
                      "Ada answers: bring the line-following robot": "the other person"}
    assert [m["id"] for m in parts["matching"]["data"]["matches"]] == [match_id]
    assert [g["title"] for g in parts["matching"]["data"]["goals"]] == ["Finish the robot arm"]
    assert [s["id"] for s in parts["video"]["data"]["sessions"]] == [session.json()["id"]]
    assert "join_url" not in files["video.json"] and "room" not in parts["video"]["data"]["sessions"][0]
    assert [c["details"] for c in parts["safeguarding"]["data"]["concerns_you_raised"]] == [
        "BO-OWN-WORDS about the chat"]
    assert "aggregates" in parts["knowledge"]["data"]["questions"]
    assert "Messages:" in files["summary.txt"] and "withheld" in files["summary.txt"]
    assert "<h1>" in files["summary.html"]

    everything = "".join(files.values())
    assert "ADA-REPORT" not in everything  # a concern someone else raised about Bo is withheld
    cy = api.get(f"/v1/people/{org.people['Cy']}", org.coordinator).json()
    ada_profile = api.get(f"/v1/people/{ada}", org.coordinator).json()
    for foreign in (cy["id"], cy["email"], ada_profile["email"], other.people["Zed"], other.id):
        assert foreign not in everything

    [requested] = events.wait_for("DataExportRequested", lambda e: e.data["export_id"] == export["id"])
    [done] = events.wait_for("DataExportReady", lambda e: e.data["export_id"] == export["id"])
    assert "robot" not in requested.model_dump_json() + done.model_dump_json()

    audit = api.get("/v1/safeguarding/audit", org.lead()).json()
    assert audit["verified"] is True
    trail = [(e["action"], e["actor"]) for e in audit["items"] if e["subject_id"] == export["id"]]
    assert trail == [("data_export_requested", f"person:{bo}"), ("data_export_ready", "system"),
                     ("data_export_downloaded", f"person:{bo}")]


def test_staff_ask_on_a_persons_behalf_audited_and_foreign_people_are_404(world, api):
    org, other, _ = world
    cy, bo, zed = org.people["Cy"], org.people["Bo"], other.people["Zed"]
    coordinator = org.staff("coordinator", "coord-7")

    foreign = api.post(f"/v1/people/{zed}/data-exports", coordinator, json={})
    assert (foreign.status_code, code(foreign)) == (404, "person_not_found")
    unknown = api.post(f"/v1/people/{'0' * 24}/data-exports", coordinator, json={})
    assert (unknown.status_code, code(unknown)) == (404, "person_not_found")
    someone_else = api.post(f"/v1/people/{cy}/data-exports", org.tokens["Bo"], json={})
    assert (someone_else.status_code, code(someone_else)) == (404, "person_not_found")

    asked = api.post(f"/v1/people/{cy}/data-export", coordinator, json={})  # the architecture's path
    assert asked.status_code == 202, asked.text
    export = asked.json()
    assert export["on_behalf"] is True
    assert api.get(f"/v1/data-exports/{export['id']}", org.tokens["Bo"]).status_code == 404  # not Bo's
    assert api.get(f"/v1/data-exports/{export['id']}", other.coordinator).status_code == 404
    not_yet = api.get(f"/v1/data-exports/{export['id']}/archive", coordinator)
    assert not_yet.status_code in (200, 409)

    ready = _ready(api, coordinator, cy, export["id"])
    files = _archive(api, coordinator, f"/v1/data-exports/{export['id']}/archive")
    assert "on your behalf" in files["summary.txt"]
    assert bo not in "".join(files.values())  # Cy was never matched with Bo: nothing of Bo's

    audit = api.get("/v1/safeguarding/audit", org.lead()).json()
    trail = [(e["action"], e["actor"], e["data"].get("on_behalf")) for e in audit["items"]
             if e["subject_id"] == ready["id"]]
    assert trail[0] == ("data_export_requested", "staff:coord-7", True)
    assert trail[-1] == ("data_export_downloaded", "staff:coord-7", True)
