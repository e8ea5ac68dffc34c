"""Storage of organisations, programmes and people; the only module that queries MongoDB."""

from __future__ import annotations

from datetime import datetime

from mongoengine import NotUniqueError
from pymongo.errors import DuplicateKeyError

from .documents import Organisation, Person, Programme, Session, SignInLink, Staff
from .guardian_repository import GuardianRepository

# What a sender needs of a person (service.contact_view): read for every notification, so read alone.
CONTACT_FIELDS = ("role", "name", "email", "phone", "timezone", "languages", "locale", "is_minor", "channels",
                  "quiet_hours_start", "quiet_hours_end")


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

    def organisations(self, *, limit: int, after: str | None) -> list[Organisation]:
        # The operator's list: the one listing that spans tenants.
        return Organisation.objects.across_tenants().page(limit, after=after)

    def disable_organisation(self, organisation_id: str, now) -> Organisation | None:
        """Mark it disabled (once: a second call keeps the first time); the organisation after."""
        Organisation.scoped(organisation_id, id=organisation_id, disabled_at=None).update_one(set__disabled_at=now)
        return self.organisation(organisation_id)

    def disabled_organisation_ids(self) -> list[str]:
        return [o.id for o in Organisation.objects.across_tenants().filter(disabled_at__ne=None).only("id")]

    def organisation_by_slug(self, slug: str) -> Organisation | None:
        # Sign-in names the organisation by slug, before any tenant is known.
        return Organisation.objects.across_tenants().filter(slug=slug).first()

    # -- programmes -----------------------------------------------------------------------
    def programme(self, tenant_id: str, programme_id: str) -> Programme | None:
        return Programme.scoped(tenant_id, id=programme_id).first()

    def programmes(self, tenant_id: str, *, limit: int, after: str | None) -> list[Programme]:
        return Programme.scoped(tenant_id).page(limit, after=after)

    # -- people ---------------------------------------------------------------------------
    def person(self, tenant_id: str, person_id: str) -> Person | None:
        return Person.scoped(tenant_id, id=person_id, erased__ne=True).first()

    def people(self, tenant_id: str, *, limit: int, after: str | None, role=None, programme_id=None,
               interest=None, signed_in: bool | None = None) -> list[Person]:
        query = Person.scoped(tenant_id, erased__ne=True)
        if signed_in is not None:
            query = query.filter(last_signed_in_at__ne=None) if signed_in else query.filter(last_signed_in_at=None)
        return query.page(limit, after=after, role=role, programme_id=programme_id, interests=interest)

    def people_by_ids(self, tenant_id: str, person_ids: list[str]) -> list[Person]:
        return list(Person.scoped(tenant_id, id__in=person_ids, erased__ne=True))

    def contacts_by_ids(self, tenant_id: str, person_ids: list[str]) -> list[dict]:
        """These people's CONTACT_FIELDS as stored, without building documents (the hot path's largest cost)."""
        return list(Person.raw().find({"tenant_id": tenant_id, "_id": {"$in": list(person_ids)}, "erased": {"$ne": True}},
                                      dict.fromkeys(CONTACT_FIELDS, 1)))

    def person_by_email(self, tenant_id: str, email: str) -> Person | None:
        return Person.scoped(tenant_id, email=email, erased__ne=True).first()

    # -- staff ----------------------------------------------------------------------------
    def staff_member(self, tenant_id: str, staff_id: str) -> Staff | None:
        return Staff.scoped(tenant_id, id=staff_id).first()

    def current_staff_by_email(self, tenant_id: str, email: str) -> Staff | None:
        return Staff.scoped(tenant_id, email=email, status__ne="removed").first()

    def staff(self, tenant_id: str, *, limit: int, after: str | None) -> list[Staff]:
        return Staff.scoped(tenant_id, status__ne="removed").page(limit, after=after)

    # -- sign-in links and sessions -------------------------------------------------------
    def claim_link(self, token_hash: str, now) -> SignInLink | None:
        """The unused link with this hash, marked used in the same step (so it works once)."""
        # The token names no organisation until it is found: a lookup across them, by a secret's hash.
        return SignInLink.objects.across_tenants().filter(token_hash=token_hash, used_at=None).modify(
            set__used_at=now, new=True)

    def ensure_link(self, link: SignInLink) -> datetime | None:
        """Store `link` under its id, or give the unused link already there its token hash and expiry
        (the same link made again); when the one there has been used, leave it and return when."""
        fields = link.to_mongo()
        try:
            SignInLink.raw().update_one(
                {"_id": link.id, "tenant_id": link.tenant_id, "used_at": None},
                {"$set": {"token_hash": fields["token_hash"], "expires_at": fields["expires_at"]},
                 "$setOnInsert": {k: v for k, v in fields.items() if k not in ("_id", "tenant_id", "token_hash",
                                                                                 "expires_at")}},
                upsert=True)
        except DuplicateKeyError:  # one of that id is there, used: the upsert tried to add a second
            there = SignInLink.scoped(link.tenant_id, id=link.id).only("used_at").first()
            if there is None or there.used_at is None:
                raise  # it changed meanwhile, which nothing does; the caller's job tries again later
            return there.used_at
        return None

    def link_by_hash(self, token_hash: str) -> SignInLink | None:
        return SignInLink.objects.across_tenants().filter(token_hash=token_hash).first()

    def session(self, tenant_id: str, session_id: str) -> Session | None:
        return Session.scoped(tenant_id, id=session_id).first()

    def session_by_refresh(self, refresh_hash: str) -> Session | None:
        return Session.objects.across_tenants().filter(refresh_hash=refresh_hash).first()

    def session_by_old_refresh(self, refresh_hash: str) -> Session | None:
        return Session.objects.across_tenants().filter(previous_refresh_hashes=refresh_hash).first()

    def rotate_refresh(self, session: Session, old_hash: str, new_hash: str) -> bool:
        """Swap the refresh token only if it is still `old_hash` (two refreshes at once: one wins)."""
        return bool(Session.scoped(session.tenant_id, id=session.id, refresh_hash=old_hash, revoked_at=None).update(
            set__refresh_hash=new_hash, push__previous_refresh_hashes=old_hash))

    def note_sign_in(self, tenant_id: str, person_id: str, at: datetime) -> None:
        Person.scoped(tenant_id, id=person_id).update_one(set__last_signed_in_at=at)

    def void_sign_in_links(self, tenant_id: str, subject_id: str, now) -> int:
        """Their unused sign-in and invitation links stop working (marked used)."""
        return SignInLink.scoped(tenant_id, subject_id=subject_id, used_at=None).update(set__used_at=now)

    def revoke_sessions(self, tenant_id: str, subject_id: str, now) -> int:
        return Session.scoped(tenant_id, subject_id=subject_id, revoked_at=None).update(set__revoked_at=now)

    def revoke_session(self, session: Session, now) -> None:
        Session.scoped(session.tenant_id, id=session.id, revoked_at=None).update(set__revoked_at=now)
