"""Bulk onboarding use cases: accept a people CSV as a job, run the job in batches, report on it.

`start_import` checks the whole file (encoding, columns, CSV syntax) before storing anything, so a
file that cannot be read imports nothing. `run_import` (called by the import worker in whichever
replica claims the job) validates every row with the rules of `POST /v1/people` (`handlers.new_person`)
and upserts by email: a new email creates a person (ProfileCreated), a changed row updates the
columns the file has (ProfileUpdated when the published profile changed), an identical row changes
nothing.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from ementor_contracts import ProfileCreated, ProfileUpdated
from pydantic import ValidationError

from ementor.platform.errors import Invalid, NotFound
from ementor.platform.principal import Principal

from . import handlers, imports, schemas
from .documents import Channels, Person, Programme, utcnow
from .import_documents import ImportJob, InvitationDue, Refusal
from .import_repository import ImportRepository
from .import_schemas import ImportQuery

BATCH = 500
MAX_REFUSALS_LISTED = 5_000  # keeps the job document well under MongoDB's 16 MB
LEASE = timedelta(seconds=60)
# Person attributes an update copies when the file has the column (other fields keep their values).
COPIED = {
    "name": ("name",), "phone": ("phone",), "timezone": ("timezone",), "languages": ("languages",),
    "interests": ("interests",), "bio": ("bio",), "capacity": ("capacity",), "is_minor": ("is_minor",),
    "vetted": ("vetted",), "programme_id": ("programme_id", "custom_fields"),
    "quiet_hours.start": ("quiet_hours_start",), "quiet_hours.end": ("quiet_hours_end",),
}


def start_import(repo: ImportRepository, auth: Principal, raw: bytes, query: ImportQuery) -> ImportJob:
    people = imports.read(raw)  # raises for the whole file: nothing is stored
    if query.programme_id is not None and repo.programme(auth.tenant_id, query.programme_id) is None:
        raise Invalid(f"programme_id {query.programme_id} is not a programme of this organisation",
                      details=[{"field": "programme_id", "message": "unknown programme"}])
    job = ImportJob(
        tenant_id=auth.tenant_id, csv_zlib=zlib.compress(raw, 1), total=len(people.rows),
        invitations_per_hour=query.invitations_per_hour, programme_id=query.programme_id,
    )
    repo.add(job)
    return job


def custom_field_keys(repo: ImportRepository, tenant_id: str) -> list[str]:
    """Every custom field key of the organisation's programmes, for the template's `custom.<key>` columns."""
    keys: dict[str, None] = {}
    for programme in repo.all_programmes(tenant_id):
        keys.update((f.key, None) for f in programme.custom_fields)
    return list(keys)


def import_status(repo: ImportRepository, auth: Principal, job_id: str) -> ImportJob:
    job = repo.import_job(auth.tenant_id, job_id)
    if job is None:
        raise NotFound(f"no import {job_id} in this organisation")
    return job


def run_import(repo: ImportRepository, job: ImportJob, holder: str, pause=lambda: None) -> bool:
    """Process the job from where it stands, a batch at a time; False if another replica took it over.

    `pause()` runs between batches: the worker yields there so its replica keeps serving requests.
    """
    people = imports.read(zlib.decompress(job.csv_zlib))
    duplicates = imports.duplicate_emails(people.rows)
    programmes: dict[str, Programme | None] = {}
    known = repo.person_ids_by_email(job.tenant_id)  # one query, then one lookup by id per batch
    rows = people.rows
    while job.processed < len(rows):
        batch = rows[job.processed: job.processed + BATCH]
        _run_batch(repo, job, people, batch, duplicates, programmes, known)
        job.processed += len(batch)
        if not repo.record_progress(job, holder, LEASE, done=job.processed >= len(rows)):
            return False
        pause()
    if not rows:
        return repo.record_progress(job, holder, LEASE, done=True)
    return True


def _run_batch(repo, job: ImportJob, people: imports.PeopleFile, batch, duplicates, programmes, known) -> None:
    emails = {row.cells.get("email", "").strip().lower() for row in batch}
    existing = {p.email: p for p in repo.people_by_ids(job.tenant_id, [known[e] for e in emails if e in known])}
    new_people: list[tuple[int, Person]] = []
    for row in batch:
        errors = [duplicates[row.number]] if row.number in duplicates else []
        person = None if errors else _validated(repo, job, people, row, programmes, errors)
        if person is None:
            _refuse(job, row.number, errors)
            continue
        current = existing.get(person.email)
        if current is None:
            person.record(ProfileCreated(**handlers.snapshot(person)))
            new_people.append((row.number, person))
        elif current.role != person.role:
            message = f"role: {person.email} is registered as a {current.role}; a person's role cannot change"
            _refuse(job, row.number, [message])
        elif _update(current, person, people):
            repo.save(current)
            job.updated += 1
        else:
            job.unchanged += 1
    taken = {p.id for p in repo.insert_people([p for _, p in new_people])}
    created = []
    for number, person in new_people:
        if person.id in taken:
            message = f"email: {person.email} was registered meanwhile; import the file again to update it"
            _refuse(job, number, [message])
        else:
            created.append(person)
            known[person.email] = person.id
    job.created += len(created)
    repo.add_invitations(_invitations(job, created))
    job.refused = sorted(job.refused, key=lambda r: r.row)


def _refuse(job: ImportJob, row: int, errors: list[str]) -> None:
    job.refused_count += 1
    if len(job.refused) < MAX_REFUSALS_LISTED:
        job.refused.append(Refusal(row=row, errors=errors))


def _validated(repo, job: ImportJob, people, row, programmes, errors: list[str]) -> Person | None:
    tenant_id = job.tenant_id
    programme_id = row.cells.get("programme_id", "").strip() or job.programme_id
    programme = _programme(repo, tenant_id, programme_id, programmes) if programme_id else None
    if programme_id and programme is None:
        errors.append(f"programme_id: {programme_id} is not a programme of this organisation")
        return None
    payload, errors_of_cells = imports.row_payload(row, handlers.programme_definitions(programme))
    if programme_id:
        payload["programme_id"] = programme_id  # the import's own, for a row that names none
    errors.extend(errors_of_cells)
    if errors:
        return None
    try:
        body = schemas.CreatePerson.model_validate(payload)
        # A file has no guardian columns: a minor's row is refused with the rule's own message.
        person, _ = handlers.new_person(Principal(role="integration", tenant_id=tenant_id), body, programme)
        return person
    except ValidationError as exc:
        errors.extend(imports.pydantic_messages(exc.errors()))
    except Invalid as exc:
        errors.extend(_messages(exc))
    return None


def _programme(repo, tenant_id, programme_id, programmes) -> Programme | None:
    if programme_id not in programmes:
        programmes[programme_id] = repo.programme(tenant_id, programme_id)
    return programmes[programme_id]


def _messages(exc: Invalid) -> list[str]:
    fields = [d.get("field") for d in exc.details or [] if isinstance(d, dict)]
    field = next((f for f in fields if f), None)
    column = {"custom_fields": "custom", "channels.sms": "channels"}.get(field, field)
    return [f"{column}: {exc.message}" if column else exc.message]


def _update(current: Person, incoming: Person, people: imports.PeopleFile) -> bool:
    """Copy the file's columns onto the stored person; True if anything changed (and record the event)."""
    before = handlers.snapshot(current)
    changed_any = False
    attributes = {a for column, names in COPIED.items() if people.has(column) for a in names}
    if people.custom_columns:
        attributes.add("custom_fields")
    for attribute in sorted(attributes):
        value = getattr(incoming, attribute)
        if _plain(getattr(current, attribute)) != _plain(value):
            setattr(current, attribute, value)
            changed_any = True
    if people.has("channels") and (current.channels.email, current.channels.sms) != (
            incoming.channels.email, incoming.channels.sms):
        current.channels = Channels(email=incoming.channels.email, sms=incoming.channels.sms, updated_at=utcnow())
        changed_any = True
    if not changed_any:
        return False
    handlers.check_channels(current)
    current.updated_at = utcnow()
    after = handlers.snapshot(current)
    changed = sorted(k for k in after if k != "person_id" and before[k] != after[k])
    if changed:
        current.record(ProfileUpdated(**after, changed=changed))
    return True


def _plain(value):
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _invitations(job: ImportJob, created: list[Person]) -> list[InvitationDue]:
    """The import's pace: the n-th person created is invited n * 3600 / invitations_per_hour seconds in."""
    if not job.invitations_per_hour:
        return []
    gap = 3600 / job.invitations_per_hour
    start = job.created_at
    invitations = []
    for person in created:
        due_at = start + timedelta(seconds=job.invitations_scheduled * gap)
        invitations.append(InvitationDue(tenant_id=job.tenant_id, person_id=person.id, import_id=job.id, due_at=due_at))
        job.invitations_scheduled += 1
    return invitations
