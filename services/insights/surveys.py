"""Survey rules: the default template, when a survey is due, whether it may still be answered (results: survey_counts.py).

A programme's template holds a few 1-5 rating questions (each asked at some or all moments) and an
optional comment. A survey is one participant's copy of the questions for one moment of one match:
after a session was held, at the midpoint of the match, at its end. Pure: no database, no broker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

MOMENTS = ("after_session", "midpoint", "end")
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 8
# An end survey waits this long for the match's acceptance to be heard of (events may come late).
END_WAIT_FOR_ACCEPTANCE = timedelta(days=7)

DEFAULT_TEMPLATE: dict = {
    "questions": [
        {"id": "useful", "text": "How useful is your mentoring for you right now?", "moments": list(MOMENTS)},
        {"id": "listened", "text": "How well does your mentor or mentee listen to you?", "moments": list(MOMENTS)},
        {"id": "next_steps", "text": "How sure do you feel about your next steps?", "moments": list(MOMENTS)},
        {"id": "recommend", "text": "Would you tell a friend to try mentoring?", "moments": ["end"]},
    ],
    "comment": {"enabled": True, "prompt": "Anything else you want to tell us? Only the programme team reads this."},
    "moments": {"after_session": True, "midpoint": True, "end": True},
    "midpoint_after_days": 42,
    "answer_window_days": 14,
}


class SurveyClosed(Exception):
    """The survey can no longer be answered; `reason` is what a client can act on."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class BadAnswer(Exception):
    """An answer breaks a rule; `field` names it (e.g. `ratings.useful`)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def questions_for(template: dict, moment: str) -> list[dict]:
    return [{"id": q["id"], "text": q["text"]} for q in template["questions"]
            if moment in (q.get("moments") or MOMENTS)]


def moment_enabled(template: dict, moment: str) -> bool:
    return bool((template.get("moments") or {}).get(moment, False)) and bool(questions_for(template, moment))


def check_template(template: dict) -> list[dict]:
    """What is wrong with a template a coordinator sent, as `{field, message}` (empty: fine)."""
    problems, seen = [], set()
    for i, question in enumerate(template["questions"]):
        if not QUESTION_ID.match(question["id"]):
            problems.append({"field": f"questions.{i}.id", "message": "lower-case letters, digits and _ (start "
                                                                      "with a letter, at most 40)"})
        if question["id"] in seen:
            problems.append({"field": f"questions.{i}.id", "message": f"{question['id']!r} is used twice"})
        seen.add(question["id"])
    return problems


def due_at(moment: str, *, session_ends_at: datetime | None = None, accepted_at: datetime | None = None,
           ended_at: datetime | None = None, midpoint_after_days: int = 42) -> datetime | None:
    """When a survey of this moment falls due (None: not foreseeable yet)."""
    if moment == "after_session":
        return session_ends_at
    if moment == "midpoint":
        return accepted_at + timedelta(days=midpoint_after_days) if accepted_at else None
    return ended_at


@dataclass(frozen=True)
class MatchState:
    status: str  # proposed | active | ended | declined | unknown
    accepted_at: datetime | None
    ended_at: datetime | None


def issue_decision(moment: str, match: MatchState, due: datetime, now: datetime) -> str:
    """At the due moment: `issue`, `wait` (the match is not known well enough yet) or `void`."""
    if match.status == "declined":
        return "void"
    if moment == "end":
        if match.accepted_at is None:
            return "void" if now - due > END_WAIT_FOR_ACCEPTANCE else "wait"
        return "issue"
    if match.status == "ended" or match.ended_at is not None:
        return "void"  # a session or midpoint survey once the match has ended would come too late
    if match.status != "active":
        return "wait"
    return "issue"


def check_open(survey: dict, match: MatchState, now: datetime) -> None:
    """Raise SurveyClosed unless the survey may be answered now."""
    if survey.get("answered_at"):
        raise SurveyClosed("already_answered", "this survey has been answered already")
    closes_at = survey["closes_at"]
    if now >= closes_at:
        raise SurveyClosed("window_passed", f"this survey closed on {closes_at.date().isoformat()}")
    if survey["moment"] != "end" and (match.status == "ended" or match.ended_at is not None):
        raise SurveyClosed("match_ended", "the mentoring match has ended, so this survey is closed")


def check_answers(questions: list[dict], ratings: dict, comment: str | None, comment_enabled: bool) -> dict:
    """The ratings as {question id: 1-5} for exactly the survey's questions; BadAnswer otherwise."""
    asked = [q["id"] for q in questions]
    for name in ratings:
        if name not in asked:
            raise BadAnswer(f"ratings.{name}", f"this survey has no question {name!r}")
    clean = {}
    for name in asked:
        value = ratings.get(name)
        if value is None:
            raise BadAnswer(f"ratings.{name}", "a rating from 1 to 5 is needed")
        if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
            raise BadAnswer(f"ratings.{name}", "must be a whole number from 1 to 5")
        clean[name] = value
    if comment and not comment_enabled:
        raise BadAnswer("comment", "this survey takes no comment")
    if comment and len(comment) > COMMENT_MAX:
        raise BadAnswer("comment", f"at most {COMMENT_MAX} characters")
    return clean
