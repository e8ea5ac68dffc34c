"""Storage of import jobs, the people they write and the invitations they make due."""

from __future__ import annotations

from datetime import datetime, timedelta

from mongoengine import NotUniqueError
from pymongo import ASCENDING, ReturnDocument

from .documents import Person, Programme, new_id, utcnow
from .import_documents import COMPLETED, QUEUED, RUNNING, ImportJob, InvitationDue
from .repository import ProfilesRepository


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

    def mark_invitation_sent(self, invitation: InvitationDue, keep: timedelta, *, at: datetime | None = None) -> None:
        at = at or utcnow()
        InvitationDue.scoped(invitation.tenant_id, id=invitation.id).update_one(set__sent_at=at,
                                                                                set__forget_at=at + keep)

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

    def not_signed_in(self, tenant_id: str, *, role=None, programme_id=None, interest=None) -> list[dict]:
        """Everyone who has never signed in, oldest first: their id and what their consent depends on
        (raw: an organisation's whole list is read, and documents would cost more than the reading)."""
        query = {"tenant_id": tenant_id, "erased": {"$ne": True}, "last_signed_in_at": None}
        query |= {k: v for k, v in (("role", role), ("programme_id", programme_id), ("interests", interest)) if v}
        return list(Person.raw().find(query, {"role": 1, "is_minor": 1, "guardian_consent": 1}).sort("_id", ASCENDING))

    def invitations_holding_back(self, tenant_id: str, sent_since: datetime) -> list[dict]:
        """The organisation's invitations that decide whether someone gets a new one: those still waiting,
        those given up (a new one replaces them) and those sent since `sent_since`."""
        return list(InvitationDue.raw().find(
            {"tenant_id": tenant_id, "$or": [{"sent_at": None}, {"sent_at": {"$gt": sent_since}}]},
            {"person_id": 1, "sent_at": 1, "given_up_at": 1}))

    def replace_invitations(self, tenant_id: str, due: list[tuple[str, datetime]], given_up: list[str]) -> None:
        """New invitations, (person id, due at) each, and the given-up ones (by id) they replace."""
        if given_up:
            InvitationDue.raw().delete_many({"tenant_id": tenant_id, "_id": {"$in": given_up}})
        if due:
            InvitationDue.raw().insert_many([{"_id": new_id(), "tenant_id": tenant_id, "person_id": person_id,
                                              "due_at": due_at, "attempts": 0} for person_id, due_at in due])

    def drop_unsent_invitations(self, tenant_id: str, person_id: str) -> None:
        """Those waiting, and one given up: a new invitation replaces them."""
        InvitationDue.scoped(tenant_id, person_id=person_id, sent_at=None).delete()

    def drop_invitation(self, invitation: InvitationDue) -> None:
        InvitationDue.scoped(invitation.tenant_id, id=invitation.id).delete()
