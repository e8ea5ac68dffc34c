"""The import job against the store: resumed after a replica dies, and invitations made due at the set pace."""

from datetime import timedelta

import pytest

from ementor.platform import mongo
from ementor.platform.principal import Principal
from services.profiles import import_jobs, invitations
from services.profiles.documents import DOCUMENTS, Organisation, Person, utcnow
from services.profiles.import_documents import IMPORT_DOCUMENTS, InvitationDue
from services.profiles.import_repository import ImportRepository
from services.profiles.import_schemas import ImportQuery

from .test_invitations import LINKS, Mailbox

pytestmark = pytest.mark.integration

AUTH = Principal(role="coordinator", tenant_id="org-a")


@pytest.fixture
def repo(mongodb):
    mongo.open_database("profiles", mongodb, (*DOCUMENTS, *IMPORT_DOCUMENTS))
    Organisation(id=AUTH.tenant_id, tenant_id=AUTH.tenant_id, slug="northside", name="Northside School").save()
    return ImportRepository()


def people_csv(rows: int) -> bytes:
    lines = ["role,name,email,timezone"] + [f"mentee,Person {i},p{i}@example.org,UTC" for i in range(rows)]
    return "\n".join(lines).encode()


class DiesAfterFirstBatch(ImportRepository):
    def record_progress(self, job, holder, lease, *, done):
        super().record_progress(job, holder, lease, done=done)
        raise RuntimeError("the replica died")  # after its first batch was recorded


def test_a_job_whose_replica_died_is_resumed_by_another_from_its_last_batch(repo, monkeypatch):
    monkeypatch.setattr(import_jobs, "BATCH", 4)
    job = import_jobs.start_import(repo, AUTH, people_csv(10), ImportQuery(invitations_per_hour=0))
    claimed = repo.claim_import("replica-a", import_jobs.LEASE)
    with pytest.raises(RuntimeError):
        import_jobs.run_import(DiesAfterFirstBatch(), claimed, "replica-a")
    assert repo.claim_import("replica-b", import_jobs.LEASE) is None, "the lease still holds"

    repo.import_job(AUTH.tenant_id, job.id).update(lease_until=utcnow() - timedelta(seconds=1))
    resumed = repo.claim_import("replica-b", import_jobs.LEASE)
    assert resumed.id == job.id and resumed.processed == 4
    assert import_jobs.run_import(repo, resumed, "replica-b") is True

    done = repo.import_job(AUTH.tenant_id, job.id)
    assert (done.status, done.processed, done.created, done.refused) == ("completed", 10, 10, [])
    assert Person.scoped(AUTH.tenant_id).count() == 10
    assert not import_jobs.run_import(repo, claimed, "replica-a"), "the replica that lost the job stops"


def test_invitations_are_due_at_the_pace_set_and_only_for_people_the_import_created(repo):
    job = import_jobs.start_import(repo, AUTH, people_csv(3), ImportQuery(invitations_per_hour=60))
    import_jobs.run_import(repo, repo.claim_import("replica-a", import_jobs.LEASE), "replica-a")
    due = sorted(InvitationDue.scoped(AUTH.tenant_id), key=lambda i: i.due_at)
    assert [(i.due_at - due[0].due_at).total_seconds() for i in due] == [0, 60, 120]
    assert {i.import_id for i in due} == {job.id}

    mail = Mailbox()
    assert invitations.send_due(repo, mail, LINKS) == 1
    first = Person.scoped(AUTH.tenant_id, id=due[0].person_id).first()
    assert [to for to, _, _ in mail.sent] == [first.email], "only the first is due yet; the others wait their minute"

    again = import_jobs.start_import(repo, AUTH, people_csv(3), ImportQuery(invitations_per_hour=60))
    import_jobs.run_import(repo, repo.claim_import("replica-a", import_jobs.LEASE), "replica-a")
    assert repo.import_job(AUTH.tenant_id, again.id).invitations_scheduled == 0
    assert InvitationDue.scoped(AUTH.tenant_id).count() == 3
