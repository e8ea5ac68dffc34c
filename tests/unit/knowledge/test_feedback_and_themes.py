"""'Was this helpful?' counters and the themes of unanswered questions, on an in-process store."""

from __future__ import annotations

import json

import pytest

from ementor.platform.errors import NotFound
from ementor.platform.principal import Principal
from services.knowledge import advice, handlers, schemas
from services.knowledge.documents import FeedbackAnswer, Reading

pytestmark = pytest.mark.unit

MENTEE = Principal(role="mentee", tenant_id="org-a", person_id="p1")
MENTOR = Principal(role="mentor", tenant_id="org-a", person_id="p2")
STAFF = Principal(role="coordinator", tenant_id="org-a", staff_id="s1")
OTHER_STAFF = Principal(role="coordinator", tenant_id="org-b", staff_id="s2")


@pytest.fixture
def repo(store):
    return store


def _published(document, event_type: str) -> list[dict]:
    """The events of a type waiting in a knowledge collection's outboxes, as their CloudEvent bodies."""
    return [json.loads(p["body"]) for doc in document.raw().across_tenants().find({})
            for p in doc.get("outbox", []) if p["type"].endswith(event_type)]


def test_the_first_read_and_each_change_of_answer_go_to_insights_with_the_readers_programme(repo, catalogue):
    repo.record_person("org-a", "p1", "mentee", True, [], ["en"], "year-10")
    for _ in range(3):  # the same reader opening the same article again is not another reader
        handlers.get_article(repo, catalogue, MENTEE, "budgeting")
    handlers.get_article(repo, catalogue, MENTOR, "budgeting")  # profiles has not told knowledge of p2 yet
    handlers.get_article(repo, catalogue, STAFF, "budgeting")  # staff reading is not counted
    reads = sorted((e["data"]["reader_id"], e["data"]["reader_role"], e["data"].get("programme_id"), e["data"]["title"])
                   for e in _published(Reading, "ArticleRead"))
    title = handlers.get_article(repo, catalogue, STAFF, "budgeting").title
    assert reads == [("p1", "mentee", "year-10", title), ("p2", "mentor", None, title)]

    for helpful in (True, True, False, True):
        handlers.record_feedback(repo, catalogue, MENTEE, "budgeting", schemas.Helpful(helpful=helpful))
    rated = [(e["data"]["answer_seq"], e["data"]["helpful"], e["data"]["programme_id"])
             for e in _published(FeedbackAnswer, "ArticleRated")]
    assert rated == [(1, True, "year-10"), (2, False, "year-10"), (3, True, "year-10")]  # a repeated yes is no change


def test_a_change_of_mind_moves_the_count_and_erasure_forgets_the_answer_not_the_total(repo, catalogue):
    def counts():
        return handlers.get_article(repo, catalogue, STAFF, "budgeting").feedback

    handlers.record_feedback(repo, catalogue, MENTEE, "budgeting", schemas.Helpful(helpful=True))
    changed = handlers.record_feedback(repo, catalogue, MENTEE, "budgeting", schemas.Helpful(helpful=False))
    assert (changed.previous, changed.helpful) == (True, False)
    assert counts() == schemas.FeedbackCounts(helpful=0, not_helpful=1)
    handlers.record_feedback(repo, catalogue, MENTEE, "budgeting", schemas.Helpful(helpful=True))
    handlers.record_feedback(repo, catalogue, MENTOR, "budgeting", schemas.Helpful(helpful=False))
    assert counts() == schemas.FeedbackCounts(helpful=1, not_helpful=1)
    assert handlers.get_article(repo, catalogue, MENTEE, "budgeting").your_feedback is True

    repo.forget_person("org-a", "p1")
    repo.record_person("org-a", "p1", "mentee", True, [], ["en"], None)  # the same id seen again: no answer of theirs
    assert handlers.get_article(repo, catalogue, MENTEE, "budgeting").your_feedback is None
    assert counts() == schemas.FeedbackCounts(helpful=1, not_helpful=1)  # anonymous totals stay


def test_feedback_on_an_article_the_reader_may_not_read_is_a_404(repo, catalogue):
    with pytest.raises(NotFound):
        handlers.record_feedback(repo, catalogue, MENTEE, "safeguarding-duties", schemas.Helpful(helpful=True))
    with pytest.raises(NotFound):
        handlers.record_feedback(repo, catalogue, MENTEE, "no-such-article", schemas.Helpful(helpful=False))
    assert repo.feedback("org-a") == {}


def test_stats_name_what_several_unanswered_questions_share_and_never_one_question(repo, catalogue):
    for question in ("what is it like to be an astronaut", "how do astronauts train",
                     "could I become an astronaut with bad eyesight", "do volcanoes erupt at night",
                     "how do I write a personal statement"):
        advice.ask(repo, catalogue, MENTEE, question)

    stats = advice.stats(repo, STAFF, 30)
    assert stats.questions == 5 and stats.answered == 1
    assert [(t.word, t.questions) for t in stats.unanswered_themes] == [("astronaut", 3)]
    assert "volcanoes" not in {t.word for t in stats.unanswered_themes}  # asked once: stays private
    assert advice.stats(repo, OTHER_STAFF, 30).unanswered_themes == []


def test_themes_count_each_question_once_and_keep_languages_apart():
    rows = [{"text": "scholarship scholarship scholarship", "language": "en"},
            {"text": "scholarships for art", "language": "en"},
            {"text": "becas para estudiar", "language": "es"},
            {"text": "becas de arte", "language": "es"},
            {"text": "beca universitaria", "language": "es"}]
    themes = advice.unanswered_themes(rows)
    assert [(t.word, t.questions) for t in themes] == [("becas", 3)]


def test_an_organisations_article_keeps_its_review_date_through_draft_edit_and_publish(repo, catalogue):
    fields = schemas.ArticleFields(title="Our work experience week", body="## When\nIn June.", review_by="2027-06-30",
                                   tags=["work-experience"])
    article = handlers.create_article(repo, STAFF, fields)
    assert handlers.get_article(repo, catalogue, STAFF, article.id).review_by.isoformat() == "2027-06-30"
    patched = handlers.patch_article(repo, catalogue, STAFF, article.id, schemas.PatchArticle(review_by="2028-01-31"))
    assert patched.draft.review_by.isoformat() == "2028-01-31"
    published = handlers.publish_article(repo, catalogue, STAFF, article.id)
    assert published.status == "published" and published.review_by.isoformat() == "2028-01-31"
    assert handlers.get_article(repo, catalogue, MENTEE, article.id).review_by.isoformat() == "2028-01-31"
