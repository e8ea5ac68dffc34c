import mongoengine
import pytest
from mongoengine import StringField

from ementor.platform import mongo
from ementor.platform.tenancy import TenantDocument

pytestmark = pytest.mark.unit


class Card(TenantDocument):
    text = StringField()
    meta = {"db_alias": "unit-extension", "collection": "cards", "indexes": [("tenant_id", "text")]}  # noqa: RUF012


def test_open_database_ensures_indexes_once_per_connection(monkeypatch):
    calls = []
    monkeypatch.setattr(Card, "ensure_indexes", classmethod(lambda cls: calls.append(cls)))
    try:
        mongo.open_database("unit-extension", None, (Card,))
        mongo.open_database("unit-extension", None, (Card,))
        assert calls == [Card]
        mongoengine.disconnect("unit-extension")
        mongo.open_database("unit-extension", None, (Card,))  # a new connection: its indexes again
        assert calls == [Card, Card]
    finally:
        mongoengine.disconnect("unit-extension")
