"""MongoDB connections: one database and one mongoengine alias per service.

Without MONGODB_URI the service runs on mongomock, an in-process stand-in, and says so:
handy for development and tests on machines without a MongoDB server, never for production
(settings refuse it there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import mongoengine
from mongoengine.connection import get_db

from . import devstore
from .extension import ServiceDependency

log = logging.getLogger(__name__)

MONGOMOCK_URI = "mongodb://localhost"

R = TypeVar("R")

_INDEXED: dict[str, set] = {}  # service alias -> documents whose indexes this connection has


def database_name(service: str) -> str:
    return f"ementor_{service}"


def connect(service: str, uri: str | None) -> str:
    """Register the service's alias (idempotent) and return a description of the backend."""
    alias = service
    if alias in mongoengine.connection._connection_settings:
        return _describe(alias)
    _INDEXED[alias] = set()  # a new connection (e.g. after a test's disconnect) has no indexes yet
    if not uri or uri.startswith("mongomock://"):
        import mongomock

        from . import standin

        standin.install()  # point lookups and TTL expiry cost what they cost on MongoDB
        mongoengine.connect(
            db=database_name(service), alias=alias, host=MONGOMOCK_URI, mongo_client_class=mongomock.MongoClient, tz_aware=True
        )
        log.warning("%s: no MONGODB_URI set, using the in-process mongomock stand-in", service)
    else:
        mongoengine.connect(db=database_name(service), alias=alias, host=without_database(uri), tz_aware=True,
                            uuidRepresentation="standard")
    return _describe(alias)


def without_database(uri: str) -> str:
    """Drop a database named in the URI (it would override each service's own database).

    A database in the URI is also where credentials are checked; it is kept as `authSource`.
    """
    parts = urlsplit(uri)
    database = parts.path.lstrip("/")
    if not database:
        return uri
    query = dict(parse_qsl(parts.query))
    if parts.username and "authSource" not in query:
        query["authSource"] = database
    return urlunsplit((parts.scheme, parts.netloc, "/", urlencode(query), parts.fragment))


def _describe(alias: str) -> str:
    client = get_db(alias).client
    return "mongomock (in-process)" if type(client).__module__.startswith("mongomock") else "mongodb"


def open_database(service: str, uri: str | None, documents=()) -> str:
    """Connect the service's alias and ensure each document's indexes once per process."""
    backend = connect(service, uri)
    indexed = _INDEXED.setdefault(service, set())
    for document in documents:
        if document not in indexed:
            document.ensure_indexes()
            indexed.add(document)
    return backend


class Repository(ServiceDependency, Generic[R]):
    """Gives a service's workers its repository, connected to the service's own database."""

    def __init__(self, factory: Callable[[], R], documents: tuple = ()):
        self.factory = factory
        self.documents = documents

    def setup(self):
        self.open_database(*self.documents)
        if self.settings.uses_embedded_mongo and self.settings.EMENTOR_DATA_DIR:
            devstore.keep(self.container.service_name, self.settings.EMENTOR_DATA_DIR)
        self.repository = self.factory()

    def stop(self):
        devstore.flush(self.container.service_name)

    def get_dependency(self, worker_ctx) -> R:
        return self.repository
