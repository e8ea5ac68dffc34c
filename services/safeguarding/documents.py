"""How safeguarding stores its data: one database, alias `safeguarding`.

Concern details, contacts' addresses and the audit's data stay here: events carry ids only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from bson import ObjectId
from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    EmbeddedDocument,
    EmbeddedDocumentListField,
    IntField,
    StringField,
)

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

ALIAS = "safeguarding"


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    """Now, to the millisecond: what MongoDB keeps, so a value reads back as it was written."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class EscalationStep(EmbeddedDocument):
    """One alert: who (by position, name), when, and what each channel said."""

    step = IntField(required=True)
    to_operator = BooleanField(default=False)
    contact_name = StringField()
    at = DateTimeField(required=True)
    email = StringField()  # "sent", "failed: ...", "none" (no address)
    sms = StringField()


class Concern(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    category = StringField(required=True)
    serious = BooleanField(default=False)
    match_id = StringField()
    mentor_id = StringField()
    mentee_id = StringField()
    message_id = StringField()
    details = StringField()  # what the reporter wrote: leads only, never in an event
    raised_by = StringField(required=True)  # the audit name: person:<id>, or "moderation"
    raised_via = StringField(required=True, choices=("participant", "moderation"))
    status = StringField(required=True, choices=("open", "acknowledged", "resolved"), default="open")
    created_at = DateTimeField(required=True)
    acknowledged_at = DateTimeField()
    acknowledged_by = StringField()
    resolved_at = DateTimeField()
    resolved_by = StringField()
    decision = StringField()
    reason = StringField()
    suspended_person_id = StringField()
    # The escalation clock: the next step is due at next_alert_at unless someone acknowledges first.
    escalation_step = IntField(default=0)
    next_alert_at = DateTimeField()
    escalation = EmbeddedDocumentListField(EscalationStep)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "concerns",
        "indexes": [
            ("tenant_id", "status", "id"),  # a lead's list
            ("tenant_id", "match_id", "status"),  # other open concerns about the match
            ("tenant_id", "raised_by"),  # a person's subject-access export: the concerns they raised
            # The escalation job scans every organisation's due alerts.
            {"fields": ["next_alert_at"], "sparse": True},
        ],
    }


class SafeguardingSettings(TenantDocument):
    """One per organisation: its contacts in order and the time to acknowledge."""

    id = StringField(primary_key=True)  # the tenant id
    contacts = DictField()  # {"items": [{"name", "email", "phone", "staff_id"}]}
    acknowledge_within_minutes = IntField(required=True)
    updated_at = DateTimeField()
    updated_by = StringField()

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "settings", "indexes": []}


class Block(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    pair = StringField(required=True)  # the two ids sorted and joined: one block per pair and direction
    person_id = StringField(required=True)
    blocked_person_id = StringField(required=True)
    match_id = StringField()
    created_at = DateTimeField(required=True)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "blocks",
        "indexes": [{"fields": ["tenant_id", "person_id", "blocked_person_id"], "unique": True}],
    }


class AuditEntry(TenantDocument):
    """One link of the organisation's audit chain; `hash` covers the entry and the previous hash."""

    id = StringField(primary_key=True)  # "<tenant_id>:<seq>"
    seq = IntField(required=True)
    at = StringField(required=True)  # ISO text, so the hashed value is exactly what is stored
    actor = StringField(required=True)
    action = StringField(required=True)
    subject_id = StringField(required=True)
    data = DictField()
    prev_hash = StringField(required=True)
    hash = StringField(required=True)
    event_id = StringField()  # the event a decision came from (moderation, consent): appended once

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "audit",
        "indexes": [{"fields": ["tenant_id", "seq"], "unique": True},
                    {"fields": ["tenant_id", "event_id"], "sparse": True}],
    }


class AuditHead(TenantDocument):
    """The chain's last link per organisation: a deleted tail entry shows as a head ahead of the log."""

    id = StringField(primary_key=True)  # the tenant id
    seq = IntField(required=True)
    hash = StringField(required=True)
    base_seq = IntField()  # retention deleted the entries up to here (an audit_trimmed entry says so)
    base_hash = StringField()

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "audit_heads", "indexes": []}


DOCUMENTS = (Concern, SafeguardingSettings, Block, AuditEntry, AuditHead)
OUTBOX_DOCUMENTS = (Concern, Block)
