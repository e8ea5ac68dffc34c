"""A question is kept for the statistics and no longer: once the longest statistics window (365 days)
has passed, the store's TTL index deletes it, text and all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ementor.platform import standin
from ementor.platform.principal import Principal
from services.knowledge import advice
from services.knowledge.documents import QUESTION_KEPT_DAYS, Question, utcnow

pytestmark = pytest.mark.unit

MENTEE = Principal(role="mentee", tenant_id="org-a", person_id="p1")
STAFF = Principal(role="coordinator", tenant_id="org-a", staff_id="s1")
ASTRONAUT = ("How do I become an astronaut?", "Can an astronaut have a family?", "What do astronaut trainees study?")


def asked_days_ago(days: float, text: str) -> None:
    Question.scoped("org-a", text=text).update(set__asked_at=utcnow() - timedelta(days=days))


def test_a_question_older_than_the_longest_statistics_window_is_deleted(store, catalogue, monkeypatch):
    monkeypatch.setattr(standin, "TTL_MONITOR_SECONDS", 0.0)  # MongoDB's monitor wakes every minute
    for question in ASTRONAUT:
        advice.ask(store, catalogue, MENTEE, question)
    asked_days_ago(364, ASTRONAUT[0])
    asked_days_ago(QUESTION_KEPT_DAYS + 1, ASTRONAUT[1])

    stats = advice.stats(store, STAFF, 365)

    assert stats.questions == 2  # the year-old one still counts; the older one is gone
    assert sorted(q.text for q in Question.scoped("org-a")) == sorted([ASTRONAUT[0], ASTRONAUT[2]])
    assert stats.unanswered_themes == []  # two questions left: too few to show what they share


def test_the_statistics_cannot_ask_for_a_window_longer_than_questions_are_kept():
    from pydantic import ValidationError

    from services.knowledge.schemas import StatsQuery

    assert StatsQuery(days=QUESTION_KEPT_DAYS - 1).days == 365
    with pytest.raises(ValidationError, match="less than or equal to 365"):
        StatsQuery(days=QUESTION_KEPT_DAYS)
