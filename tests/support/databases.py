"""Ending a test's storage: drop every database a service connected, and forget the cached collections."""

from __future__ import annotations

import mongoengine
from mongoengine.base.common import _document_registry
from mongoengine.connection import get_db


def drop_connected_databases() -> None:
    """Drop and disconnect every mongoengine alias connected so far.

    mongoengine caches each document class's collection object; a cached mongomock collection would
    keep the previous test's documents alive. The registry is keyed by class name, so it holds only
    one of two services' `Delivery` classes: the subclasses are walked too."""
    for alias in list(mongoengine.connection._connection_settings):
        try:
            db = get_db(alias)
            db.client.drop_database(db.name)
        finally:
            mongoengine.disconnect(alias)
    for document in {*_document_registry.values(), *_subclasses(mongoengine.Document)}:
        document._collection = None


def _subclasses(cls) -> set:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass, *_subclasses(subclass)}
    return found
