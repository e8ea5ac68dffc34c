"""Tenant-scoped documents: a query that forgets the organisation cannot run.

Every document carries `tenant_id`, declared as the shard key so that mongoengine adds it
to the filter of every save, reload and delete of a single document, and every queryset
refuses to touch the database unless its filter names a tenant. System jobs that really
work across organisations (the outbox relay, schedulers) say so with `across_tenants()`.
"""

from __future__ import annotations

from mongoengine import Document, QuerySet, StringField


class UnscopedQueryError(RuntimeError):
    """A query on tenant data without a tenant filter: a bug, never a user error."""


def _names_tenant(query: dict) -> bool:
    if "tenant_id" in query:
        return True
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

    meta = {
        "abstract": True,
        "queryset_class": TenantQuerySet,
        "shard_key": ("tenant_id",),
    }

    @classmethod
    def scoped(cls, tenant_id: str, **filters) -> TenantQuerySet:
        if not tenant_id:
            raise UnscopedQueryError(f"{cls.__name__}.scoped() needs a tenant id")
        return cls.objects(tenant_id=tenant_id, **filters)
