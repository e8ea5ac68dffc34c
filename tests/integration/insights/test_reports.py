"""Insights over the real broker: events in, reports and the at-risk list out, RelationshipAtRisk published."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import MatchAccepted, MatchProposed, MessageSent

from ementor.platform.schedule import leased_timer
from services.insights.service import InsightsService
from services.profiles.service import ProfilesService
from tests.integration.insights import history
from tests.support.events import eventually
from tests.support.publish import publish_event

pytestmark = pytest.mark.integration


class FastInsights(InsightsService):
    @leased_timer(interval=0.2)
    def announce_risks(self):
        super().announce_risks()


def organisation(api) -> tuple[str, str]:
    created = api.create_organisation(f"org-{uuid.uuid4().hex[:10]}", "Northside School")
    return created["id"], api.coordinator_token(created["api_key"])


def programme(api, token) -> str:
    response = api.post("/v1/programmes", token, json={"name": "Year 12 careers"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def feed_history(amqp_uri, tenant_id, programme_id):
    for event, at in history.history():
        if getattr(event, "programme_id", None) == history.PROGRAMME:
            event = event.model_copy(update={"programme_id": programme_id})
        publish_event(amqp_uri, event, tenant_id, time=at)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response


def test_the_overview_and_exports_count_what_happened(start_services, api, amqp_uri):
    start_services(ProfilesService, FastInsights)
    tenant, token = organisation(api)
    programme_id = programme(api, token)
    feed_history(amqp_uri, tenant, programme_id)
    window = {"programme_id": programme_id, "from": "2026-03-02", "to": "2026-04-30"}

    def overview():
        body = ok(api.get("/v1/insights/overview", token, params=window)).json()
        assert body["totals"]["messages"] == 5 and body["totals"]["nudges_sent"] == 1
        assert body["totals"]["moderation_held"] == 1
        return body

    body = eventually(overview, timeout=20)
    totals = body["totals"]
    assert totals["goals_set"] == 2 and totals["goals_completed"] == 1
    assert totals["sessions_scheduled"] == 2 and totals["sessions_cancelled"] == 1
    assert totals["sessions_rescheduled"] == 1 and totals["sessions_held"] == 1
    assert totals["average_first_response_hours"] == 2.0 and totals["nudges_followed"] == 1
    funnel = {s["stage"]: s for s in body["funnel"]}
    assert funnel["registered"]["mentees"] == 1 and funnel["ended"]["mentors"] == 1
    messages = next(s for s in body["series"] if s["name"] == "messages")
    assert len(messages["points"]) == len(body["weeks"]) and messages["points"][:2] == [4, 1]
    assert body["topics"] == [] and body["topics_suppressed"] == 3  # one conversation is fewer than five

    weekly = list(csv.DictReader(io.StringIO(ok(api.get("/v1/insights/export", token, params={
        **window, "table": "weekly", "format": "csv"})).text)))
    assert [row["messages"] for row in weekly[:2]] == ["4.0", "1.0"]
    matches = ok(api.get("/v1/insights/export", token, params={"table": "matches", "format": "json"})).json()
    [row] = matches["rows"]
    assert row["match_id"] == history.MATCH and row["messages"] == 5 and row["status"] == "ended"
    for table in ("funnel", "topics", "reply_times"):
        ok(api.get("/v1/insights/export", token, params={"table": table, "format": "json"}))
    # Whole organisation (no programme) sees the same messages.
    whole = ok(api.get("/v1/insights/overview", token, params={"from": "2026-03-02", "to": "2026-04-30"})).json()
    assert whole["totals"]["messages"] == 5
    # The operator sees every organisation added up, with nothing that names an organisation or a person.
    platform = ok(api.get("/v1/insights/platform", api.admin_token, params={"from": "2026-03-02", "to": "2026-04-30"}))
    assert platform.json()["totals"]["messages"] >= 5 and platform.json()["programme_id"] is None
    assert tenant not in platform.text and history.MATCH not in platform.text and history.MENTEE not in platform.text
    assert api.get("/v1/insights/platform", token).status_code in (401, 403)  # not for an organisation's staff


def test_bad_report_requests_are_clear_4xx(start_services, api, amqp_uri):
    start_services(ProfilesService, FastInsights)
    _, token = organisation(api)
    _, other_token = organisation(api)
    foreign = programme(api, other_token)
    assert api.get("/v1/insights/overview", token, params={"programme_id": foreign}).status_code == 404
    assert api.get("/v1/insights/matches", token, params={"programme_id": foreign}).status_code == 404
    backwards = api.get("/v1/insights/overview", token, params={"from": "2026-05-01", "to": "2026-04-01"})
    assert backwards.status_code == 422 and "swap" in backwards.json()["error"]["message"]
    too_long = api.get("/v1/insights/overview", token, params={"from": "2019-01-01", "to": "2026-04-01"})
    assert too_long.status_code == 422 and "five years" in too_long.json()["error"]["message"]
    assert api.get("/v1/insights/export", token, params={"table": "people"}).status_code == 422
    assert api.get("/v1/insights/export", token, params={"table": "weekly", "format": "xml"}).status_code == 422
    assert api.get("/v1/insights/overview", token, params={"from": "yesterday"}).status_code == 422


def test_a_quiet_match_is_listed_at_risk_with_reasons_and_announced_once(start_services, api, amqp_uri, events):
    start_services(ProfilesService, FastInsights)
    tenant, token = organisation(api)
    now = datetime.now(UTC)
    quiet, lively = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    mentor, mentee, mentor2, mentee2 = (uuid.uuid4().hex[:24] for _ in range(4))
    for match_id, a, b in ((quiet, mentor, mentee), (lively, mentor2, mentee2)):
        publish_event(amqp_uri, MatchProposed(match_id=match_id, mentor_id=a, mentee_id=b, proposed_by="coordinator",
                                              score=0.7), tenant, time=now - timedelta(days=25))
    publish_event(amqp_uri, MessageSent(message_id="q1", match_id=quiet, sender_id=mentor, recipient_id=mentee,
                                        length=30), tenant, time=now - timedelta(days=20))
    for n in range(4):
        sender, recipient = (mentor2, mentee2) if n % 2 == 0 else (mentee2, mentor2)
        publish_event(amqp_uri, MessageSent(message_id=f"l{n}", match_id=lively, sender_id=sender,
                                            recipient_id=recipient, length=30), tenant,
                      time=now - timedelta(days=3 - n * 0.5))

    def counted():  # the conversations are in before the matches start (else the risk is judged without them)
        rows = ok(api.get("/v1/insights/export", token, params={"table": "matches", "format": "json"})).json()["rows"]
        assert sorted(r["messages"] for r in rows) == [1, 4]

    eventually(counted)
    for match_id, a, b in ((quiet, mentor, mentee), (lively, mentor2, mentee2)):
        publish_event(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=a, mentee_id=b), tenant,
                      time=now - timedelta(days=24))

    def at_risk():
        items = ok(api.get("/v1/insights/matches", token, params={"health": "at_risk"})).json()["items"]
        assert [i["match_id"] for i in items] == [quiet]
        return items[0]

    row = eventually(at_risk)
    [announced] = events.wait_for("RelationshipAtRisk", lambda e: e.tenantid == tenant, timeout=20)
    assert announced.data["match_id"] == quiet and announced.data["score"] < 50
    assert "No message for 20 days" in announced.data["reasons"]
    assert "The first message has had no reply" in announced.data["reasons"]
    # The same reasons as codes with their figures, for a reader in another language.
    assert {"code": "quiet", "figures": {"days": 20}} in announced.data["reason_codes"]
    assert {"code": "no_reply", "figures": {}} in announced.data["reason_codes"]
    assert row["reason_codes"] == announced.data["reason_codes"]

    assert row["days_since_last_exchange"] == 20 and row["messages"] == 1
    everyone = ok(api.get("/v1/insights/matches", token)).json()["items"]
    assert {i["match_id"]: i["at_risk"] for i in everyone} == {quiet: True, lively: False}
    # The job keeps running: still one announcement for this quiet spell.
    eventually(lambda: _ticks_passed(), timeout=2)
    assert len([e for e in events.of_type("RelationshipAtRisk") if e.tenantid == tenant]) == 1


_started = datetime.now(UTC)


def _ticks_passed():
    assert datetime.now(UTC) - _started > timedelta(seconds=1)
