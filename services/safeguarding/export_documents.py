"""How subject-access exports are stored (alias `safeguarding`): the request, and one part per service.

A part is the service's answer to `export_person`, compressed (zlib JSON), in its own document so
that no export comes near MongoDB's 16 MB document limit. Both expire `KEEP_DAYS` after the
export is ready; the audit chain keeps that it was asked for and delivered.
"""

from __future__ import annotations

from typing import ClassVar

from mongoengine import BinaryField, BooleanField, DateTimeField, IntField, ListField, StringField

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

from .documents import ALIAS, new_id

KEEP_DAYS = 30


class DataExport(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    person_id = StringField(required=True)
    requested_by = StringField(required=True)  # the audit name: person:<id>, staff:<id>, integration:<key>
    on_behalf = BooleanField(default=False)
    status = StringField(required=True, choices=("gathering", "ready", "refused"), default="gathering")
    done = ListField(StringField())  # services whose part is stored
    waiting_for = ListField(StringField())  # services that did not answer on the last try
    attempts = IntField(default=0)
    problem = StringField()  # why it was refused (the person no longer exists)
    created_at = DateTimeField(required=True)
    ready_at = DateTimeField()
    # The gathering job's clock: due at next_try_at (a claim moves it on by the lease); unset when done.
    next_try_at = DateTimeField()
    expires_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "data_exports",
        "indexes": [
            ("tenant_id", "person_id", "-id"),  # a person's exports, newest first
            {"fields": ["next_try_at"], "sparse": True},  # the gathering job, across organisations
            {"fields": ["expires_at"], "expireAfterSeconds": 0, "sparse": True},
        ],
    }


class DataExportPart(TenantDocument):
    id = StringField(primary_key=True)  # "<export id>:<service>"
    export_id = StringField(required=True)
    service = StringField(required=True)
    data = BinaryField(required=True)  # zlib-compressed JSON of {"service", "summary", "data"}
    created_at = DateTimeField(required=True)
    expires_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "data_export_parts",
        "indexes": [
            ("tenant_id", "export_id"),
            {"fields": ["expires_at"], "expireAfterSeconds": 0, "sparse": True},
        ],
    }


EXPORT_DOCUMENTS = (DataExport, DataExportPart)
EXPORT_OUTBOX_DOCUMENTS = (DataExport,)
