"""The topic tagger: labels from the taxonomy, small-talk alone, an organisation's own topics."""

import pytest

from ementor.platform import topics

pytestmark = pytest.mark.unit


def test_a_message_takes_every_topic_it_is_about():
    assert topics.tag("got an interview for the bae apprenticeship next week!!") == ["apprenticeships", "interviews"]
    assert topics.tag("can u read my personal statement draft") == ["personal-statements"]


def test_greetings_and_arrangements_are_small_talk_and_only_that():
    assert topics.tag("hiya hope u had a good weekend") == ["small-talk"]
    assert topics.tag("ok") == ["small-talk"]
    assert "small-talk" not in topics.tag("thanks! my cv is nearly done")


def test_an_organisation_adds_renames_and_removes_topics():
    taxonomy = topics.taxonomy_from([
        {"id": "nhs-careers", "label": "NHS careers", "keywords": ["nhs", "nursing degree"]},
        {"id": "gap-year", "removed": True},
        {"id": "interviews", "label": "Interview practice"},
    ])
    assert "nhs-careers" in taxonomy.ids() and "gap-year" not in taxonomy.ids()
    assert topics.tag("is a nursing degree at the nhs hard", taxonomy) == ["nhs-careers"]
    assert topics.tag("thinking about a gap year", taxonomy) == []
    assert [t.label for t in taxonomy.topics if t.id == "interviews"] == ["Interview practice"]


def test_the_tagger_never_returns_text():
    labels = topics.tag("my number is 07700 900123 call me about my cv")
    assert set(labels) <= set(topics.default_taxonomy().ids())
