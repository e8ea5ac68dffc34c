"""Survey rules: who may still answer, what a valid answer is, when a survey is issued, the results."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from services.insights import survey_counts, surveys

NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)
QUESTIONS = surveys.questions_for(surveys.DEFAULT_TEMPLATE, "after_session")
ACTIVE = surveys.MatchState(status="active", accepted_at=NOW - timedelta(days=20), ended_at=None)
ENDED = surveys.MatchState(status="ended", accepted_at=NOW - timedelta(days=20), ended_at=NOW - timedelta(hours=1))


def survey(moment="after_session", **extra):
    return {"moment": moment, "closes_at": NOW + timedelta(days=14), "answered_at": None, **extra}


def test_the_default_template_asks_a_few_short_questions_and_the_end_one_more():
    assert [q["id"] for q in QUESTIONS] == ["useful", "listened", "next_steps"]
    assert [q["id"] for q in surveys.questions_for(surveys.DEFAULT_TEMPLATE, "end")][-1] == "recommend"
    assert all(len(q["text"]) <= 60 for q in surveys.DEFAULT_TEMPLATE["questions"])
    assert surveys.DEFAULT_TEMPLATE["comment"]["enabled"]


def test_an_open_survey_of_an_active_match_may_be_answered():
    surveys.check_open(survey(), ACTIVE, NOW)


@pytest.mark.parametrize(("case", "state", "reason"), [
    (survey(answered_at=NOW), ACTIVE, "already_answered"),
    (survey(closes_at=NOW - timedelta(seconds=1)), ACTIVE, "window_passed"),
    (survey("after_session"), ENDED, "match_ended"),
    (survey("midpoint"), ENDED, "match_ended"),
])
def test_a_survey_that_is_answered_or_closed_is_refused_with_a_reason(case, state, reason):
    with pytest.raises(surveys.SurveyClosed) as caught:
        surveys.check_open(case, state, NOW)
    assert caught.value.reason == reason


def test_the_end_survey_stays_open_after_the_match_ended():
    surveys.check_open(survey("end"), ENDED, NOW)


def test_a_full_answer_is_kept_as_ratings_per_question():
    assert surveys.check_answers(QUESTIONS, {"useful": 4, "listened": 5, "next_steps": 1}, "thanks", True) == {
        "useful": 4, "listened": 5, "next_steps": 1}


@pytest.mark.parametrize(("ratings", "comment", "field"), [
    ({"useful": 6, "listened": 5, "next_steps": 1}, None, "ratings.useful"),
    ({"useful": 0, "listened": 5, "next_steps": 1}, None, "ratings.useful"),
    ({"useful": 3, "next_steps": 1}, None, "ratings.listened"),
    ({"useful": 3, "listened": 5, "next_steps": 1, "mood": 2}, None, "ratings.mood"),
    ({"useful": 3, "listened": True, "next_steps": 1}, None, "ratings.listened"),
    ({"useful": 3, "listened": 5, "next_steps": 1}, "x" * 2001, "comment"),
])
def test_a_bad_answer_names_its_field(ratings, comment, field):
    with pytest.raises(surveys.BadAnswer) as caught:
        surveys.check_answers(QUESTIONS, ratings, comment, True)
    assert caught.value.field == field


def test_a_comment_where_the_programme_takes_none_is_refused():
    with pytest.raises(surveys.BadAnswer):
        surveys.check_answers(QUESTIONS, {"useful": 3, "listened": 5, "next_steps": 1}, "hi", False)


@pytest.mark.parametrize(("moment", "state", "decision"), [
    ("after_session", ACTIVE, "issue"),
    ("after_session", ENDED, "void"),
    ("midpoint", ENDED, "void"),
    ("end", ENDED, "issue"),
    ("after_session", surveys.MatchState("unknown", None, None), "wait"),
    ("after_session", surveys.MatchState("declined", None, None), "void"),
    ("end", surveys.MatchState("ended", None, NOW), "wait"),
])
def test_when_a_due_survey_is_issued(moment, state, decision):
    assert surveys.issue_decision(moment, state, NOW - timedelta(minutes=1), NOW) == decision


def test_an_end_survey_of_a_match_never_heard_accepted_is_dropped_after_a_week():
    unknown = surveys.MatchState("ended", None, NOW)
    assert surveys.issue_decision("end", unknown, NOW - timedelta(days=8), NOW) == "void"


def test_results_give_rates_per_moment_and_means_and_distributions_from_the_counters():
    def survey(moment, ratings=None, programme="p1"):
        return {"moment": moment, "programme": programme, "issued_at": NOW.isoformat(),
                **({"ratings": ratings} if ratings else {})}
    states = [survey("after_session", {"useful": 4, "listened": 5}),
              survey("after_session", {"useful": 2, "listened": 5}),
              survey("after_session"), survey("midpoint"),
              {"moment": "end", "programme": "p1", "ratings": {"useful": 1}}]  # answered, its issue not yet counted
    summed = Counter()
    for state in states:
        for name, amount in survey_counts.contributions(state).items():
            scope, _, counter = name.split("|", 2)
            if scope == "p:p1":
                summed[counter] += amount
    report = survey_counts.results(summed, {"useful": "How useful is your mentoring for you right now?"})
    rates = {m["moment"]: m for m in report["moments"]}
    assert rates["after_session"]["response_rate"] == round(2 / 3, 3)
    assert rates["midpoint"]["response_rate"] == 0 and rates["end"]["response_rate"] is None
    useful = next(q for q in report["questions"] if q["question_id"] == "useful")
    assert useful["mean"] == 3.0 and useful["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert useful["text"].startswith("How useful") and useful["moment"] == "after_session"
    listened = next(q for q in report["questions"] if q["question_id"] == "listened")
    assert (listened["text"], listened["responses"], listened["mean"]) == ("listened", 2, 5.0)  # no wording: its id


def test_a_template_with_a_badly_named_or_repeated_question_is_refused():
    template = {"questions": [{"id": "Useful!", "text": "x"}, {"id": "a", "text": "y"}, {"id": "a", "text": "z"}]}
    fields = [p["field"] for p in surveys.check_template(template)]
    assert fields == ["questions.0.id", "questions.2.id"]
