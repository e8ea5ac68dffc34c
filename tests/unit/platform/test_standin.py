"""The stand-in's hash lookups answer exactly as mongomock's scans (and MongoDB) do."""

import mongomock
import pytest
from bson import ObjectId
from mongomock import filtering
from pymongo.errors import DuplicateKeyError

from ementor.platform import standin, standin_values

pytestmark = pytest.mark.unit


@pytest.fixture
def inbox():
    standin.install()
    collection = mongomock.MongoClient().db.inbox
    collection.create_index([("tenant_id", 1), ("consumer", 1), ("event_id", 1)], unique=True)
    return collection


def key(event_id, tenant="t1"):
    return {"tenant_id": tenant, "consumer": "c", "event_id": event_id}


def test_a_second_insert_of_a_key_is_refused_and_other_tenants_keep_their_own(inbox):
    inbox.insert_one({**key("e1"), "state": "processing"})
    with pytest.raises(DuplicateKeyError):
        inbox.insert_one({**key("e1"), "state": "processing"})
    inbox.insert_one({**key("e1", tenant="t2"), "state": "processing"})
    assert inbox.count_documents({"event_id": "e1"}) == 2


def test_point_lookups_follow_updates_deletes_and_upserts(inbox):
    inbox.insert_one({**key("e1"), "state": "processing"})
    inbox.update_one(key("e1"), {"$set": {"event_id": "e2"}})  # the key itself changes
    assert inbox.find_one(key("e1")) is None
    assert inbox.find_one(key("e2"))["state"] == "processing"
    inbox.insert_one({**key("e1"), "state": "again"})  # the old key is free again
    with pytest.raises(DuplicateKeyError):
        inbox.update_one(key("e1"), {"$set": {"event_id": "e2"}})
    assert inbox.find_one(key("e1"))["state"] == "again"  # the refused update was rolled back
    inbox.delete_one(key("e2"))
    assert inbox.find_one({**key("e2"), "state": "processing"}) is None
    inbox.update_one(key("e3"), {"$set": {"state": "done"}}, upsert=True)
    assert inbox.find_one({**key("e3"), "state": "done"}) is not None
    with pytest.raises(DuplicateKeyError):
        inbox.insert_one({**key("e3")})


def test_filters_beyond_the_key_still_apply_and_an_array_value_falls_back_to_a_scan(inbox):
    inbox.insert_one({**key("e1"), "state": "done"})
    assert inbox.find_one({**key("e1"), "state": "processing"}) is None
    inbox.insert_one({"tenant_id": "t1", "consumer": ["c", "d"], "event_id": "e9"})  # multikey
    assert inbox.find_one(key("e9"))["consumer"] == ["c", "d"]  # the array holds "c": MongoDB matches it



def test_a_list_of_ids_is_looked_up_one_by_one_and_answers_as_a_scan_would(inbox):
    ids = [inbox.insert_one({**key(f"e{i}"), "state": "done" if i % 2 else "open"}).inserted_id for i in range(6)]
    inbox.delete_one({"_id": ids[3]})
    wanted = [ids[5], ids[3], ids[1], ids[1], "not-an-id"]
    assert [d["_id"] for d in inbox.find({"_id": {"$in": wanted}})] == [ids[1], ids[5]]  # _id order, gone ones skipped
    assert [d["event_id"] for d in inbox.find({"_id": {"$in": ids}, "state": "open"})] == ["e0", "e2", "e4"]
    inbox.update_many({"_id": {"$in": ids[:3]}}, {"$set": {"state": "seen"}})
    assert sorted(d["event_id"] for d in inbox.find({"state": "seen"})) == ["e0", "e1", "e2"]
    assert inbox.count_documents({"_id": {"$in": ids, "$nin": ids[:1]}}) == 4  # more than $in: mongomock's scan


@pytest.fixture
def outboxes():
    standin.install()
    collection = mongomock.MongoClient().db.outboxes
    collection.insert_one({"_id": "old", "tenant_id": "t1", "outbox": [{"event_id": "e0"}]})  # before the index
    collection.create_index([("outbox.event_id", 1)], sparse=True)
    return collection


def pending(collection):
    return sorted(d["_id"] for d in collection.find({"outbox.event_id": {"$exists": True}}))


