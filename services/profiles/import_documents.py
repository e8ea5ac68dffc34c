"""How CSV imports are stored: the job (its file, progress and refusals) and the invitations it made due."""

from __future__ import annotations

from typing import ClassVar

from mongoengine import (
    BinaryField,
    DateTimeField,
    EmbeddedDocument,
    EmbeddedDocumentListField,
    IntField,
    ListField,
    StringField,
)

from ementor.platform.tenancy import TenantDocument

from .documents import ALIAS, new_id, utcnow

QUEUED, RUNNING, COMPLETED = "queued", "running", "completed"


class Refusal(EmbeddedDocument):
    row = IntField(required=True)
    errors = ListField(StringField())


class ImportJob(TenantDocument):
    """One uploaded file. `processed` rows are done; a replica that dies leaves its lease to lapse and
    another resumes from `processed` (upserts by email make a repeated batch harmless)."""

    id = StringField(primary_key=True, default=new_id)
    status = StringField(required=True, default=QUEUED, choices=(QUEUED, RUNNING, COMPLETED))
    csv_zlib = BinaryField(required=True)  # the decoded file, compressed: well under MongoDB's 16 MB
    total = IntField(required=True)
    processed = IntField(default=0)
    created = IntField(default=0)
    updated = IntField(default=0)
    unchanged = IntField(default=0)
    refused = EmbeddedDocumentListField(Refusal)  # the first MAX_REFUSALS_LISTED, in row order
    refused_count = IntField(default=0)
    invitations_per_hour = IntField(default=0)
    programme_id = StringField()  # for each row that names no programme
    invitations_scheduled = IntField(default=0)
    holder = StringField()
    lease_until = DateTimeField()
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "people_imports",
        "indexes": [("status", "lease_until")],
    }


class InvitationDue(TenantDocument):
    """A mentor or mentee to invite to sign in, not before `due_at`: at once when added one by one with
    `invite`, at the import's pace when an import created them (invitations.py). Once sent, or given up
    after the mail server refused it too often, it is kept until `forget_at` so that staff can see it."""

    id = StringField(primary_key=True, default=new_id)
    person_id = StringField(required=True)
    import_id = StringField()  # none for a person added one by one
    due_at = DateTimeField(required=True)
    sent_at = DateTimeField()
    given_up_at = DateTimeField()
    attempts = IntField(default=0)  # emails the mail server did not take
    last_error = StringField()
    forget_at = DateTimeField()  # set once sent or given up

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "invitations_due",
        "indexes": [("sent_at", "given_up_at", "due_at"), ("tenant_id", "person_id"),
                    {"fields": ["forget_at"], "expireAfterSeconds": 0, "sparse": True}],
    }


IMPORT_DOCUMENTS = (ImportJob, InvitationDue)
