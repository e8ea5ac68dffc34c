"""Storage of organisations, programmes and people; the only module that queries MongoDB."""

from __future__ import annotations

from mongoengine import NotUniqueError

from .documents import Organisation, Person, Programme
from .guardian_repository import GuardianRepository


class DuplicateKey(Exception):
    pass


class ProfilesRepository(GuardianRepository):
    # -- organisations --------------------------------------------------------------------
    def add(self, document) -> None:
        try:
            document.save(force_insert=True)
        except NotUniqueError as exc:
            raise DuplicateKey(str(exc)) from None

    def save(self, document) -> None:
        try:
            document.save()
        except NotUniqueError as exc:
            raise DuplicateKey(str(exc)) from None

    def organisation(self, organisation_id: str) -> Organisation | None:
        return Organisation.scoped(organisation_id, id=organisation_id).first()

    def organisation_by_key_id(self, key_id: str) -> Organisation | None:
        # Authentication comes before we know the tenant: the one lookup that spans them.
        return Organisation.objects.across_tenants().filter(api_keys__key_id=key_id).first()

    # -- programmes -----------------------------------------------------------------------
    def programme(self, tenant_id: str, programme_id: str) -> Programme | None:
        return Programme.scoped(tenant_id, id=programme_id).first()

    def programmes(self, tenant_id: str, *, limit: int, after: str | None) -> list[Programme]:
        return Programme.scoped(tenant_id).page(limit, after=after)

    # -- people ---------------------------------------------------------------------------
    def person(self, tenant_id: str, person_id: str) -> Person | None:
        return Person.scoped(tenant_id, id=person_id, erased__ne=True).first()

    def people(self, tenant_id: str, *, limit: int, after: str | None, role=None, programme_id=None,
               interest=None) -> list[Person]:
        return Person.scoped(tenant_id, erased__ne=True).page(
            limit, after=after, role=role, programme_id=programme_id, interests=interest
        )

    def people_by_ids(self, tenant_id: str, person_ids: list[str]) -> list[Person]:
        return list(Person.scoped(tenant_id, id__in=person_ids, erased__ne=True))
