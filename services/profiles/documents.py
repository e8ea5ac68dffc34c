"""How profiles are stored: one database, alias `profiles`."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    EmbeddedDocumentListField,
    IntField,
    ListField,
    StringField,
)

from ementor.platform.outbox import OutboxDocument

ALIAS = "profiles"


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    return datetime.now(UTC)


class ApiKey(EmbeddedDocument):
    key_id = StringField(required=True)
    secret_hash = StringField(required=True)
    created_at = DateTimeField(required=True)
    expires_at = DateTimeField()  # set when rotated out; None while current


class Organisation(OutboxDocument):
    """The tenant itself: its tenant_id is its own id, and slugs are unique platform-wide."""

    id = StringField(primary_key=True, default=new_id)
    slug = StringField(required=True, unique=True)
    name = StringField(required=True)
    api_keys = EmbeddedDocumentListField(ApiKey)
    created_at = DateTimeField(default=utcnow)

    meta = {
        "db_alias": ALIAS,
        "collection": "organisations",
        "indexes": [{"fields": ["api_keys.key_id"], "unique": True, "sparse": True}],
    }


class FieldDefinition(EmbeddedDocument):
    key = StringField(required=True)
    label = StringField(required=True)
    type = StringField(required=True, choices=("text", "single_choice", "multiple_choice", "number"))
    options = ListField(StringField())
    required = BooleanField(default=False)


class Programme(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    name = StringField(required=True)
    description = StringField()
    custom_fields = EmbeddedDocumentListField(FieldDefinition)
    created_at = DateTimeField(default=utcnow)

    meta = {
        "db_alias": ALIAS,
        "collection": "programmes",
        "indexes": [{"fields": ["tenant_id", "name"], "unique": True}],
    }


class Channels(EmbeddedDocument):
    email = BooleanField(default=True)
    sms = BooleanField(default=False)
    updated_at = DateTimeField()  # when consent last changed


class Guardian(EmbeddedDocument):
    """A minor mentee's parent or guardian: shown to staff only, never in an event."""

    name = StringField(required=True)
    email = StringField(required=True)


class Person(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    role = StringField(required=True, choices=("mentor", "mentee"))
    name = StringField(required=True)
    email = StringField(required=True)  # lower-cased; unique within the organisation
    phone = StringField()
    timezone = StringField(required=True)
    languages = ListField(StringField())
    interests = ListField(StringField())
    bio = StringField()
    capacity = IntField(default=0)
    is_minor = BooleanField(default=False)
    vetted = BooleanField(default=False)
    programme_id = StringField()
    custom_fields = DictField()
    channels = EmbeddedDocumentField(Channels, default=Channels)
    quiet_hours_start = StringField(default="21:00")
    quiet_hours_end = StringField(default="08:00")
    erased = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Guardian consent (services/profiles/guardians.py); the history is in guardian_consent_history.
    guardian = EmbeddedDocumentField(Guardian)
    guardian_consent = StringField()  # consent.STATES; None on records older than guardian consent
    guardian_consent_at = DateTimeField()  # when the current state was reached
    guardian_consent_by = StringField()  # "guardian" (through the link) or the staff actor who recorded it
    guardian_consent_method = StringField()  # "link" | "offline" | "request" | "system"
    guardian_request_sent_at = DateTimeField()  # when the latest decision link was emailed

    meta = {
        "db_alias": ALIAS,
        "collection": "people",
        "indexes": [
            {"fields": ["tenant_id", "email"], "unique": True},
            ("tenant_id", "role", "_id"),
            ("tenant_id", "programme_id", "_id"),
            ("tenant_id", "interests"),
        ],
    }


DOCUMENTS = (Organisation, Programme, Person)
