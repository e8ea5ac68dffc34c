"""Storage of import jobs, the people they write and the invitations they make due."""

from __future__ import annotations

from datetime import datetime, timedelta

from mongoengine import NotUniqueError
from pymongo import ASCENDING, ReturnDocument

from .documents import Person, Programme, utcnow
from .import_documents import COMPLETED, QUEUED, RUNNING, ImportJob, InvitationDue
from .repository import ProfilesRepository

CHUNK = 1000  # person ids per `$in`, so that a large organisation's query stays small


class ImportRepository(ProfilesRepository):
    # -- jobs ------------------------------------------------------------------------------
    def import_job(self, tenant_id: str, job_id: str) -> ImportJob | None:
        return ImportJob.scoped(tenant_id, id=job_id).exclude("csv_zlib").first()

    def claim_import(self, holder: str, lease: timedelta) -> ImportJob | None:
        """Take the oldest queued job, or one whose holder stopped renewing its lease (any organisation)."""
        now = utcnow()
        raw = ImportJob.raw().across_tenants().find_one_and_update(
            {"$or": [{"status": QUEUED}, {"status": RUNNING, "lease_until": {"$lt": now}}]},
            {"$set": {"status": RUNNING, "holder": holder, "lease_until": now + lease}},
            sort=[("created_at", 1)], return_document=ReturnDocument.AFTER,
        )
        return None if raw is None else ImportJob._from_son(raw)

    def record_progress(self, job: ImportJob, holder: str, lease: timedelta, *, done: bool) -> bool:
        """Store the job's counters and renew the lease while this replica still holds it."""
        fields = {
            "processed": job.processed, "created": job.created, "updated": job.updated, "unchanged": job.unchanged,
            "invitations_scheduled": job.invitations_scheduled,
            "refused": [r.to_mongo().to_dict() for r in job.refused], "refused_count": job.refused_count,
            "lease_until": None if done else utcnow() + lease,
        }
        if done:
            fields.update(status=COMPLETED, finished_at=utcnow())
        result = ImportJob.raw().update_one(
            {"_id": job.id, "tenant_id": job.tenant_id, "holder": holder, "status": RUNNING}, {"$set": fields}
        )
        return result.matched_count == 1

    def all_programmes(self, tenant_id: str) -> list[Programme]:
        return list(Programme.scoped(tenant_id).only("custom_fields"))

    # -- people ----------------------------------------------------------------------------
    def person_ids_by_email(self, tenant_id: str) -> dict[str, str]:
        """Every email of the organisation and its person (covered by the (tenant_id, email) index)."""
        return {d["email"]: d["_id"] for d in Person.scoped(tenant_id).only("email").as_pymongo()}

    def insert_people(self, people: list[Person]) -> list[Person]:
        """Insert in one round trip; returns those refused as already registered (a concurrent writer)."""
        if not people:
            return []
        try:
            Person.objects.insert(people, load_bulk=False)
            return []
        except NotUniqueError:
            pass
        taken = []  # one by one now: the bulk insert may have stored some before the duplicate
        stored = {p.id for p in Person.scoped(people[0].tenant_id, id__in=[p.id for p in people]).only("id")}
        for person in people:
            if person.id in stored:
                continue
            try:
                person.save(force_insert=True)
            except NotUniqueError:
                taken.append(person)
        return taken

    # -- invitations -----------------------------------------------------------------------
    def add_invitations(self, invitations: list[InvitationDue]) -> None:
        if invitations:
            InvitationDue.objects.insert(invitations, load_bulk=False)

    def claim_due_invitation(self, now: datetime, lease: timedelta) -> InvitationDue | None:
        """The oldest invitation whose time has come, across organisations (a system job), made due
        again after `lease`: another replica leaves it alone meanwhile, and if this one dies it is
        taken up again then."""
        raw = InvitationDue.raw().across_tenants().find_one_and_update(
            {"sent_at": None, "given_up_at": None, "due_at": {"$lte": now}}, {"$set": {"due_at": now + lease}},
            sort=[("due_at", ASCENDING)], return_document=ReturnDocument.AFTER)
        return None if raw is None else InvitationDue._from_son(raw)

    def mark_invitation_sent(self, invitation: InvitationDue, keep: timedelta) -> None:
        now = utcnow()
        InvitationDue.scoped(invitation.tenant_id, id=invitation.id).update_one(set__sent_at=now,
                                                                                set__forget_at=now + keep)

    def postpone_invitation(self, invitation: InvitationDue, until: datetime, error: str | None = None) -> None:
        """Not yet: due again at `until`; with `error`, one more email the mail server did not take."""
        changes = {"set__due_at": until}
        if error is not None:
            changes |= {"inc__attempts": 1, "set__last_error": error}
        InvitationDue.scoped(invitation.tenant_id, id=invitation.id).update_one(**changes)

    def give_up_invitation(self, invitation: InvitationDue, error: str, keep: timedelta) -> None:
        now = utcnow()
        InvitationDue.scoped(invitation.tenant_id, id=invitation.id).update_one(
            set__given_up_at=now, inc__attempts=1, set__last_error=error, set__forget_at=now + keep)

    def bring_invitation_forward(self, tenant_id: str, person_id: str, now: datetime) -> bool:
        """Make the person's waiting invitation due now (their guardian has just consented)."""
        return bool(InvitationDue.scoped(tenant_id, person_id=person_id, sent_at=None, given_up_at=None)
                    .update(set__due_at=now))

    def invitations_of(self, tenant_id: str, person_id: str) -> list[InvitationDue]:
        """The person's invitations still kept: at most one open, and those sent or given up."""
        return list(InvitationDue.scoped(tenant_id, person_id=person_id))

    def not_signed_in(self, tenant_id: str, *, role=None, programme_id=None, interest=None) -> list[Person]:
        """Everyone who has never signed in, oldest first, with only what deciding on an invitation needs."""
        filters = {k: v for k, v in {"role": role, "programme_id": programme_id, "interests": interest}.items() if v}
        return list(Person.scoped(tenant_id, erased__ne=True, last_signed_in_at=None, **filters)
                    .only("id", "role", "is_minor", "guardian_consent").order_by("id"))

    def invitations_of_people(self, tenant_id: str, person_ids: list[str]) -> list[InvitationDue]:
        chunks = (person_ids[i:i + CHUNK] for i in range(0, len(person_ids), CHUNK))
        return [i for ids in chunks for i in InvitationDue.scoped(tenant_id, person_id__in=ids)]

    def replace_invitations(self, tenant_id: str, invitations: list[InvitationDue]) -> None:
        """New invitations, each instead of one given up (and of any still waiting)."""
        person_ids = [i.person_id for i in invitations]
        for start in range(0, len(person_ids), CHUNK):
            InvitationDue.scoped(tenant_id, person_id__in=person_ids[start:start + CHUNK], sent_at=None).delete()
        self.add_invitations(invitations)

    def drop_unsent_invitations(self, tenant_id: str, person_id: str) -> None:
        """Those waiting, and one given up: a new invitation replaces them."""
        InvitationDue.scoped(tenant_id, person_id=person_id, sent_at=None).delete()

    def drop_invitation(self, invitation: InvitationDue) -> None:
        InvitationDue.scoped(invitation.tenant_id, id=invitation.id).delete()
