"""An organisation's topic taxonomy: what a coordinator may save, how it reads back, and how copies follow it."""

import json
from datetime import UTC, datetime

import mongoengine
import mongomock
import pytest

from ementor.platform import topic_entries, topics
from ementor.platform.errors import Invalid
from ementor.platform.principal import Principal
from ementor.platform.topic_entries import Problem, clean, describe
from ementor.platform.topic_taxonomy import TaxonomyStore, document
from services.messaging import schemas, topic_settings

pytestmark = pytest.mark.unit

Copy = document("unit-topics", __name__)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def database():
    for alias in ("unit-topics", "messaging"):
        mongoengine.connect(db=f"unit-{alias}", alias=alias, host="mongodb://localhost",
                            mongo_client_class=mongomock.MongoClient)
    yield
    for alias in ("unit-topics", "messaging"):
        mongoengine.disconnect(alias)
    for doc in (Copy, topic_settings.TopicTaxonomy):
        doc._collection = None
    topic_settings.STORE.forget("org-1")


def refused(entries) -> Problem:
    with pytest.raises(Problem) as caught:
        clean(entries)
    return caught.value


def test_entries_are_trimmed_and_entries_that_change_nothing_left_out():
    assert clean([
        {"id": "work-placements", "label": "  Work   placements ", "keywords": [" Placement Year", "placement year", ""]},
        {"id": "interviews", "label": "Interviews", "keywords": []},  # the default as shipped
        {"id": "gap-year", "removed": True, "label": "ignored"},
        {"id": "wellbeing", "label": "Wellbeing", "keywords": ["Mindfulness"]},
    ]) == [
        {"id": "work-placements", "label": "Work placements", "keywords": ["placement year"]},
        {"id": "gap-year", "removed": True},
        {"id": "wellbeing", "keywords": ["mindfulness"]},
    ]


@pytest.mark.parametrize(("entries", "field", "says"), [
    ([{"id": "Work Placements", "label": "x", "keywords": ["a"]}], "topics.0.id", "lower-case"),
    ([{"id": "work--placements", "label": "x", "keywords": ["a"]}], "topics.0.id", "lower-case"),
    ([{"id": "placements-", "label": "x", "keywords": ["a"]}], "topics.0.id", "lower-case"),
    ([{"id": "", "label": "x", "keywords": ["a"]}], "topics.0.id", "needs an id"),
    ([{"id": "small-talk", "label": "Chat", "keywords": ["a"]}], "topics.0.id", "no topic"),
    ([{"id": "goals", "label": "Targets"}, {"id": "goals", "keywords": ["aim"]}], "topics.1.id", "more than once"),
    ([{"id": "nhs-careers", "label": "  ", "keywords": ["nhs"]}], "topics.0.label", "needs a label"),
    ([{"id": "nhs-careers", "label": "NHS careers"}], "topics.0.keywords", "at least one keyword"),
    ([{"id": "goals", "label": "x" * 61}], "topics.0.label", "60 characters"),
    ([{"id": "goals", "keywords": [f"w{i}" for i in range(26)]}], "topics.0.keywords", "25 keywords"),
    ([{"id": "goals", "keywords": ["fine", "y" * 41]}], "topics.0.keywords.1", "40 characters"),
    ([{"id": "goals", "keywords": ["!!!"]}], "topics.0.keywords.0", "letter or a digit"),
    ([{"id": "nhs-careers", "removed": True}], "topics.0.removed", "not a default"),
    ([{"id": f"own-{i}", "label": f"Own {i}", "keywords": [f"k{i}"]} for i in range(35)], "topics", "at most 50"),
])
def test_each_refusal_names_its_field(entries, field, says):
    problem = refused(entries)
    assert problem.field == field and says in problem.message


def test_removing_defaults_makes_room_for_own_topics():
    removed = [{"id": tid, "removed": True} for tid in list(topics.DEFAULT_TAXONOMY)[:5]]
    own = [{"id": f"own-{i}", "label": f"Own {i}", "keywords": [f"k{i}"]} for i in range(39)]
    assert len(clean(removed + own)) == 44  # 16 - 5 + 39 = 50 in force


