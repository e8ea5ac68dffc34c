"""Surveys against the MongoDB fixture: due moments from events (in any order, replayed), issuing, answering."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import (
    MatchAccepted,
    MatchEnded,
    MatchProposed,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
    SurveySubmitted,
)

from ementor.platform import mongo
from ementor.platform.errors import Conflict, Invalid, NotFound
from ementor.platform.outbox import Pending
from ementor.platform.principal import Principal
from services.insights import intake, survey_handlers, survey_projection
from services.insights.documents import DOCUMENTS, Survey
from services.insights.repository import InsightsRepository

pytestmark = pytest.mark.integration

TENANT, OTHER_TENANT = "t1", "t2"
PROGRAMME, MATCH = "6650000000000000000000aa", "6650000000000000000000c1"
MENTOR, MENTEE = "6650000000000000000000b1", "6650000000000000000000b2"
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
GOOD = {"useful": 4, "listened": 5, "next_steps": 3}


@pytest.fixture
def repo(mongodb):
    mongo.open_database("insights", mongodb, DOCUMENTS)
    return InsightsRepository()


def person(person_id: str, tenant: str = TENANT) -> Principal:
    return Principal(role="mentee" if person_id == MENTEE else "mentor", tenant_id=tenant, person_id=person_id)


COORDINATOR = Principal(role="coordinator", tenant_id=TENANT, staff_id="s1")


def session(n: int, day: int, kind=SessionScheduled, seq: int = 0, **extra):
    starts = T0 + timedelta(days=day)
    return kind(session_id=f"ses{n}", match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE, starts_at=starts,
                ends_at=starts + timedelta(minutes=45), sequence=seq, **extra)


def match_events(ended_day: int | None = None):
    ids = {"match_id": MATCH, "mentor_id": MENTOR, "mentee_id": MENTEE}
    events = [(MatchProposed(**ids, programme_id=PROGRAMME, proposed_by="coordinator", score=0.8), T0),
              (MatchAccepted(**ids, programme_id=PROGRAMME), T0 + timedelta(hours=1))]
    if ended_day is not None:
        events.append((MatchEnded(**ids, ended_by="coordinator"), T0 + timedelta(days=ended_day)))
    return events


def sessions():
    """Session 1 held; session 2 moved (seq 1) then held; session 3 cancelled."""
    return [(session(1, 3), T0), (session(2, 5), T0), (session(2, 6, SessionRescheduled, 1,
                                                               previous_starts_at=T0 + timedelta(days=5)), T0),
            (session(3, 8), T0), (session(3, 8, SessionCancelled, 1, cancelled_by=MENTOR), T0)]


def feed(repo, events):
    for event, at in events:
        intake.apply(repo, TENANT, event, at, at)


def issued(repo) -> list[tuple]:
    return sorted((s["moment"], s.get("session_id"), s["person_id"], s["closes_at"])
                  for s in Survey.raw().find({"tenant_id": TENANT}))


def test_a_held_session_asks_both_people_and_a_cancelled_one_nobody(repo):
    feed(repo, match_events() + sessions())
    assert survey_projection.issue_due(repo, T0 + timedelta(days=5)) == 2  # session 1 is over; 2 was moved
    assert {(m, s) for m, s, _, _ in issued(repo)} == {("after_session", "ses1")}
    survey_projection.issue_due(repo, T0 + timedelta(days=10))
    assert {(m, s) for m, s, _, _ in issued(repo)} == {("after_session", "ses1"), ("after_session", "ses2")}
    mine = survey_handlers.my_surveys(repo, person(MENTEE), T0 + timedelta(days=10))
    assert len(mine) == 2 and [q["id"] for q in mine[0]["questions"]] == ["useful", "listened", "next_steps"]
    [pending] = Survey.raw().find_one({"tenant_id": TENANT, "person_id": MENTEE, "session_id": "ses1"})["outbox"]
    assert pending["type"] == "SurveyRequested"
    data = json.loads(pending["body"])["data"]
    assert data["moment"] == "after_session" and data["programme_id"] == PROGRAMME
    assert "questions" not in data and "text" not in pending["body"]


def test_replayed_and_shuffled_events_issue_the_same_surveys(repo):
    def run(events):
        feed(repo, events)
        for day in (10, 50):  # the sessions are over by day 10; the midpoint (day 42) by day 50
            survey_projection.issue_due(repo, T0 + timedelta(days=day))
            survey_projection.issue_due(repo, T0 + timedelta(days=day))  # a second run (another replica): nothing
        feed(repo, match_events(ended_day=60)[2:] * 2)
        survey_projection.issue_due(repo, T0 + timedelta(days=70))
        return issued(repo)

    expected = run(match_events() + sessions())
    assert sorted({(m, s) for m, s, _, _ in expected}, key=str) == sorted(
        {("after_session", "ses1"), ("after_session", "ses2"), ("end", None), ("midpoint", None)}, key=str)
    assert len(expected) == 8  # each moment asks both people once
    for seed in range(3):
        for document in DOCUMENTS:
            document.drop_collection()  # start again, as a fresh database would
        shuffled = (match_events() + sessions()) * 2
        random.Random(seed).shuffle(shuffled)
        assert run(shuffled) == expected, seed


def test_a_session_survey_is_not_issued_once_the_match_has_ended(repo):
    feed(repo, match_events() + sessions())
    survey_projection.issue_due(repo, T0 + timedelta(days=3, hours=2))  # session 1 is over
    feed(repo, match_events(ended_day=4)[2:])
    survey_projection.issue_due(repo, T0 + timedelta(days=50))  # session 2 (day 6) came after the end
    assert {(m, s) for m, s, _, _ in issued(repo)} == {("after_session", "ses1"), ("end", None)}


def answered_setup(repo):
    feed(repo, match_events() + sessions()[:1])
    survey_projection.issue_due(repo, T0 + timedelta(days=4))
    [mine] = survey_handlers.my_surveys(repo, person(MENTEE), T0 + timedelta(days=4))
    return mine["id"]


def test_answering_twice_is_a_conflict_and_the_event_has_scores_not_the_comment(repo):
    survey_id = answered_setup(repo)
    now = T0 + timedelta(days=4, hours=1)
    answer, pending = survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, "My mentor is brilliant", now)
    assert answer["ratings"] == GOOD
    assert pending.type == "SurveySubmitted" and "brilliant" not in pending.body
    assert json.loads(pending.body)["data"]["scores"] == GOOD
    with pytest.raises(Conflict) as twice:
        survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, None, now)
    assert twice.value.code == "survey_already_answered"
    assert survey_handlers.my_surveys(repo, person(MENTEE), now) == []


def test_someone_elses_survey_is_not_found(repo):
    survey_id = answered_setup(repo)
    now = T0 + timedelta(days=4, hours=1)
    for stranger in (person(MENTOR), Principal(role="mentee", tenant_id=TENANT, person_id="someone-else"),
                     person(MENTEE, OTHER_TENANT)):
        with pytest.raises(NotFound):
            survey_handlers.answer(repo, stranger, survey_id, GOOD, None, now)
        with pytest.raises(NotFound):
            survey_handlers.get_survey(repo, stranger, survey_id, now)


def test_a_closed_survey_is_a_conflict_a_client_can_act_on(repo):
    survey_id = answered_setup(repo)
    with pytest.raises(Conflict) as late:
        survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, None, T0 + timedelta(days=30))
    assert late.value.code == "survey_closed" and late.value.details == {"reason": "window_passed"}
    feed(repo, match_events(ended_day=5))
    with pytest.raises(Conflict) as ended:
        survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, None, T0 + timedelta(days=6))
    assert ended.value.details == {"reason": "match_ended"}
    assert survey_handlers.get_survey(repo, person(MENTEE), survey_id, T0 + timedelta(days=6))["status"] == "closed"


def test_a_bad_rating_is_refused_naming_the_field(repo):
    survey_id = answered_setup(repo)
    with pytest.raises(Invalid) as bad:
        survey_handlers.answer(repo, person(MENTEE), survey_id, {**GOOD, "useful": 9}, None, T0 + timedelta(days=4))
    assert bad.value.details[0]["field"] == "ratings.useful"
    assert survey_handlers.my_surveys(repo, person(MENTEE), T0 + timedelta(days=4))  # still open


def test_results_and_exports_show_rates_scores_and_comments_to_staff(repo):
    survey_id = answered_setup(repo)
    survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, "More sessions please", T0 + timedelta(days=4))
    report = survey_handlers.results(repo, COORDINATOR, PROGRAMME, T0.date(), (T0 + timedelta(days=10)).date())
    rates = {m["moment"]: m for m in report["moments"]}
    assert rates["after_session"] == {"moment": "after_session", "requested": 2, "answered": 1,
                                      "response_rate": 0.5}
    assert [c["comment"] for c in report["comments"]] == ["More sessions please"]
    from services.insights import handlers
    scores = handlers.export_rows(repo, COORDINATOR, "survey_scores", PROGRAMME, T0.date(),
                                  (T0 + timedelta(days=10)).date())
    assert {r["question_id"]: r["mean"] for r in scores} == {"useful": 4.0, "listened": 5.0, "next_steps": 3.0}
    assert "More sessions please" in handlers.to_csv(handlers.export_rows(
        repo, COORDINATOR, "survey_comments", PROGRAMME, T0.date(), (T0 + timedelta(days=10)).date()))
    outside = survey_handlers.results(repo, COORDINATOR, PROGRAMME, (T0 + timedelta(days=20)).date(),
                                      (T0 + timedelta(days=30)).date())
    assert outside["comments"] == [] and outside["moments"][0]["requested"] == 0
    with pytest.raises(NotFound):
        survey_handlers.results(repo, Principal(role="coordinator", tenant_id=OTHER_TENANT), PROGRAMME, None, None)


def test_an_answer_is_counted_once_even_when_its_request_stopped_before_counting_it(repo):
    survey_id = answered_setup(repo)
    survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, None, T0 + timedelta(days=4))
    [lost] = [s for s in Survey.raw().find({"tenant_id": TENANT}) if s["survey_id"] != survey_id]
    # The mentor's answer is stored but the process stops before counting it: its SurveySubmitted counts it.
    repo.answer_survey(TENANT, lost["survey_id"], {**GOOD, "useful": 2}, None, T0 + timedelta(days=4),
                       Pending.of(SurveySubmitted(survey_id=lost["survey_id"], match_id=MATCH, person_id=MENTOR,
                                                  role="mentor", programme_id=PROGRAMME, moment=lost["moment"],
                                                  scores={**GOOD, "useful": 2}, commented=False), TENANT))
    week = (T0.date(), (T0 + timedelta(days=6)).date())
    assert survey_handlers.results(repo, COORDINATOR, PROGRAMME, *week)["moments"][0]["answered"] == 1
    for published in Survey.raw().find({"tenant_id": TENANT}):  # every SurveySubmitted, delivered twice
        for entry in published["outbox"] * 2:
            if entry["type"].endswith("SurveySubmitted"):
                event = SurveySubmitted.model_validate(json.loads(entry["body"])["data"])
                intake.apply(repo, TENANT, event, T0 + timedelta(days=4))
    report = survey_handlers.results(repo, COORDINATOR, PROGRAMME, *week)
    assert report["moments"][0]["answered"] == 2
    assert {q["question_id"]: q["mean"] for q in report["questions"]} == {"useful": 3.0, "listened": 5.0,
                                                                        "next_steps": 3.0}


def profile(person_id: str, locale: str | None, kind=ProfileCreated, **extra):
    return kind(person_id=person_id, role="mentee" if person_id == MENTEE else "mentor", programme_id=PROGRAMME,
                timezone="Europe/Madrid", languages=["es"], interests=["robotics"], capacity=0, is_minor=False,
                vetted=False, channels={"email": True, "sms": False}, locale=locale, **extra)


def test_each_participant_reads_the_default_questions_in_their_profiles_language_and_staff_get_one_row(repo):
    # The mentee chose Spanish after registering; the older ProfileCreated (no locale) arrives last.
    feed(repo, [(profile(MENTEE, "es", ProfileUpdated, changed=["locale"]), T0 + timedelta(minutes=5)),
                (profile(MENTOR, None), T0), (profile(MENTEE, None), T0)] + match_events() + sessions()[:1])
    survey_projection.issue_due(repo, T0 + timedelta(days=4))
    now = T0 + timedelta(days=4)
    [spanish] = survey_handlers.my_surveys(repo, person(MENTEE), now)
    [english] = survey_handlers.my_surveys(repo, person(MENTOR), now)
    assert spanish["questions"][0] == {"id": "useful",
                                       "text": "¿Hasta qué punto te resulta útil la mentoría ahora mismo?"}
    assert spanish["comment_prompt"].startswith("¿Quieres contarnos algo más?")
    assert spanish["scale"]["min_label"] == "Nada"
    assert english["questions"][0]["text"] == "How useful is your mentoring for you right now?"
    assert english["scale"]["min_label"] == "Not at all"
    for who, survey in ((MENTEE, spanish), (MENTOR, english)):
        survey_handlers.answer(repo, person(who), survey["id"], GOOD, None, now)
    report = survey_handlers.results(repo, COORDINATOR, PROGRAMME, T0.date(), (T0 + timedelta(days=10)).date())
    useful = [q for q in report["questions"] if q["question_id"] == "useful"]
    assert useful == [{**useful[0], "text": "How useful is your mentoring for you right now?", "default": True,
                       "responses": 2}]


def test_an_organisations_own_question_is_asked_as_written_to_a_spanish_participant(repo):
    feed(repo, [(profile(MENTEE, "es"), T0)] + match_events())
    template = {**survey_handlers.get_template(repo, COORDINATOR, PROGRAMME)}
    del template["is_default"], template["programme_id"]
    template["questions"] = [{"id": "robots", "text": "How much did you enjoy robotics club?",
                              "moments": ["after_session"]}, *template["questions"][:1]]
    survey_handlers.put_template(repo, COORDINATOR, PROGRAMME, template, T0)
    feed(repo, sessions()[:1])
    survey_projection.issue_due(repo, T0 + timedelta(days=4))
    [mine] = survey_handlers.my_surveys(repo, person(MENTEE), T0 + timedelta(days=4))
    assert [q["text"] for q in mine["questions"]] == [
        "How much did you enjoy robotics club?", "¿Hasta qué punto te resulta útil la mentoría ahora mismo?"]
    # A later change of language does not rewrite a survey already issued.
    feed(repo, [(profile(MENTEE, "en", ProfileUpdated, changed=["locale"]), T0 + timedelta(days=4))])
    assert survey_handlers.get_survey(repo, person(MENTEE), mine["id"], T0 + timedelta(days=4))["questions"] == \
        mine["questions"]


def test_a_programme_template_changes_the_questions_of_later_surveys(repo):
    feed(repo, match_events())
    template = {**survey_handlers.get_template(repo, COORDINATOR, PROGRAMME)}
    assert template.pop("is_default") is True and template.pop("programme_id") == PROGRAMME
    template["questions"] = [{"id": "fun", "text": "Was it fun?", "moments": ["after_session"]}]
    template["comment"] = {"enabled": False, "prompt": "n/a"}
    survey_handlers.put_template(repo, COORDINATOR, PROGRAMME, template, T0)
    feed(repo, sessions()[:1])
    survey_projection.issue_due(repo, T0 + timedelta(days=4))
    [mine] = survey_handlers.my_surveys(repo, person(MENTOR), T0 + timedelta(days=4))
    assert [q["id"] for q in mine["questions"]] == ["fun"] and mine["comment_enabled"] is False
    with pytest.raises(Invalid):
        survey_handlers.put_template(repo, COORDINATOR, PROGRAMME, {**template, "questions": [
            {"id": "A b", "text": "bad id"}]}, T0)
    with pytest.raises(NotFound):
        survey_handlers.get_template(repo, Principal(role="coordinator", tenant_id=OTHER_TENANT), PROGRAMME)


def test_erasure_removes_open_surveys_and_the_comment_but_keeps_anonymous_ratings(repo):
    survey_id = answered_setup(repo)
    survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, "a comment", T0 + timedelta(days=4))
    feed(repo, [(PersonErased(person_id=MENTEE, role="mentee"), T0 + timedelta(days=5)),
                (PersonErased(person_id=MENTOR, role="mentor"), T0 + timedelta(days=5))])
    left = list(Survey.raw().find({"tenant_id": TENANT}))
    assert [(s["person_id"], s["comment"], s["ratings"]) for s in left] == [(None, None, GOOD)]


def test_a_persons_data_export_has_their_surveys_answers_and_comment(repo):
    from services.insights import subject_access

    survey_id = answered_setup(repo)
    survey_handlers.answer(repo, person(MENTEE), survey_id, GOOD, "my own words", T0 + timedelta(days=4))
    exported = subject_access.export_person(TENANT, MENTEE)
    [mine] = exported["data"]["surveys"]
    assert mine["ratings"] == GOOD and mine["comment"] == "my own words"
    assert "my own words" not in str(subject_access.export_person(TENANT, MENTOR))
