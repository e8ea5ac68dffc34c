"""The profiles use cases: plain functions over the repository, called by the entrypoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ementor_contracts import (
    AccessRevoked,
    OrganisationCreated,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
    ProgrammeCreated,
)
from ementor_contracts.events.profiles import ChannelPreferences, CustomFieldDefinition

from ementor.platform.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from ementor.platform.principal import Principal

from . import domain, guardians, schemas, vetting
from .documents import ApiKey, Channels, FieldDefinition, Organisation, Person, Programme, new_id, utcnow
from .guardian_documents import GuardianConsentEntry
from .repository import DuplicateKey, ProfilesRepository


def invalid(exc: domain.InvalidProfile, field: str | None = None) -> Invalid:
    return Invalid(str(exc), details=[{"field": field, "message": str(exc)}])


# -- organisations and keys -----------------------------------------------------------------
def create_organisation(repo: ProfilesRepository, body: schemas.CreateOrganisation) -> tuple[Organisation, str]:
    try:
        domain.validate_slug(body.slug)
    except domain.InvalidProfile as exc:
        raise invalid(exc, "slug")
    key = domain.new_api_key()
    organisation_id = new_id()
    organisation = Organisation(
        id=organisation_id, tenant_id=organisation_id, slug=body.slug, name=body.name,
        api_keys=[ApiKey(key_id=key.key_id, secret_hash=key.secret_hash, created_at=utcnow())],
    )
    organisation.record(OrganisationCreated(organisation_id=organisation_id, slug=body.slug, name=body.name))
    try:
        repo.add(organisation)
    except DuplicateKey:
        raise Conflict(f"an organisation with slug {body.slug!r} already exists", code="slug_taken")
    return organisation, key.plaintext


def rotate_key(repo: ProfilesRepository, organisation_id: str, body: schemas.RotateKey) -> schemas.NewKey:
    organisation = repo.organisation(organisation_id)
    if organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    now = utcnow()
    key = domain.new_api_key()
    organisation.api_keys.append(ApiKey(key_id=key.key_id, secret_hash=key.secret_hash, created_at=now,
                                        read_only=body.read_only))
    if body.read_only:  # an extra key for a reader: the current keys stay
        repo.save(organisation)
        return schemas.NewKey(api_key=key.plaintext, previous_keys_expire_at=None)
    expires_at = now + timedelta(seconds=body.previous_key_valid_for_seconds)
    for existing in organisation.api_keys[:-1]:
        if existing.expires_at is None or existing.expires_at.replace(tzinfo=expires_at.tzinfo) > expires_at:
            existing.expires_at = expires_at
            # Tokens the retired key minted stop working everywhere when its grace period ends.
            organisation.record(AccessRevoked(scope="api_key", subject_id=existing.key_id, effective_at=expires_at))
    repo.save(organisation)
    return schemas.NewKey(api_key=key.plaintext, previous_keys_expire_at=expires_at)


def organisation_for_api_key(repo: ProfilesRepository, plaintext: str) -> tuple[Organisation, ApiKey]:
    parsed = domain.parse_api_key(plaintext)
    if parsed is None:
        raise Unauthenticated("send the organisation's API key as 'Authorization: Bearer emk_...'")
    key_id, secret = parsed
    organisation = repo.organisation_by_key_id(key_id)
    key = next((k for k in organisation.api_keys if k.key_id == key_id), None) if organisation else None
    if key is None or not domain.secret_matches(secret, key.secret_hash):
        raise Unauthenticated("the API key is not valid")
    if organisation.disabled_at is not None:
        raise Unauthenticated("the organisation is disabled; its API keys no longer work", code="organisation_disabled")
    if key.expires_at is not None and key.expires_at.replace(tzinfo=utcnow().tzinfo) <= utcnow():
        raise Unauthenticated("the API key has been rotated out; use the organisation's current key")
    return organisation, key


# -- programmes -----------------------------------------------------------------------------
def create_programme(repo: ProfilesRepository, tenant_id: str, body: schemas.CreateProgramme) -> Programme:
    definitions = [domain.FieldDefinition(f.key, f.label, f.type, tuple(f.options), f.required) for f in body.custom_fields]
    try:
        domain.validate_field_definitions(definitions)
    except domain.InvalidProfile as exc:
        raise invalid(exc, "custom_fields")
    programme = Programme(
        tenant_id=tenant_id, name=body.name, description=body.description,
        custom_fields=[FieldDefinition(**f.model_dump()) for f in body.custom_fields],
    )
    programme.record(ProgrammeCreated(
        programme_id=programme.id, name=programme.name,
        custom_fields=[CustomFieldDefinition(**f.model_dump()) for f in body.custom_fields],
    ))
    try:
        repo.add(programme)
    except DuplicateKey:
        raise Conflict(f"a programme named {body.name!r} already exists", code="programme_name_taken")
    return programme


def programme_definitions(programme: Programme | None) -> list[domain.FieldDefinition]:
    if programme is None:
        return []
    return [domain.FieldDefinition(f.key, f.label, f.type, tuple(f.options), f.required) for f in programme.custom_fields]


# -- people ---------------------------------------------------------------------------------
def create_person(repo: ProfilesRepository, auth: Principal, body: schemas.CreatePerson) -> Person:
    programme = _programme_or_422(repo, auth.tenant_id, body.programme_id)
    person, consent_entries = new_person(auth, body, programme)
    person.record(ProfileCreated(**snapshot(person)))
    try:
        repo.add(person)
    except DuplicateKey:
        raise Conflict(f"{person.email} is already registered in this organisation", code="email_taken")
    guardians.append_entries(repo, consent_entries)
    return person


def new_person(auth: Principal, body: schemas.CreatePerson,
               programme: Programme | None) -> tuple[Person, list[GuardianConsentEntry]]:
    """A person checked against every rule of `POST /v1/people`, not yet stored, and the consent
    history to append once it is (the CSV import reuses it)."""
    tenant_id = auth.tenant_id
    try:
        capacity = domain.check_role_rules(body.role, capacity=body.capacity, is_minor=body.is_minor)
        person = Person(
            tenant_id=tenant_id,
            role=body.role,
            name=body.name,
            email=body.email.lower(),
            phone=_phone(body.phone),
            timezone=_field(domain.validate_timezone, body.timezone, "timezone"),
            languages=_field(domain.normalise_languages, body.languages, "languages"),
            interests=_field(domain.normalise_interests, body.interests, "interests"),
            bio=body.bio,
            locale=_field(domain.validate_locale, body.locale, "locale"),
            availability=_field(domain.clean_availability, body.availability, "availability"),
            capacity=capacity,
            is_minor=body.is_minor,
            programme_id=body.programme_id,
            custom_fields=_field(
                lambda v: domain.validate_custom_values(programme_definitions(programme), v), body.custom_fields,
                "custom_fields",
            ),
            channels=Channels(email=body.channels.email, sms=body.channels.sms, updated_at=utcnow()),
            quiet_hours_start=body.quiet_hours.start,
            quiet_hours_end=body.quiet_hours.end,
        )
    except domain.InvalidProfile as exc:
        raise invalid(exc)
    level = vetting.requested_level(body.vetted if "vetted" in body.model_fields_set else None, body.vetting_level)
    if level and level != "none":
        vetting.record(person, auth, level, utcnow())
    check_minor_text(person)
    check_channels(person)
    return person, guardians.on_create(person, body, auth)


def update_person(repo: ProfilesRepository, auth: Principal, person_id: str, body: schemas.UpdatePerson) -> Person:
    person = visible_person(repo, auth, person_id, full=True)
    changes = body.model_dump(exclude_unset=True)
    if ("vetted" in changes or "vetting_level" in changes) and not auth.is_coordinator:
        raise Forbidden("only a coordinator may record vetting", code="coordinator_only")
    if "is_minor" in changes and not auth.is_coordinator:
        raise Forbidden("only a coordinator may change the minor flag", code="coordinator_only")
    before = snapshot(person) | _unpublished(person)
    try:
        _apply_changes(repo, person, body, changes)
    except domain.InvalidProfile as exc:
        raise invalid(exc)
    if "vetted" in changes or "vetting_level" in changes:
        level = vetting.requested_level(body.vetted, body.vetting_level, vetting.level_of(person))
        if level is not None:
            vetting.record(person, auth, level, utcnow())
    check_minor_text(person)
    check_channels(person)
    consent_entries = guardians.on_update(person, body, changes, before["is_minor"], auth)
    after = snapshot(person)
    changed = sorted(k for k, value in (after | _unpublished(person)).items() if before[k] != value)
    person.updated_at = utcnow()
    if changed:
        person.record(ProfileUpdated(**after, changed=changed))
    try:
        repo.save(person)
    except DuplicateKey:
        raise Conflict(f"{person.email} is already registered in this organisation", code="email_taken")
    if "email" in changed:  # a link emailed to the old address must not sign anyone in as them
        repo.void_sign_in_links(person.tenant_id, person.id, person.updated_at)
    guardians.append_entries(repo, consent_entries)
    return person


def _apply_changes(repo, person: Person, body: schemas.UpdatePerson, changes: dict) -> None:
    required = {"name", "email", "timezone", "languages", "interests", "channels", "quiet_hours", "custom_fields"}
    for key in required & changes.keys():
        if changes[key] is None:
            raise domain.InvalidProfile(f"{key} cannot be null")
    if "name" in changes:
        person.name = body.name
    if "email" in changes:
        person.email = body.email.lower()
    if "phone" in changes:
        person.phone = _phone(body.phone)
    if "timezone" in changes:
        person.timezone = domain.validate_timezone(body.timezone)
    if "languages" in changes:
        person.languages = domain.normalise_languages(body.languages)
    if "interests" in changes:
        person.interests = domain.normalise_interests(body.interests)
    if "bio" in changes:
        person.bio = body.bio
    if "locale" in changes:
        person.locale = _field(domain.validate_locale, body.locale, "locale")
    if "availability" in changes:
        person.availability = _field(domain.clean_availability, body.availability, "availability")
    if "is_minor" in changes:
        person.is_minor = bool(body.is_minor)
    if "capacity" in changes or "is_minor" in changes:
        capacity = body.capacity if "capacity" in changes else (person.capacity if person.role == "mentor" else None)
        person.capacity = domain.check_role_rules(person.role, capacity=capacity, is_minor=person.is_minor)
    if "programme_id" in changes or "custom_fields" in changes:
        programme_id = body.programme_id if "programme_id" in changes else person.programme_id
        programme = _programme_or_422(repo, person.tenant_id, programme_id)
        values = body.custom_fields if "custom_fields" in changes else ({} if "programme_id" in changes else person.custom_fields)
        person.programme_id = programme_id
        person.custom_fields = domain.validate_custom_values(programme_definitions(programme), values)
    if "channels" in changes:
        person.channels = Channels(email=body.channels.email, sms=body.channels.sms, updated_at=utcnow())
    if "quiet_hours" in changes:
        person.quiet_hours_start, person.quiet_hours_end = body.quiet_hours.start, body.quiet_hours.end


def erase_person(repo: ProfilesRepository, auth: Principal, person_id: str) -> None:
    """Right to erasure: scrub the profile now, tell every service, delete once the event is out."""
    person = visible_person(repo, auth, person_id, full=True)
    role = person.role
    person.name, person.email, person.phone, person.bio = "erased", f"erased+{person.id}", None, None
    person.interests, person.languages, person.custom_fields = [], [], {}
    person.guardian = None
    person.erased, person.delete_when_published = True, True
    person.record(PersonErased(person_id=person.id, role=role))
    repo.save(person)
    repo.forget_guardian_invitations(person.tenant_id, person.id)
    repo.revoke_sessions(person.tenant_id, person.id, utcnow())  # every service refuses their tokens (PersonErased)


def visible_person(repo: ProfilesRepository, auth: Principal, person_id: str, *, full: bool,
                   pair_status: Callable[[str, str], str | None] | None = None) -> Person:
    """The person, if this token may see them; 404 otherwise, so ids of others leak nothing.

    `pair_status(viewer_id, person_id)` is the status of the newest match between the two (asked
    of matching only when it decides: a mentor looking at a mentee)."""
    person = repo.person(auth.tenant_id, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in this organisation")
    if auth.is_coordinator or auth.person_id == person_id:
        return person
    if full:
        raise Forbidden("a person may only change or erase their own profile", code="not_your_profile")
    status = None
    if person.role != "mentor" and auth.person_id and auth.role == "mentor" and pair_status is not None:
        status = pair_status(auth.person_id, person_id)
    if not domain.may_read_public_profile(viewer_person_id=auth.person_id, target_role=person.role, pair_status=status):
        raise NotFound(f"no person {person_id} in this organisation")
    return person


def _unpublished(person: Person) -> dict:
    """Profile fields an event names when they change but never carries (contact details, free text)."""
    return {"name": person.name, "email": person.email, "phone": person.phone, "bio": person.bio,
            "availability": person.availability,
            "quiet_hours": (person.quiet_hours_start, person.quiet_hours_end)}


def snapshot(person: Person) -> dict:
    return {
        "person_id": person.id,
        "role": person.role,
        "programme_id": person.programme_id,
        "timezone": person.timezone,
        "languages": list(person.languages),
        "interests": list(person.interests),
        "capacity": person.capacity,
        "is_minor": person.is_minor,
        "vetted": person.vetted,
        "vetting_level": vetting.level_of(person),
        "custom_fields": dict(person.custom_fields),
        "channels": ChannelPreferences(email=person.channels.email, sms=person.channels.sms),
        "guardian_consent": guardians.state_of(person),
        "locale": person.locale,
    }


def _programme_or_422(repo, tenant_id: str, programme_id: str | None) -> Programme | None:
    if programme_id is None:
        return None
    programme = repo.programme(tenant_id, programme_id)
    if programme is None:
        raise Invalid(
            f"programme_id {programme_id} is not a programme of this organisation",
            details=[{"field": "programme_id", "message": "unknown programme"}],
        )
    return programme


def _phone(raw: str | None) -> str | None:
    return None if raw is None else _field(domain.normalise_phone, raw, "phone")


def _field(validate, value, field: str):
    try:
        return validate(value)
    except domain.InvalidProfile as exc:
        raise invalid(exc, field)


def check_minor_text(person: Person) -> None:
    """A minor's bio and availability never share contact details (422 minor_contact_details, kindly worded)."""
    fields = {"bio": person.bio, "availability": person.availability}
    try:
        domain.check_minor_text(person.is_minor, fields)
    except domain.MinorContactDetails as exc:
        field = next(f for f, text in fields.items() if domain.contact_details_in(text))
        raise Invalid(str(exc), code="minor_contact_details", details=[{"field": field, "message": str(exc)}])


def check_channels(person: Person) -> None:
    if person.channels.sms and not person.phone:
        raise Invalid("SMS notifications need a phone number", details=[{"field": "channels.sms", "message": "needs phone"}])
