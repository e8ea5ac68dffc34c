"""Recommendations from interests, open goals and recent conversation topics, on an in-process store:
the projection is idempotent, tenant-scoped and forgotten on erasure; audience and age rules hold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ementor.platform.errors import NotFound
from ementor.platform.principal import Principal
from services.knowledge import advice, schemas
from services.knowledge.documents import utcnow

pytestmark = pytest.mark.unit

ORG, OTHER = "org-a", "org-b"
MENTEE = Principal(role="mentee", tenant_id=ORG, person_id="mentee-1")
MENTOR = Principal(role="mentor", tenant_id=ORG, person_id="mentor-1")
STAFF = Principal(role="coordinator", tenant_id=ORG, staff_id="s1")


@pytest.fixture
def repo(store):
    store.record_person(ORG, "mentee-1", "mentee", True, ["money"], ["en"], None)
    store.record_person(ORG, "mentor-1", "mentor", False, [], ["en"], None)
    store.record_match(ORG, "m1", "mentor-1", "mentee-1", "active")
    return store


def recommended(repo, catalogue, auth, person_id=None, limit=20):
    query = schemas.RecommendedQuery(person_id=person_id, limit=limit)
    return advice.recommended(repo, catalogue, auth, query).items


def kinds(items) -> dict[str, set[str]]:
    return {a.id: {r.kind for r in a.reasons} for a in items}


def test_a_goal_and_recent_talk_bring_their_articles_first_with_reasons(repo, catalogue):
    before = recommended(repo, catalogue, MENTEE, limit=5)
    assert before and all(kinds(before)[a.id] == {"interest"} for a in before)

    repo.record_goal(ORG, "g1", "m1", ["apprenticeships"])
    for n in range(3):
        repo.record_topics(ORG, f"msg-{n}", "m1", "mentor-1", "mentee-1", ["interviews"], utcnow())
    after = recommended(repo, catalogue, MENTEE, limit=5)
    top = after[0]
    assert "apprenticeships" in top.tags and "goal" in kinds(after)[top.id]
    assert any(r.text == "Fits a goal you are working on: Apprenticeships" for r in top.reasons)
    every = recommended(repo, catalogue, MENTEE)
    assert any("interviews" in a.tags and "conversation" in kinds(every)[a.id] for a in every)
    assert any(r.text == "Interviews came up in your conversations lately (3 times)" for a in every for r in a.reasons)


def test_redelivered_events_count_once_and_a_completed_goal_stops_counting(repo, catalogue):
    for _ in range(3):  # the same message delivered three times is one mention
        repo.record_topics(ORG, "msg-1", "m1", "mentee-1", "mentor-1", ["interviews"], utcnow())
    said = {r.text for a in recommended(repo, catalogue, MENTEE) for r in a.reasons}
    assert "Interviews came up in your conversations lately (once)" in said

    repo.complete_goal(ORG, "g1", "m1")  # completion arriving before the goal itself
    repo.record_goal(ORG, "g1", "m1", ["gap-year"])
    assert not any("goal" in k for k in kinds(recommended(repo, catalogue, MENTEE)).values())
    repo.record_goal(ORG, "g2", "m1", ["gap-year"])
    assert any("goal" in k for k in kinds(recommended(repo, catalogue, MENTEE)).values())


def test_old_talk_other_organisations_and_ended_matches_do_not_count(repo, catalogue):
    repo.record_topics(ORG, "old", "m1", "mentee-1", "mentor-1", ["gap-year"], utcnow() - timedelta(days=31))
    repo.record_topics(OTHER, "theirs", "m1", "mentee-1", "mentor-1", ["gap-year"], utcnow())
    repo.record_goal(OTHER, "g9", "m1", ["gap-year"])
    assert not [a for a in recommended(repo, catalogue, MENTEE) if "gap-year" in a.tags]

    repo.record_goal(ORG, "g1", "m1", ["gap-year"])
    repo.record_match(ORG, "m1", "mentor-1", "mentee-1", "ended")
    assert not [a for a in recommended(repo, catalogue, MENTEE) if "gap-year" in a.tags]


def test_audience_and_age_rules_hold_whatever_the_signals(repo, catalogue):
    # The mentor handbook is tagged mentoring-practice/safeguarding/goals, some of it for adults only.
    repo.record_goal(ORG, "g1", "m1", ["goals", "safeguarding"])
    for n in range(3):
        repo.record_topics(ORG, f"msg-{n}", "m1", "mentee-1", "mentor-1", ["goals", "online-safety"], utcnow())
    for who in (MENTEE, STAFF):  # staff asking for the mentee get what the mentee may read
        items = recommended(repo, catalogue, who, person_id="mentee-1")
        articles = {a.id: catalogue.of(repo, ORG).article(a.id) for a in items}
        assert items and all(a.audience != "mentors" and a.min_age < 18 for a in articles.values())
    mentor_items = recommended(repo, catalogue, MENTOR)
    assert any(a.audience == "mentors" for a in mentor_items)  # the mentor's handbook, from the same goal


def test_erasure_forgets_the_persons_goals_and_topics(repo, catalogue):
    repo.record_goal(ORG, "g1", "m1", ["apprenticeships"])
    repo.record_topics(ORG, "msg-1", "m1", "mentee-1", "mentor-1", ["interviews"], utcnow())
    repo.record_topics(OTHER, "msg-2", "m7", "mentee-1", "mentor-7", ["interviews"], utcnow())
    repo.forget_person(ORG, "mentee-1")
    from services.knowledge.documents import GoalView, TopicMention
    assert GoalView.scoped(ORG).count() == 0 and TopicMention.scoped(ORG).count() == 0
    assert TopicMention.scoped(OTHER).count() == 1  # another organisation's person of the same id is not touched
    with pytest.raises(NotFound):
        recommended(repo, catalogue, MENTEE)


def test_reasons_name_a_topic_as_the_organisation_does(repo, catalogue):
    from services.knowledge import topic_taxonomy
    topic_taxonomy.TopicTaxonomy._collection = None  # this test's store
    try:
        topic_taxonomy.STORE.learn(ORG, [{"id": "interviews", "label": "Interview practice"}], 1)
        for n in range(2):
            repo.record_topics(ORG, f"msg-{n}", "m1", "mentor-1", "mentee-1", ["interviews"], utcnow())
        said = {r.text for a in recommended(repo, catalogue, MENTEE) for r in a.reasons}
        assert "Interview practice came up in your conversations lately (2 times)" in said
        assert not any(text.startswith("Interviews came up") for text in said)
    finally:
        topic_taxonomy.STORE.forget(ORG)
        topic_taxonomy.TopicTaxonomy._collection = None
