"""The tenant guard: a query that forgets the organisation cannot run."""

import mongoengine
import mongomock
import pytest
from ementor_contracts import OrganisationCreated
from mongoengine import StringField

from ementor.platform.outbox import OutboxDocument, OutboxRelay
from ementor.platform.tenancy import UnscopedQueryError

pytestmark = pytest.mark.unit


class Note(OutboxDocument):
    text = StringField()
    meta = {"db_alias": "unit-tenancy", "collection": "notes"}  # noqa: RUF012 - mongoengine reads it from the class


@pytest.fixture(autouse=True)
def database():
    mongoengine.connect(db="unit", alias="unit-tenancy", host="mongodb://localhost",
                        mongo_client_class=mongomock.MongoClient)
    yield
    mongoengine.disconnect("unit-tenancy")


def test_unscoped_reads_writes_and_deletes_are_refused():
    Note(tenant_id="a", text="mine").save()
    for operation in (lambda: list(Note.objects), lambda: Note.objects.count(),
                      lambda: Note.objects(text="mine").update(set__text="x"), lambda: Note.objects(text="mine").delete()):
        with pytest.raises(UnscopedQueryError):
            operation()
    with pytest.raises(UnscopedQueryError):
        Note.scoped("")


def test_scoped_queries_see_only_their_tenant():
    Note(tenant_id="a", text="a's").save()
    Note(tenant_id="b", text="b's").save()
    assert [n.text for n in Note.scoped("a")] == ["a's"]
    assert Note.scoped("b", text="a's").count() == 0
    assert Note.objects.across_tenants().count() == 2


def test_saving_a_loaded_document_is_scoped_by_its_tenant():
    note = Note(tenant_id="a", text="draft")
    note.save()
    loaded = Note.scoped("a").get()
    loaded.text = "final"
    loaded.save()
    loaded.delete()
    assert Note.scoped("a").count() == 0


def test_the_relay_publishes_in_order_and_keeps_what_failed():
    note = Note(tenant_id="a", text="x")
    first = note.record(OrganisationCreated(organisation_id="a", slug="one", name="One"))
    second = note.record(OrganisationCreated(organisation_id="a", slug="two", name="Two"))
    note.save()
    published, fail = [], {"now": True}

    def publish(envelope, routing_key):
        if fail["now"] and envelope["id"] == second.event_id:
            raise ConnectionError("broker gone")
        published.append(envelope["id"])

    relay = OutboxRelay([Note], publish, lease_seconds=0)
    with pytest.raises(ConnectionError):
        relay.publish_pending()
    assert published == [first.event_id]
    assert [p.event_id for p in Note.scoped("a").get().outbox] == [second.event_id]
    fail["now"] = False
    assert relay.publish_pending() == 1
    assert published == [first.event_id, second.event_id] and relay.backlog() == 0


def test_a_tombstone_is_deleted_once_its_events_are_out():
    note = Note(tenant_id="a", text="gone", delete_when_published=True)
    note.record(OrganisationCreated(organisation_id="a", slug="s", name="N"))
    note.save()
    OutboxRelay([Note], lambda envelope, key: None).publish_pending()
    assert Note.scoped("a").count() == 0


def test_the_raw_collection_refuses_every_unscoped_filter():
    from pymongo import InsertOne, UpdateOne

    raw = Note.raw()
    raw.insert_one({"_id": "n1", "tenant_id": "a", "text": "mine"})
    refused = (
        lambda: raw.find({"text": "mine"}), lambda: raw.find_one({"_id": "n1"}),
        lambda: raw.count_documents({}), lambda: raw.update_one({"_id": "n1"}, {"$set": {"text": "x"}}),
        lambda: raw.update_many({"tenant_id": None}, {"$set": {"text": "x"}}),
        lambda: raw.replace_one({"_id": "n1"}, {"tenant_id": "a"}),
        lambda: raw.find_one_and_update({"_id": "n1"}, {"$set": {"text": "x"}}),
        lambda: raw.delete_one({"_id": "n1"}), lambda: raw.delete_many({"tenant_id": ""}),
        lambda: raw.insert_one({"_id": "n2", "text": "orphan"}),
        lambda: raw.insert_many([{"_id": "n3", "tenant_id": "a"}, {"_id": "n4"}]),
        lambda: raw.aggregate([{"$group": {"_id": "$tenant_id"}}]),
        lambda: raw.aggregate([{"$match": {"text": "mine"}}]),
        lambda: raw.bulk_write([UpdateOne({"_id": "n1"}, {"$set": {"text": "x"}})]),
        lambda: raw.bulk_write([InsertOne({"_id": "n5"})]),
    )
    for operation in refused:
        with pytest.raises(UnscopedQueryError):
            operation()
    assert [d["_id"] for d in Note.raw().across_tenants().find({})] == ["n1"]
    assert raw.find_one({"_id": "n1", "tenant_id": "a"})["text"] == "mine"  # nothing refused was run


def test_the_raw_collection_runs_scoped_operations():
    from pymongo import DeleteOne, InsertOne

    raw = Note.raw()
    raw.insert_many([{"_id": "a1", "tenant_id": "a"}, {"_id": "b1", "tenant_id": "b"}])
    raw.bulk_write([InsertOne({"_id": "a2", "tenant_id": "a"}), InsertOne({"_id": "a3", "tenant_id": "a"}),
                    DeleteOne({"_id": "a3", "tenant_id": "a"})])
    raw.update_one({"_id": "a1", "tenant_id": "a"}, {"$set": {"text": "seen"}})
    assert raw.count_documents({"tenant_id": "a"}) == 2
    assert raw.find_one({"$and": [{"tenant_id": "a"}, {"_id": "a1"}]})["text"] == "seen"
    assert [d["n"] for d in raw.aggregate([{"$match": {"tenant_id": "a"}}, {"$count": "n"}])] == [2]
    assert raw.delete_many({"tenant_id": "b"}).deleted_count == 1


def test_no_service_reaches_a_collection_around_the_guard():
    """`TenantDocument.raw()` is the only way into pymongo: `_get_collection()` skips the tenant check."""
    from pathlib import Path

    services = Path(__file__).resolve().parents[3] / "services"
    offenders = [f"{path.relative_to(services)}:{number}"
                 for path in sorted(services.rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), 1) if "_get_collection(" in line]
    assert offenders == []