def test_a_sparse_index_answers_exists_with_the_documents_that_hold_the_field_now(outboxes):
    outboxes.insert_one({"_id": "a", "tenant_id": "t1", "outbox": [{"event_id": "e1"}]})
    outboxes.insert_one({"_id": "b", "tenant_id": "t2", "outbox": []})
    assert pending(outboxes) == ["a", "old"]
    outboxes.update_one({"_id": "a"}, {"$pull": {"outbox": {"event_id": "e1"}}})  # published
    outboxes.update_one({"_id": "b"}, {"$push": {"outbox": {"event_id": "e2"}}})  # a new event
    assert pending(outboxes) == ["b", "old"]
    outboxes.update_one({"_id": "a"}, {"$push": {"outbox": {"event_id": "e3"}}})  # forgotten, then pending again
    outboxes.delete_one({"_id": "old"})
    assert pending(outboxes) == ["a", "b"]
    claimed = outboxes.find_one_and_update(
        {"outbox.event_id": {"$exists": True}, "tenant_id": "t2"}, {"$set": {"lease": 1}})
    assert claimed["_id"] == "b"  # the rest of the filter still applies
    assert outboxes.count_documents({"outbox.event_id": {"$exists": True}, "lease": 1}) == 1
    assert outboxes.count_documents({"outbox.event_id": {"$exists": False}}) == 0  # not $exists true: a scan


def test_a_range_on_a_sparse_field_is_answered_from_the_holders_exactly_as_a_scan_would():
    standin.install()
    deliveries = mongomock.MongoClient().db.deliveries
    deliveries.create_index([("next_attempt_at", 1)], sparse=True)
    for i in range(6):
        deliveries.insert_one({"_id": f"d{i}", "tenant_id": "t1", "next_attempt_at": i})
    deliveries.insert_one({"_id": "done", "tenant_id": "t1"})  # delivered: no next attempt
    deliveries.insert_one({"_id": "odd", "tenant_id": "t1", "next_attempt_at": None})
    deliveries.update_one({"_id": "d1"}, {"$unset": {"next_attempt_at": ""}})

    def due(condition, **sort):
        return [d["_id"] for d in deliveries.find({"next_attempt_at": condition}, **sort)]

    assert due({"$lte": 3}, sort=[("next_attempt_at", 1)]) == ["d0", "d2", "d3"]
    assert due({"$gt": 2, "$lt": 5}) == ["d3", "d4"]
    claimed = deliveries.find_one_and_update({"next_attempt_at": {"$lte": 5}, "tenant_id": "t1"},
                                             {"$set": {"next_attempt_at": 100}}, sort=[("next_attempt_at", 1)])
    assert claimed["_id"] == "d0"
    assert due({"$lte": 5}, sort=[("next_attempt_at", 1)]) == ["d2", "d3", "d4", "d5"]
    assert due({"$eq": None}) == ["d1", "done", "odd"]  # null matches a missing field: not served by the holders
    walked = standin._point_lookup(deliveries._store, {"next_attempt_at": {"$lte": 5}})
    assert walked is not None and "done" not in [d["_id"] for d in walked]  # the holders, not a scan


@pytest.fixture
def notifications():
    """Deliveries as notifications keeps them: a claim looks for due ones by status, across organisations."""
    standin.install()
    collection = mongomock.MongoClient().db.deliveries
    collection.create_index([("status", 1), ("next_attempt_at", 1)])
    collection.create_index([("status", 1), ("claimed_until", 1)])
    for i in range(8):
        collection.insert_one({"_id": f"d{i}", "tenant_id": f"t{i % 2}", "status": "sent", "next_attempt_at": None})
    return collection


def as_a_scan(collection, query) -> list[str]:
    return sorted(d["_id"] for d in collection._store.documents if filtering.filter_applies(query, d))


def test_an_equality_on_an_index_first_field_walks_only_the_documents_that_hold_the_value_now(notifications):
    notifications.update_many({"_id": {"$in": ["d1", "d2", "d3"]}}, {"$set": {"status": "pending", "next_attempt_at": 5}})
    notifications.update_one({"_id": "d2"}, {"$set": {"status": "sending", "claimed_until": 3}})  # left pending
    notifications.insert_one({"_id": "new", "tenant_id": "t0", "status": "pending", "next_attempt_at": 1})
    notifications.delete_one({"_id": "d3"})
    for query in ({"status": "pending"}, {"status": {"$in": ["pending", "sending"]}}, {"status": "sent", "tenant_id": "t1"},
                  {"status": "failed"}):
        assert sorted(d["_id"] for d in notifications.find(query)) == as_a_scan(notifications, query), query
    walked = standin._point_lookup(notifications._store, {"status": "pending"})
    assert sorted(d["_id"] for d in walked) == ["d1", "new"]  # the walk, not a scan of all nine


