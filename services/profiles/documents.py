"""How profiles are stored: one database, alias `profiles`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

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
from ementor.platform.tenancy import TenantDocument

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
    read_only = BooleanField(default=False)  # its tokens may only read (GET)


class Organisation(OutboxDocument):
    """The tenant itself: its tenant_id is its own id, and slugs are unique platform-wide."""

    id = StringField(primary_key=True, default=new_id)
    slug = StringField(required=True, unique=True)
    name = StringField(required=True)
    api_keys = EmbeddedDocumentListField(ApiKey)
    created_at = DateTimeField(default=utcnow)
    disabled_at = DateTimeField()  # set by the operator: its keys and tokens stop working

    meta: ClassVar[dict] = {
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

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "programmes",
        "indexes": [{"fields": ["tenant_id", "name"], "unique": True}, ("tenant_id", "id")],
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
    locale = StringField()  # domain.LOCALES: the app's and emails' language; None = the browser's / English
    availability = StringField()  # free text: when the person is usually free
    capacity = IntField(default=0)
    is_minor = BooleanField(default=False)
    vetted = BooleanField(default=False)  # vetting_level != "none" (kept for older readers)
    vetting_level = StringField()  # VETTING_LEVELS; None on records older than levels (vetting.level_of)
    vetting_recorded_by = StringField()  # the staff actor who recorded the level
    vetting_recorded_at = DateTimeField()
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
    last_signed_in_at = DateTimeField()  # the latest session they opened (accounts.open_session)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "people",
        "indexes": [
            {"fields": ["tenant_id", "email"], "unique": True},
            ("tenant_id", "role", "_id"),
            ("tenant_id", "programme_id", "_id"),
            ("tenant_id", "interests"),
            ("tenant_id", "id"),  # the organisation's list, by id
            ("tenant_id", "last_signed_in_at", "_id"),  # who has not signed in yet
        ],
    }


class Staff(OutboxDocument):
    """A named member of an organisation's staff; removed staff stay (audit entries name them)."""

    id = StringField(primary_key=True, default=new_id)
    name = StringField(required=True)
    email = StringField(required=True)  # lower-cased
    role = StringField(required=True, choices=("admin", "coordinator", "safeguarding_lead"))
    status = StringField(required=True, default="invited", choices=("invited", "active", "removed"))
    locale = StringField()  # domain.LOCALES: the language of their emails; None = English
    invited_by = StringField()  # the inviter's audit name
    created_at = DateTimeField(default=utcnow)
    removed_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "staff",
        "indexes": [("tenant_id", "email"), ("tenant_id", "status", "_id"), ("tenant_id", "_id")],
    }


class SignInLink(TenantDocument):
    """A single-use link token (sign-in or staff invitation); only its hash is stored."""

    id = StringField(primary_key=True, default=new_id)
    token_hash = StringField(required=True, unique=True)
    purpose = StringField(required=True, choices=("sign_in", "invitation"))
    subject_kind = StringField(required=True, choices=("staff", "person"))
    subject_id = StringField(required=True)
    expires_at = DateTimeField(required=True)
    used_at = DateTimeField()

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "sign_in_links", "indexes": [("tenant_id", "subject_id")]}


class Session(OutboxDocument):
    """A signed-in human's session: refreshed with a rotating refresh token, revoked on sign-out."""

    id = StringField(primary_key=True, default=new_id)
    subject_kind = StringField(required=True, choices=("staff", "person"))
    subject_id = StringField(required=True)
    role = StringField(required=True)
    refresh_hash = StringField(required=True, unique=True)
    previous_refresh_hashes = ListField(StringField())  # a reuse of one of these revokes the session
    csrf_token = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(required=True)
    revoked_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "sessions",
        "indexes": [("tenant_id", "subject_id"), "previous_refresh_hashes"],
    }


DOCUMENTS = (Organisation, Programme, Person, Staff, SignInLink, Session)
OUTBOX_DOCUMENTS = (Organisation, Programme, Person, Staff, Session)
