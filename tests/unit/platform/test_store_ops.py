"""Round trips are counted as work only when they found or changed something."""

import mongomock

from tests.support.store_ops import counting


def test_operations_that_find_or_change_nothing_are_counted_apart_as_idle_polls():
    collection = mongomock.MongoClient()["ementor_trips"]["things"]
    with counting() as count:
        collection.insert_one({"_id": "a", "n": 1})
        collection.find_one({"_id": "a"})
        collection.find_one({"_id": "missing"})
        collection.count_documents({"_id": "a"})
        collection.count_documents({"_id": "missing"})
        collection.update_one({"_id": "missing"}, {"$set": {"n": 3}})
        collection.delete_one({"_id": "missing"})
    assert count.by_collection() == {"ementor_trips.things count_documents": 1,
                                     "ementor_trips.things find_one": 1,
                                     "ementor_trips.things insert_one": 1}
    assert sum(count.empty.values()) == 4