def test_an_or_of_indexed_branches_is_the_union_of_their_walks_and_a_claim_takes_the_earliest(notifications):
    notifications.update_one({"_id": "d4"}, {"$set": {"status": "pending", "next_attempt_at": 7}})
    notifications.update_one({"_id": "d5"}, {"$set": {"status": "sending", "claimed_until": 2}})  # its sender died
    notifications.update_one({"_id": "d6"}, {"$set": {"status": "sending", "claimed_until": 50}})  # still held
    due = {"$or": [{"status": {"$in": ["pending", "deferred"]}, "next_attempt_at": {"$lte": 10}},
                   {"status": "sending", "claimed_until": {"$lt": 10}}]}
    assert sorted(d["_id"] for d in notifications.find(due)) == as_a_scan(notifications, due) == ["d4", "d5"]
    assert len(standin._point_lookup(notifications._store, due)) == 3  # d4, d5 and d6: the walks, checked after
    claimed = notifications.find_one_and_update(due, {"$set": {"status": "sending", "claimed_until": 60}},
                                                sort=[("next_attempt_at", 1)])
    assert claimed["_id"] == "d5"  # null sorts first, as on MongoDB
    mixed = {"$or": [{"status": "pending"}, {"tenant_id": "t1"}]}  # tenant_id leads no index here: a scan
    assert standin._point_lookup(notifications._store, mixed) is None
    assert sorted(d["_id"] for d in notifications.find(mixed)) == as_a_scan(notifications, mixed)


def test_an_array_in_an_index_first_field_sends_it_back_to_scanning(notifications):
    assert len(standin._point_lookup(notifications._store, {"status": "sent"})) == 8
    notifications.update_one({"_id": "d0"}, {"$set": {"status": ["sent", "pending"]}})  # matches both values
    assert standin._point_lookup(notifications._store, {"status": "pending"}) is None
    assert sorted(d["_id"] for d in notifications.find({"status": "pending"})) == ["d0"]


def test_a_stored_document_is_its_own_copy_and_a_refused_update_leaves_it_as_it_was(inbox):
    import datetime

    from bson import Decimal128, ObjectId
    from bson.son import SON

    at = datetime.datetime(2026, 12, 5, 9, 30)
    written = {**key("e1"), "outbox": [{"event": {"topics": ["cv"]}, "at": at}], "owner": ObjectId(),
               "fee": Decimal128("1.50"), "order": SON([("b", 1), ("a", 2)])}
    inbox.insert_one(written)
    written["outbox"][0]["event"]["topics"].append("changed after the insert")
    stored = inbox.find_one(key("e1"), {"_id": 0})
    assert stored["outbox"] == [{"event": {"topics": ["cv"]}, "at": at}]
    assert stored["fee"] == Decimal128("1.50") and list(stored["order"]) == ["b", "a"]

    inbox.insert_one({**key("e2"), "outbox": []})
    with pytest.raises(DuplicateKeyError):  # the snapshot the update keeps puts everything back
        inbox.update_one(key("e1"), {"$set": {"event_id": "e2"}, "$push": {"outbox.0.event.topics": "x"}})
    assert inbox.find_one(key("e1"), {"_id": 0})["outbox"][0]["event"]["topics"] == ["cv"]
    assert standin_values.copy_document(stored) == stored and standin_values.copy_document(stored) is not stored


def test_an_upserted_document_is_copied_as_the_ordered_dict_mongomock_keeps_it_as(inbox):
    from collections import OrderedDict

    inbox.update_one(key("u1"), {"$set": {"counters": {"messages": 1}, "topics": ["cv"]}}, upsert=True)
    stored = inbox._store[next(iter(inbox._store._documents))]
    assert type(stored) is OrderedDict
    copied = standin_values.copy_document(stored)
    assert type(copied) is OrderedDict and list(copied) == list(stored) and copied == stored
    copied["topics"].append("changed in the copy")
    copied["counters"]["messages"] = 2
    assert stored["topics"] == ["cv"] and stored["counters"] == {"messages": 1}

    inbox.insert_one({**key("u2"), "outbox": []})
    with pytest.raises(DuplicateKeyError):  # the snapshot of the upserted document puts it back
        inbox.update_one(key("u1"), {"$set": {"event_id": "u2"}, "$push": {"topics": "x"}})
    assert inbox.find_one(key("u1"), {"_id": 0, "topics": 1}) == {"topics": ["cv"]}


