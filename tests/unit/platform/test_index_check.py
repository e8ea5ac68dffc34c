"""The index check's rule: which query shapes an index serves (equality, sort, range)."""

import pytest

from tests.support.indexes import NARROWED, SCAN, SERVED, Index, served, unserved
from tests.support.store_ops import Query, shape

pytestmark = pytest.mark.unit

BY_MATCH = Index((("tenant_id", 1), ("match_id", 1), ("_id", -1)))
KEY = Index((("tenant_id", 1), ("consumer", 1), ("event_id", 1)), unique=True)


def test_shape_tells_equality_range_and_other_apart():
    assert shape({"tenant_id": "t", "state": {"$in": ["a"]}, "until": {"$lt": 1}, "gone": {"$exists": False},
                  "status": {"$ne": "x"}, "outbox": {"$elemMatch": {"event_id": "e"}}}) == (
        ("gone", "eq"), ("outbox.event_id", "eq"), ("state", "eq"), ("status", "other"), ("tenant_id", "eq"),
        ("until", "range"))
    assert shape({"$and": [{"tenant_id": "t"}, {"a": {"$gte": 1}}]}) == (("a", "range"), ("tenant_id", "eq"))


def test_equality_then_sort_then_range_is_served_in_either_direction():
    query = shape({"tenant_id": "t", "match_id": "m", "_id": {"$lt": "x"}})
    assert served([BY_MATCH], query, (("_id", -1),)) == SERVED
    assert served([BY_MATCH], query, (("_id", 1),)) == SERVED
    assert served([BY_MATCH], shape({"tenant_id": "t"}), ()) == SERVED


def test_a_query_bounded_only_by_its_tenant_scans_and_one_bounded_further_is_narrowed():
    assert served([BY_MATCH], shape({"tenant_id": "t", "match_id": "m", "status": "held"})) == NARROWED
    assert served([BY_MATCH], shape({"tenant_id": "t", "match_id": "m"}), (("created_at", 1),)) == NARROWED
    assert served([BY_MATCH], shape({"tenant_id": "t", "status": "held"}), (("_id", 1),)) == SCAN
    assert served([BY_MATCH], shape({"tenant_id": "t"}), (("created_at", 1),)) == SCAN
    assert served([BY_MATCH], shape({"state": "due"})) == SCAN


def test_a_unique_index_pinned_whole_serves_any_residual_and_id_always_serves():
    assert served([KEY], shape({"tenant_id": "t", "consumer": "c", "event_id": "e", "state": "processing",
                                "until": {"$lt": 1}})) == SERVED
    assert served([], shape({"_id": "x", "tenant_id": "t", "anything": 1})) == SERVED


def test_an_or_alone_needs_every_branch_served():
    branches = {"$or": [{"tenant_id": "t", "match_id": "m"}, {"tenant_id": "t", "status": "held"}]}
    assert served([BY_MATCH], shape(branches)) == SCAN
    assert served([BY_MATCH, Index((("tenant_id", 1), ("status", 1)))], shape(branches)) == SERVED
    assert served([BY_MATCH], shape({"tenant_id": "t", "match_id": "m", "$or": [{"a": 1}, {"b": 2}]})) == SERVED


def test_unserved_names_the_collection_the_shape_and_an_index_that_would_serve_it():
    query = Query("ementor_messaging", "messages", "find", shape({"tenant_id": "t", "status": "held"}), (("_id", 1),))
    [problem], narrowed = unserved([query], {("ementor_messaging", "messages"): [BY_MATCH]}, allowed={})
    assert narrowed == []
    assert problem.startswith("ementor_messaging.messages find {status: eq, tenant_id: eq} sort {'_id': 1}")
    assert "[('tenant_id', 1), ('status', 1), ('_id', 1)]" in problem
