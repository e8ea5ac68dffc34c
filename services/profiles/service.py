"""Profiles service entrypoints: organisations, tokens, programmes, people, and contact RPC."""

from __future__ import annotations

from nameko.rpc import rpc
from werkzeug.wrappers import Response

from ementor.platform.config import AppSettings
from ementor.platform.errors import Invalid, NotFound
from ementor.platform.http.api import api
from ementor.platform.http.auth import bearer_token, issue_token
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal

from . import handlers, import_jobs, imports, schemas
from .documents import DOCUMENTS, Organisation, Person, Programme
from .import_documents import ImportJob
from .import_schemas import ImportAccepted, ImportQuery, ImportStatus, RowRefusal
from .import_worker import ImportWorker
from .repository import ProfilesRepository

COORDINATOR = ("coordinator",)


class ProfilesService:
    name = "profiles"

    repo: ProfilesRepository = Repository(ProfilesRepository, DOCUMENTS)
    outbox = EventOutbox(*DOCUMENTS)
    settings = AppSettings()
    importer = ImportWorker()

    # -- organisations and tokens ---------------------------------------------------------
    @api("POST", "/v1/organisations", auth="operator", body=schemas.CreateOrganisation,
         response=schemas.OrganisationWithKey, status=201, summary="Create an organisation (platform operator)")
    def create_organisation(self, auth: Principal, body: schemas.CreateOrganisation):
        organisation, api_key = handlers.create_organisation(self.repo, body)
        return schemas.OrganisationWithKey(**organisation_view(organisation).model_dump(), api_key=api_key)

    @api("POST", "/v1/organisations/<organisation_id>/api-keys", auth="operator", body=schemas.RotateKey,
         response=schemas.NewKey, status=201, summary="Rotate an organisation's API key (platform operator)")
    def rotate_api_key(self, auth: Principal, organisation_id: str, body: schemas.RotateKey):
        return handlers.rotate_key(self.repo, organisation_id, body)

    @api("POST", "/v1/auth/token", auth="public", pass_request=True, body=schemas.TokenRequest,
         response=schemas.Token, summary="Exchange the organisation's API key for a coordinator or person token")
    def issue_token(self, request, body: schemas.TokenRequest):
        settings = self.settings
        organisation = handlers.organisation_for_api_key(self.repo, bearer_token(request.headers.get("Authorization")))
        role, person_id = "coordinator", None
        if body.person_id:
            person = self.repo.person(organisation.id, body.person_id)
            if person is None:
                raise NotFound(f"no person {body.person_id} in this organisation")
            role, person_id = person.role, person.id
        ttl = settings.EMENTOR_TOKEN_TTL_SECONDS
        token = issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=organisation.id, role=role, person_id=person_id, ttl=ttl)
        return schemas.Token(access_token=token, expires_in=ttl, role=role, person_id=person_id)

    # -- programmes -----------------------------------------------------------------------
    @api("POST", "/v1/programmes", roles=COORDINATOR, body=schemas.CreateProgramme, response=schemas.Programme,
         status=201, summary="Create a programme with its custom profile fields")
    def create_programme(self, auth: Principal, body: schemas.CreateProgramme):
        return programme_view(handlers.create_programme(self.repo, auth.tenant_id, body))

    @api("GET", "/v1/programmes", query=schemas.PageQuery, response=schemas.ProgrammeList, summary="List programmes")
    def list_programmes(self, auth: Principal, query: schemas.PageQuery):
        items = self.repo.programmes(auth.tenant_id, limit=query.limit + 1, after=query.cursor)
        return page_of(schemas.ProgrammeList, items, query.limit, programme_view)

    @api("GET", "/v1/programmes/<programme_id>", response=schemas.Programme, summary="Get a programme")
    def get_programme(self, auth: Principal, programme_id: str):
        programme = self.repo.programme(auth.tenant_id, programme_id)
        if programme is None:
            raise NotFound(f"no programme {programme_id} in this organisation")
        return programme_view(programme)

    # -- people ---------------------------------------------------------------------------
    @api("POST", "/v1/people", roles=COORDINATOR, body=schemas.CreatePerson, response=schemas.Person, status=201,
         summary="Register a mentor or mentee")
    def create_person(self, auth: Principal, body: schemas.CreatePerson):
        return person_view(handlers.create_person(self.repo, auth, body))

    @api("GET", "/v1/people", roles=COORDINATOR, query=schemas.PeopleQuery, response=schemas.PersonList,
         summary="List people, filtered by role, programme or interest")
    def list_people(self, auth: Principal, query: schemas.PeopleQuery):
        interest = None
        if query.interest:
            try:
                interest = handlers.domain.normalise_interest(query.interest)
            except handlers.domain.InvalidProfile as exc:
                raise Invalid(str(exc), details=[{"field": "interest", "message": str(exc)}])
        items = self.repo.people(auth.tenant_id, limit=query.limit + 1, after=query.cursor, role=query.role,
                                 programme_id=query.programme_id, interest=interest)
        return page_of(schemas.PersonList, items, query.limit, person_view)

    # -- bulk import (docs/accounts.md, "Bulk import") --------------------------------------
    @api("POST", "/v1/people/imports", roles=COORDINATOR, raw_body=("text/csv",), max_body_bytes=imports.MAX_FILE_BYTES,
         query=ImportQuery, response=ImportAccepted, status=202,
         summary="Import people from a CSV file (the columns of POST /v1/people); runs in the background")
    def import_people(self, auth: Principal, body: bytes, query: ImportQuery):
        job = import_jobs.start_import(self.importer.repo, auth, body, query)
        self.importer.kick()
        return ImportAccepted(id=job.id, status=job.status, total=job.total)

    @api("GET", "/v1/people/imports/template.csv", roles=COORDINATOR, response_media_type="text/csv",
         summary="A CSV template: every column an import takes, the organisation's custom fields, an example row")
    def import_template(self, auth: Principal):
        keys = import_jobs.custom_field_keys(self.importer.repo, auth.tenant_id)
        return Response(imports.template_csv(keys), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="people-import-template.csv"'})

    @api("GET", "/v1/people/imports/<import_id>", roles=COORDINATOR, response=ImportStatus,
         summary="An import's progress and, per refused row, why")
    def get_import(self, auth: Principal, import_id: str):
        return import_view(import_jobs.import_status(self.importer.repo, auth, import_id))

    @api("GET", "/v1/people/<person_id>", response=schemas.Person,
         summary="Get a profile (others' profiles show no contact details)")
    def get_person(self, auth: Principal, person_id: str):
        person = handlers.visible_person(self.repo, auth, person_id, full=False)
        if auth.is_coordinator or auth.person_id == person_id:
            return person_view(person)
        return public_view(person)

    @api("PATCH", "/v1/people/<person_id>", body=schemas.UpdatePerson, response=schemas.Person,
         summary="Change a profile (the person themself or a coordinator)")
    def update_person(self, auth: Principal, person_id: str, body: schemas.UpdatePerson):
        return person_view(handlers.update_person(self.repo, auth, person_id, body))

    @api("DELETE", "/v1/people/<person_id>", status=204,
         summary="Erase a person from every service (the person themself or a coordinator)")
    def erase_person(self, auth: Principal, person_id: str):
        handlers.erase_person(self.repo, auth, person_id)

    # -- RPC for other services: contact details are asked for at the moment of use ----------
    @rpc
    def get_contacts(self, tenant_id: str, person_ids: list[str]) -> dict[str, dict]:
        return {p.id: contact_view(p) for p in self.repo.people_by_ids(tenant_id, person_ids)}

    @rpc
    def get_organisation(self, tenant_id: str) -> dict | None:
        organisation = self.repo.organisation(tenant_id)
        return None if organisation is None else {"id": organisation.id, "slug": organisation.slug, "name": organisation.name}


def organisation_view(organisation: Organisation) -> schemas.Organisation:
    return schemas.Organisation(id=organisation.id, slug=organisation.slug, name=organisation.name,
                                created_at=organisation.created_at)


def programme_view(programme: Programme) -> schemas.Programme:
    return schemas.Programme(
        id=programme.id, name=programme.name, description=programme.description, created_at=programme.created_at,
        custom_fields=[schemas.FieldDefinition(key=f.key, label=f.label, type=f.type, options=list(f.options),
                                               required=f.required) for f in programme.custom_fields],
    )


def person_view(person: Person) -> schemas.Person:
    return schemas.Person(
        id=person.id, role=person.role, name=person.name, email=person.email, phone=person.phone,
        timezone=person.timezone, languages=list(person.languages), interests=list(person.interests), bio=person.bio,
        capacity=person.capacity, is_minor=person.is_minor, vetted=person.vetted, programme_id=person.programme_id,
        custom_fields=dict(person.custom_fields),
        channels=schemas.Channels(email=person.channels.email, sms=person.channels.sms),
        quiet_hours=schemas.QuietHours(start=person.quiet_hours_start, end=person.quiet_hours_end),
        created_at=person.created_at, updated_at=person.updated_at,
    )


def import_view(job: ImportJob) -> ImportStatus:
    return ImportStatus(
        id=job.id, status=job.status, total=job.total, processed=job.processed, created=job.created,
        updated=job.updated, unchanged=job.unchanged,
        refused=[RowRefusal(row=r.row, errors=list(r.errors)) for r in job.refused], refused_count=job.refused_count,
        invitations_per_hour=job.invitations_per_hour, invitations_scheduled=job.invitations_scheduled,
        created_at=job.created_at, finished_at=job.finished_at,
    )


def public_view(person: Person) -> schemas.PublicPerson:
    return schemas.PublicPerson(id=person.id, role=person.role, name=person.name, timezone=person.timezone,
                                languages=list(person.languages), interests=list(person.interests), bio=person.bio)


def contact_view(person: Person) -> dict:
    return {
        "person_id": person.id,
        "role": person.role,
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "timezone": person.timezone,
        "languages": list(person.languages),
        "is_minor": person.is_minor,
        "channels": {"email": person.channels.email, "sms": person.channels.sms},
        "quiet_hours": {"start": person.quiet_hours_start, "end": person.quiet_hours_end},
    }