def _values():
    import datetime
    import math

    from bson import ObjectId

    oid = ObjectId("5f1d7f3b9c2a4b0011a1b2c3")
    at = datetime.datetime(2026, 12, 5, 9, 30)
    return [None, True, False, 0, 1, 1.0, 2.5, -3, math.nan, "", "a", "b", oid, at,
            at + datetime.timedelta(seconds=1), at.replace(tzinfo=datetime.UTC), ["a", 1], {"a": 1}]


def test_a_plain_filter_is_decided_by_comparing_values_exactly_as_mongomocks_matcher_decides():
    """Every pairing of a condition and a stored value, plain or not: equality, `$in`, ranges,
    `$exists`, and what only the matcher can decide (arrays, documents, NaN, bool against numbers,
    dates with a zone, dotted paths, `$or`, `$ne`)."""
    values = _values()
    conditions = [*values]
    for value in values:
        conditions += [{"$gt": value}, {"$gte": value}, {"$lt": value}, {"$lte": value}, {"$ne": value}]
    plain = [value for value in values if type(value) in (int, str, ObjectId)]
    conditions += [{"$in": values[:8]}, {"$in": values[8:]}, {"$in": []}, {"$in": plain}, {"$in": plain[-2:]}, {"$exists": True}, {"$exists": False},
                   {"$gt": 0, "$lte": 2.5}, {"$gt": "a", "$exists": True}, {}]
    compared = 0
    for condition in conditions:
        for stored in [*values, "missing"]:
            document = {"_id": 1} if stored == "missing" else {"_id": 1, "f": stored}
            for query in ({"f": condition}, {"_id": 1, "f": condition}, {"_id": 2, "f": condition}):
                try:
                    expected = filtering.filter_applies(query, document)
                except TypeError:  # a zoned date against a naive one: mongomock cannot compare them either
                    with pytest.raises(TypeError):
                        standin_values.filter_holds(query, document)
                    continue
                assert standin_values.filter_holds(query, document) is expected, (query, document)
                compared += 1
    for query in ({"f.a": 1}, {"$or": [{"f": "a"}, {"f": 1}]}, {"f": {"$regex": "^a"}}):
        for stored in values:
            assert standin_values.filter_holds(query, {"f": stored}) is filtering.filter_applies(query, {"f": stored})
    assert compared > 3000


def test_a_candidate_is_checked_by_comparing_values_and_only_a_match_is_updated():
    standin.install()
    allowances = mongomock.MongoClient().db.allowances
    allowances.insert_many([{"_id": "p1", "tenant_id": "t1", "tat": 10.0}, {"_id": "p2", "tenant_id": "t1", "tat": 30}])
    spend = {"$inc": {"tat": 5}}
    assert allowances.update_one({"_id": "p1", "tenant_id": "t1", "tat": {"$gt": 5, "$lte": 20}}, spend).matched_count
    assert not allowances.update_one({"_id": "p2", "tenant_id": "t1", "tat": {"$gt": 5, "$lte": 20}}, spend).matched_count
    assert not allowances.update_one({"_id": "p1", "tenant_id": "t2", "tat": {"$gt": 5}}, spend).matched_count
    assert [d["tat"] for d in allowances.find({}, sort=[("_id", 1)])] == [15.0, 30]


