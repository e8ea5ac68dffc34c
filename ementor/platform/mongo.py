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
from nameko.extensions import DependencyProvider

from . import devstore
from .settings import Settings

log = logging.getLogger(__name__)

MONGOMOCK_URI = "mongodb://localhost"

R = TypeVar("R")


def database_name(service: str) -> str:
    return f"ementor_{service}"


def connect(service: str, uri: str | None) -> str:
    """Register the service's alias (idempotent) and return a description of the backend."""
    alias = service
    if alias in mongoengine.connection._connection_settings:
        return _describe(alias)
    if not uri or uri.startswith("mongomock://"):
        import mongomock

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


def ensure_indexes(*documents) -> None:
    for document in documents:
        document.ensure_indexes()


class Repository(DependencyProvider, Generic[R]):
    """Gives a service's workers its repository, connected to the service's own database."""

    def __init__(self, factory: Callable[[], R], documents: tuple = ()):
        self.factory = factory
        self.documents = documents

    def setup(self):
        settings: Settings = self.container.config["EMENTOR_SETTINGS"]
        connect(self.container.service_name, settings.MONGODB_URI)
        if settings.uses_embedded_mongo and settings.EMENTOR_DATA_DIR:
            devstore.keep(self.container.service_name, settings.EMENTOR_DATA_DIR)
        ensure_indexes(*self.documents)
        self.repository = self.factory()

    def stop(self):
        devstore.flush(self.container.service_name)

    def get_dependency(self, worker_ctx) -> R:
        return self.repository
