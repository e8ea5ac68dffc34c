"""Tenant-scoped documents: a query that forgets the organisation cannot run.

Every document carries `tenant_id`, declared as the shard key so that mongoengine adds it
to the filter of every save, reload and delete of a single document, and every queryset
refuses to touch the database unless its filter names a tenant. System jobs that really
work across organisations (the outbox relay, schedulers) say so with `across_tenants()`.

Where mongoengine is too slow (a hot path) or too weak (a conditional `$push`, a bulk insert
that reports which rows a unique index refused), a repository uses `Document.raw()`: the
pymongo collection behind a `TenantCollection`, which applies the same rule to raw filters,
inserted documents, aggregation pipelines and bulk operations.
"""

from __future__ import annotations

from typing import ClassVar

from mongoengine import Document, QuerySet, StringField
from mongoengine.errors import NotUniqueError


class UnscopedQueryError(RuntimeError):
    """A query on tenant data without a tenant filter: a bug, never a user error."""


def _names_tenant(query: dict) -> bool:
    if "tenant_id" in query:
        return query["tenant_id"] not in (None, "")
    return any(_names_tenant(part) for part in query.get("$and", ()))


class TenantQuerySet(QuerySet):
    _across_tenants = False

    def across_tenants(self) -> TenantQuerySet:
        qs = self.clone()
        qs._across_tenants = True
        return qs

    def _clone_into(self, new_qs):
        new_qs = super()._clone_into(new_qs)
        new_qs._across_tenants = self._across_tenants
        return new_qs

    @property
    def _query(self):
        query = super()._query
        if not self._across_tenants and not _names_tenant(query):
            raise UnscopedQueryError(
                f"query on {self._document.__name__} without tenant_id: use .scoped(tenant_id)"
            )
        return query


    def page(self, limit: int, *, after: str | None = None, before: str | None = None,
             newest_first: bool = False, **filters) -> list:
        """One page by id (ids grow with time): after a cursor oldest first, or before one newest first.

        Filters whose value is None or "" are left out, so optional query parameters pass straight in.
        """
        query = self.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
        if after:
            query = query.filter(id__gt=after)
        if before:
            query = query.filter(id__lt=before)
        return list(query.order_by("-id" if newest_first else "id").limit(limit))


class TenantDocument(Document):
    """Base of every stored document. Subclasses set `db_alias` to their service's alias."""

    tenant_id = StringField(required=True)

    meta: ClassVar[dict] = {
        "abstract": True,
        "queryset_class": TenantQuerySet,
        "shard_key": ("tenant_id",),
    }

    @classmethod
    def raw(cls) -> TenantCollection:
        """The document's pymongo collection, refusing any filter without `tenant_id`."""
        return TenantCollection(cls._get_collection(), cls.__name__)

    def insert_unless_taken(self) -> bool:
        """Insert this new document; False, and nothing written, when a unique index already holds its key
        (the same event planned twice, say)."""
        try:
            self.save(force_insert=True)
        except NotUniqueError:
            return False
        return True

    @classmethod
    def scoped(cls, tenant_id: str, **filters) -> TenantQuerySet:
        if not tenant_id:
            raise UnscopedQueryError(f"{cls.__name__}.scoped() needs a tenant id")
        return cls.objects(tenant_id=tenant_id, **filters)


class TenantCollection:
    """A pymongo collection whose every filter, inserted document and pipeline names a tenant.

    Only the operations below exist, so a new kind of call has to be added here, checked.
    """

    __slots__ = ("_across_tenants", "_collection", "_name")

    def __init__(self, collection, name: str, *, across_tenants: bool = False):
        self._collection, self._name, self._across_tenants = collection, name, across_tenants

    def across_tenants(self) -> TenantCollection:
        """For system jobs that work across organisations by design (relay sweeps, schedulers)."""
        return TenantCollection(self._collection, self._name, across_tenants=True)

    def _scoped(self, query: dict | None, what: str = "filter") -> dict:
        if not self._across_tenants and not (query and _names_tenant(query)):
            raise UnscopedQueryError(f"raw {what} on {self._name} without tenant_id: {query!r}")
        return query

    # -- reads --------------------------------------------------------------------------------------
    def find(self, query: dict, *args, **kwargs):
        return self._collection.find(self._scoped(query), *args, **kwargs)

    def find_one(self, query: dict, *args, **kwargs):
        return self._collection.find_one(self._scoped(query), *args, **kwargs)

    def count_documents(self, query: dict, **kwargs) -> int:
        return self._collection.count_documents(self._scoped(query), **kwargs)

    def aggregate(self, pipeline: list, **kwargs):
        first = pipeline[0] if pipeline else {}
        self._scoped(first.get("$match"), "pipeline (its first stage must $match a tenant)")
        return self._collection.aggregate(pipeline, **kwargs)

    # -- writes -------------------------------------------------------------------------------------
    def insert_one(self, document: dict, **kwargs):
        return self._collection.insert_one(self._scoped(document, "insert"), **kwargs)

    def insert_many(self, documents: list[dict], **kwargs):
        for document in documents:
            self._scoped(document, "insert")
        return self._collection.insert_many(documents, **kwargs)

    def update_one(self, query: dict, update, **kwargs):
        return self._collection.update_one(self._scoped(query), update, **kwargs)

    def update_many(self, query: dict, update, **kwargs):
        return self._collection.update_many(self._scoped(query), update, **kwargs)

    def replace_one(self, query: dict, replacement: dict, **kwargs):
        self._scoped(replacement, "replacement")
        return self._collection.replace_one(self._scoped(query), replacement, **kwargs)

    def find_one_and_update(self, query: dict, update, **kwargs):
        return self._collection.find_one_and_update(self._scoped(query), update, **kwargs)

    def delete_one(self, query: dict, **kwargs):
        return self._collection.delete_one(self._scoped(query), **kwargs)

    def delete_many(self, query: dict, **kwargs):
        return self._collection.delete_many(self._scoped(query), **kwargs)

    def bulk_write(self, requests: list, **kwargs):
        for request in requests:  # pymongo's InsertOne keeps its document in _doc, the others a _filter
            self._scoped(getattr(request, "_filter", None) or getattr(request, "_doc", None), "bulk operation")
        return self._collection.bulk_write(requests, **kwargs)