def test_datetimes_are_brought_to_mongodb_precision_in_a_copy_as_mongomock_does():
    import datetime
    from collections import OrderedDict

    from bson import Timestamp
    from bson.son import SON

    at = datetime.datetime(2026, 12, 5, 9, 30, 15, 123456)
    zoned = datetime.datetime(2026, 12, 5, 10, 30, 15, 987654, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    document = {"at": at, "zoned": zoned, "list": [at, {"deep": (at, 1)}], "ordered": OrderedDict(a=at),
                "son": SON([("b", zoned), ("a", 1)]), "stamp": Timestamp(5, 1), "plain": ["x", 1, 2.5, None, b"\x00"]}
    expected = standin_values._mongomock_precision(document)
    patched = standin_values.at_mongodb_precision(document)
    assert patched == expected and patched is not document
    assert patched["at"] == datetime.datetime(2026, 12, 5, 9, 30, 15, 123000)
    assert patched["zoned"] == datetime.datetime(2026, 12, 5, 9, 30, 15, 987000) and patched["zoned"].tzinfo is None
    assert type(patched["ordered"]) is OrderedDict and patched["list"][1]["deep"] == [expected["at"], 1]
    assert patched["list"] is not document["list"]


def test_a_read_returns_a_copy_with_zoned_datetimes_as_mongomock_does(monkeypatch):
    import datetime
    from collections import OrderedDict

    from bson import Decimal128, ObjectId, Timestamp
    from bson.son import SON
    from mongomock import collection as mongomock_collection
    from mongomock import helpers

    standin.install()
    at = datetime.datetime(2026, 12, 5, 9, 30, 15, 123000)
    stored = OrderedDict(_id="m1", at=at, counters={"messages": 3, "by": {"t": [at, 1.5]}}, topics=["cv", None],
                         son=SON([("b", at), ("a", 1)]), fee=Decimal128("1.50"), owner=ObjectId(),
                         stamp=Timestamp(5, 1), raw=b"\x00", pair=(at, 1), yes=True)
    ours = {container: standin_values.returned_copy(stored, container) for container in (dict, SON, OrderedDict)}
    zoned = standin_values.timezone_aware(stored)
    # mongomock's own functions, recursing into themselves rather than into the patched ones
    monkeypatch.setattr(mongomock_collection, "_copy_field", standin_values._mongomock_returned_copy)
    monkeypatch.setattr(helpers, "make_datetime_timezone_aware_in_document", standin_values._mongomock_timezone_aware)
    for container, copied in ours.items():
        expected = standin_values._mongomock_returned_copy(stored, container)
        assert copied == expected and type(copied) is type(copied["counters"]["by"]) is container
        assert list(copied) == list(stored) and copied["counters"]["by"]["t"] is not stored["counters"]["by"]["t"]
    assert zoned == standin_values._mongomock_timezone_aware(stored) and type(zoned) is dict
    assert zoned["counters"]["by"]["t"][0] == at.replace(tzinfo=datetime.UTC) and zoned["pair"][0].tzinfo is not None


def test_a_dotted_field_is_held_as_exists_means_it_through_arrays_and_embedded_documents():
    from collections import OrderedDict  # what mongomock stores after an upsert

    documents = [{}, {"outbox": []}, {"outbox": [{"event_id": "e1"}]}, {"outbox": [{"type": "x"}, {"event_id": None}]},
                 {"outbox": [{"type": "x"}]}, {"outbox": {"event_id": "e1"}}, {"outbox": "e1"}, {"outbox": [["e1"]]},
                 {"outbox": [{"event": {"id": "e"}}]}, {"outbox": [1, {"event_id": 2}]},
                 OrderedDict(outbox=[OrderedDict(event_id="e1")]), OrderedDict(outbox=OrderedDict(event={"id": "e"}))]
    for document in documents:
        for field in ("outbox", "outbox.event_id", "outbox.event.id", "outbox.0.event_id", "outbox.1", "other"):
            expected = filtering.filter_applies({field: {"$exists": True}}, document)
            assert standin._has(document, field) is expected, (field, document)


def test_an_index_created_or_dropped_after_the_first_write_is_seen_by_the_next_one():
    standin.install()
    people = mongomock.MongoClient().db.people
    people.insert_one({"_id": "p1", "email": "a@example.org"})
    people.insert_one({"_id": "p2", "email": "b@example.org"})  # the collection's indexes are read
    people.create_index([("email", 1)], unique=True, name="email")
    with pytest.raises(DuplicateKeyError):
        people.insert_one({"_id": "p3", "email": "a@example.org"})
    people.drop_index("email")
    people.insert_one({"_id": "p3", "email": "a@example.org"})
    people.create_index([("email", 1)], sparse=True, name="email")
    assert [d["_id"] for d in people.find({"email": {"$exists": True}})] == ["p1", "p2", "p3"]
    assert standin._plan(people._store).sparse == (("email", "email"),)
