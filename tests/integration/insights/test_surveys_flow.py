"""Surveys end to end over the real broker: a session is held → insights asks both people (SurveyRequested)
→ notifications emails a link → the mentee answers over the API (SurveySubmitted, scores only) → staff
see the result; refusals (twice, a stranger, bad ratings, after the match ended) along the way."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import MatchAccepted, MatchEnded, SessionScheduled

from ementor.platform.schedule import leased_timer
from services.insights.service import InsightsService
from services.notifications.delivery_loop import delivery_loop
from services.notifications.domain import RetryPolicy
from services.notifications.service import NotificationsService
from services.profiles.service import ProfilesService
from tests.support.events import eventually
from tests.support.publish import publish_event

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://app.ementor.test"


class FastInsights(InsightsService):
    @leased_timer(interval=0.2)
    def issue_surveys(self):
        super().issue_surveys()


class FastNotifications(NotificationsService):
    retry_policy = RetryPolicy(base_seconds=0.05, cap_seconds=0.4, max_attempts=40)

    @delivery_loop(poll_seconds=0.2)
    def send_due(self, fresh=(), scan=False) -> bool:
        return super().send_due(fresh, scan)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json() if response.text and "json" in response.headers.get("Content-Type", "") else response


def person(api, token, name, role, programme_id):
    body = {"role": role, "name": name, "email": f"{name.split()[0].lower()}.{uuid.uuid4().hex[:6]}@example.org",
            "timezone": "Europe/London", "programme_id": programme_id, "channels": {"email": True, "sms": False}}
    if role == "mentor":
        body["capacity"] = 2
    return ok(api.post("/v1/people", token, json=body), 201)


def test_a_held_session_asks_for_feedback_by_email_and_staff_see_the_answer(smtp, start_services, mail_settings, api,
                                                                              amqp_uri, events):
    start_services(ProfilesService, FastInsights, FastNotifications, settings_override=mail_settings.model_copy(update={
        "EMENTOR_PUBLIC_URL": PUBLIC_URL, "SMTP_FROM": "ementor <no-reply@ementor.test>"}))
    created = api.create_organisation(f"org-{uuid.uuid4().hex[:10]}", "Northside School")
    tenant, staff = created["id"], api.coordinator_token(created["api_key"])
    programme_id = ok(api.post("/v1/programmes", staff, json={"name": "Year 12 careers"}), 201)["id"]
    mentor = person(api, staff, "Ada Lovelace", "mentor", programme_id)
    mentee = person(api, staff, "Bob Smith", "mentee", programme_id)
    match_id, session_id = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    ids = {"match_id": match_id, "mentor_id": mentor["id"], "mentee_id": mentee["id"]}
    now = datetime.now(UTC)
    publish_event(amqp_uri, MatchAccepted(**ids, programme_id=programme_id), tenant, time=now - timedelta(days=3))
    held = SessionScheduled(**ids, session_id=session_id, starts_at=now - timedelta(hours=1),
                            ends_at=now - timedelta(minutes=15), sequence=0)
    envelope = publish_event(amqp_uri, held, tenant)
    publish_event(amqp_uri, held, tenant, event_id=envelope.id)  # redelivered: still one survey each

    requested = events.wait_for("SurveyRequested", lambda e: e.tenantid == tenant, count=2, timeout=20)
    assert {(e.data["person_id"], e.data["moment"], e.data["session_id"]) for e in requested} == {
        (mentor["id"], "after_session", session_id), (mentee["id"], "after_session", session_id)}
    survey_id = next(e.data["survey_id"] for e in requested if e.data["person_id"] == mentee["id"])

    def emailed():
        found = [m for m in smtp.to(mentee["email"]) if m.subject == "A quick question for you"]
        assert len(found) == 1, [m.subject for m in smtp.to(mentee["email"])]
        return found[0]
    mail = eventually(emailed, timeout=60)  # the mail worker is a process of its own: slow to start on a busy machine
    assert f"{PUBLIC_URL}/surveys/{survey_id}" in mail.text()
    assert f'href="{PUBLIC_URL}/surveys/{survey_id}"' in mail.text("text/html")

    mentee_token = api.person_token(created["api_key"], mentee["id"])
    mentor_token = api.person_token(created["api_key"], mentor["id"])
    [mine] = ok(api.get("/v1/surveys", mentee_token))["items"]
    assert mine["id"] == survey_id and mine["status"] == "open"
    ratings = {q["id"]: 4 for q in mine["questions"]}

    bad = api.post("/v1/survey-responses", mentee_token, json={"survey_id": survey_id,
                                                               "ratings": {**ratings, "useful": 7}})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "ratings.useful"
    stranger = api.post("/v1/survey-responses", mentor_token, json={"survey_id": survey_id, "ratings": ratings})
    assert stranger.status_code == 404
    assert api.get(f"/v1/surveys/{survey_id}", mentor_token).status_code == 404
    answered = ok(api.post("/v1/survey-responses", mentee_token, json={
        "survey_id": survey_id, "ratings": ratings, "comment": "Ada explained UCAS really well"}), 201)
    assert answered["ratings"] == ratings
    twice = api.post("/v1/survey-responses", mentee_token, json={"survey_id": survey_id, "ratings": ratings})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "survey_already_answered"

    [submitted] = events.wait_for("SurveySubmitted", lambda e: e.tenantid == tenant, timeout=15)
    assert submitted.data["scores"] == ratings and submitted.data["commented"] is True
    assert "UCAS" not in submitted.model_dump_json()

    window = {"programme_id": programme_id}
    results = ok(api.get("/v1/insights/surveys", staff, params=window))
    rate = next(m for m in results["moments"] if m["moment"] == "after_session")
    assert (rate["requested"], rate["answered"], rate["response_rate"]) == (2, 1, 0.5)
    assert {q["question_id"]: q["mean"] for q in results["questions"]} == dict.fromkeys(ratings, 4.0)
    assert [c["comment"] for c in results["comments"]] == ["Ada explained UCAS really well"]
    assert api.get("/v1/insights/surveys", mentor_token, params=window).status_code == 403
    exported = ok(api.get("/v1/insights/export", staff, params={**window, "table": "survey_scores"}))
    assert {row["question_id"] for row in csv.DictReader(io.StringIO(exported.text))} == set(ratings)

    publish_event(amqp_uri, MatchEnded(**ids, ended_by="coordinator"), tenant)

    def closed():
        late = api.post("/v1/survey-responses", mentor_token, json={
            "survey_id": next(e.data["survey_id"] for e in requested if e.data["person_id"] == mentor["id"]),
            "ratings": ratings})
        assert late.status_code == 409, late.text
        return late.json()["error"]
    error = eventually(closed, timeout=15)
    assert error["code"] == "survey_closed" and error["details"] == {"reason": "match_ended"}
    ended = events.wait_for("SurveyRequested", lambda e: e.data["moment"] == "end", count=2, timeout=20)
    assert {e.data["person_id"] for e in ended} == {mentor["id"], mentee["id"]}
