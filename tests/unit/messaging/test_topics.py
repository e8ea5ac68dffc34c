"""The topic tagger: labels from the taxonomy, small-talk alone, an organisation's own topics."""

import json
from pathlib import Path

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


def topics_one_by_one(text: str, taxonomy: topics.Taxonomy) -> set[str]:
    """Each topic's cues searched on their own: what the one-pass finder must agree with."""
    searched = topics.searchable(text)
    return {t.id for t in taxonomy.topics if t.cues and topics._compiled(t.cues).search(searched)}


def test_one_pass_finds_the_topics_each_topic_finds_on_its_own():
    data = Path(__file__).parents[3] / "bench" / "data" / "topics"
    texts = [json.loads(line)["text"] for name in ("tune.jsonl", "heldout.jsonl")
             for line in (data / name).read_text().splitlines() if line]
    custom = topics.taxonomy_from([{"id": "nhs-careers", "label": "NHS careers", "keywords": ["nhs", "open day"]},
                                   {"id": "gap-year", "removed": True}])
    for taxonomy in (topics.default_taxonomy(), custom):
        disagree = [text for text in texts
                    if taxonomy.found_in(topics.searchable(text)) != topics_one_by_one(text, taxonomy)]
        assert disagree == []
    # Overlapping cues of two topics at one place are both found ("open day": two topics above).
    assert topics.tag("is the open day worth it", custom) == ["nhs-careers", "university-applications"]
    assert sum(bool(topics_one_by_one(text, custom)) for text in texts) > 300
