"""The knowledge unit tests' world: the starter library, and an empty in-process store per test."""

from __future__ import annotations

from pathlib import Path

import mongoengine
import mongomock
import pytest

from services.knowledge.catalogue import Catalogue
from services.knowledge.documents import ALIAS, DOCUMENTS
from services.knowledge.library import load_library
from services.knowledge.repository import KnowledgeRepository

LIBRARY = Path(__file__).resolve().parents[3] / "content" / "library"


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue(load_library(LIBRARY))


@pytest.fixture
def store():
    """An empty knowledge store (mongomock), dropped with the connection afterwards."""
    mongoengine.connect(db="unit-knowledge", alias=ALIAS, host="mongodb://localhost",
                        mongo_client_class=mongomock.MongoClient)
    for document in DOCUMENTS:
        document._collection = None
    yield KnowledgeRepository()
    mongoengine.disconnect(ALIAS)
    for document in DOCUMENTS:
        document._collection = None