def test_a_coordinator_sees_defaults_changed_defaults_own_topics_and_what_was_removed():
    in_force, removed = describe(clean([
        {"id": "interviews", "label": "Interview practice", "keywords": ["panel"]},
        {"id": "nhs-careers", "label": "NHS careers", "keywords": ["nhs"]},
        {"id": "gap-year", "removed": True},
    ]))
    by_id = {t.id: t for t in in_force}
    assert by_id["interviews"].source == "changed" and by_id["interviews"].label == "Interview practice"
    assert by_id["interviews"].keywords == ["panel"] and by_id["interviews"].default_label == "Interviews"
    assert by_id["nhs-careers"].source == "custom" and by_id["nhs-careers"].default_label is None
    assert by_id["wellbeing"].source == "default" and by_id["wellbeing"].keywords == []
    assert "gap-year" not in by_id and [(t.id, t.label) for t in removed] == [("gap-year", "Gap year")]


def test_a_copy_keeps_the_latest_revision_in_any_order_and_tags_with_it():
    store = TaxonomyStore(Copy)
    second = [{"id": "nhs-careers", "label": "NHS careers", "keywords": ["nhs", "nursing degree"]}]
    first = [{"id": "old-topic", "label": "Old topic", "keywords": ["old"]}, {"id": "gap-year", "removed": True}]
    store.learn("org-1", second, 2)
    store.learn("org-1", first, 1)  # late and older: ignored
    assert topics.tag("is a nursing degree at the nhs hard", store.taxonomy("org-1")) == ["nhs-careers"]
    assert "gap-year" in store.taxonomy("org-1").ids()
    assert "nhs-careers" not in topics.tag("is a nursing degree at the nhs hard", store.taxonomy("org-2"))  # the defaults

    store.learn("org-1", [{"id": "interviews", "label": "Interview practice"}], 3)
    labels = store.labels("org-1")
    # Reports over past weeks still name a topic since removed, and relabelled defaults use the new label.
    assert labels["nhs-careers"] == "NHS careers" and labels["interviews"] == "Interview practice"
    assert labels["gap-year"] == "Gap year" and "old-topic" not in labels


def test_saving_through_messaging_records_the_change_for_the_other_services():
    coordinator = Principal(role="coordinator", tenant_id="org-1", staff_id="st-1")
    body = schemas.UpdateTopics(topics=[{"id": "nhs-careers", "label": "NHS careers", "keywords": ["NHS"]},
                                        {"id": "gap-year", "removed": True}])
    first = topic_settings.put(coordinator, body, NOW)
    again = topic_settings.put(coordinator, body, NOW)

    assert first.revision == 1 and again.revision == 2 and again.updated_by == "staff:st-1"
    assert [t.id for t in again.removed] == ["gap-year"]
    assert topic_settings.tag("org-1", "my nhs interview") == ["interviews", "nhs-careers"]
    stored = topic_settings.TopicTaxonomy.raw().find_one({"_id": "org-1", "tenant_id": "org-1"})
    events = [json.loads(p["body"]) for p in stored["outbox"]]
    assert [(e["type"], e["data"]["revision"]) for e in events] == [("TopicTaxonomyChanged", 1),
                                                                      ("TopicTaxonomyChanged", 2)]
    assert events[1]["data"]["topics"][0] == {"id": "nhs-careers", "label": "NHS careers", "keywords": ["nhs"],
                                              "removed": False}


def test_bad_input_is_a_422_naming_the_field_and_saves_nothing():
    coordinator = Principal(role="coordinator", tenant_id="org-1")
    body = schemas.UpdateTopics(topics=[{"id": "Bad Id", "label": "x", "keywords": ["a"]}])
    with pytest.raises(Invalid) as caught:
        topic_settings.put(coordinator, body, NOW)
    assert caught.value.details == [{"field": "topics.0.id", "message": caught.value.message}]
    assert topic_settings.view("org-1").revision == 0
    assert topic_entries.MAX_TOPICS == topic_settings.view("org-1").limits.topics
