"""How messaging stores its data: one database, alias `messaging`.

Conversations and the participant projection are fed by other services' events; messages carry
their own outbox; the audit log is only ever appended to (the repository has no way to change it).
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
    EmbeddedDocumentField,
    EmbeddedDocumentListField,
    FloatField,
    IntField,
    ListField,
    StringField,
)

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

ALIAS = "messaging"

# Conversation states, ranked so that events arriving out of order never move one backwards.
STATUS_RANK = {"proposed": 0, "active": 1, "declined": 1, "ended": 2}


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    """Now, to the millisecond: what MongoDB stores, so an answer matches what is read back later."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Conversation(OutboxDocument):
    """One per match, keyed by the match id; a projection of the match lifecycle events. Its outbox
    carries ConversationRead, written with the read marker it tells of."""

    id = StringField(primary_key=True)  # the match id
    status = StringField(required=True, choices=tuple(STATUS_RANK))
    rank = IntField(required=True)
    mentor_id = StringField(required=True)
    mentee_id = StringField(required=True)
    programme_id = StringField()
    mentee_is_minor = BooleanField(default=True)
    # "profile": from ProfileCreated/Updated or profiles RPC; "assumed": profiles could not say, so strict.
    minor_source = StringField(default="assumed")
    opened_at = DateTimeField()
    ended_at = DateTimeField()
    ended_reason = StringField()
    # Why an active conversation is paused: "guardian_consent" while the minor's consent is not granted.
    paused_for = ListField(StringField())
    # Read state per person: {person_id: {"message_id": ..., "at": delivered_at of that message}}.
    read = DictField()
    retention_due = BooleanField()  # set when the match ends; unset once its messages are deleted
    messages_deleted_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "conversations",
        "indexes": [("tenant_id", "mentor_id"), ("tenant_id", "mentee_id"),
                    # Retention: ended conversations whose messages are still kept (services/messaging/retention.py).
                    {"fields": ["tenant_id", "retention_due", "ended_at"], "sparse": True}],
    }

    @property
    def participants(self) -> tuple[str, str]:
        return self.mentor_id, self.mentee_id

    def other(self, person_id: str) -> str:
        return self.mentee_id if person_id == self.mentor_id else self.mentor_id


class Finding(EmbeddedDocument):
    kind = StringField(required=True)
    text = StringField(required=True)


class Moderation(EmbeddedDocument):
    decision = StringField(required=True, choices=("approved", "rejected", "withdrawn"))
    decided_by = StringField(required=True)  # the decider's audit name (staff:<id>, integration:<key>), or "system"
    decided_at = DateTimeField(required=True)
    reason = StringField()


class Message(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    match_id = StringField(required=True)
    sender_id = StringField(required=True)
    recipient_id = StringField(required=True)
    body = StringField()  # None once the sender is erased
    length = IntField(required=True)
    # delivered: the recipient sees it; held: waiting for a coordinator; rejected: never delivered;
    # withdrawn: held when its sender was erased, so taken out of the queue.
    status = StringField(required=True, choices=("delivered", "held", "rejected", "withdrawn"))
    held_reasons = ListField(StringField())
    findings = EmbeddedDocumentListField(Finding)
    moderation = EmbeddedDocumentField(Moderation)
    created_at = DateTimeField(required=True)
    delivered_at = DateTimeField()
    erased = BooleanField(default=False)
    # Set while an audit entry for this message may still be missing (handlers.repair_audit writes it).
    audit_pending = BooleanField()
    # A card the message carries (an article shared from the knowledge library): {kind, article_id, title}.
    card = DictField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "messages",
        "indexes": [
            ("tenant_id", "match_id", "-id"),
            ("tenant_id", "status", "id"),
            ("tenant_id", "sender_id"),
            ("tenant_id", "moderation.decision", "id"),  # the moderation queue by decision
            {"fields": ["audit_pending"], "sparse": True},
        ],
    }


class AuditEntry(TenantDocument):
    """One moderation decision. Written once, never updated: no code path edits or deletes one."""

    id = StringField(primary_key=True, default=new_id)
    at = DateTimeField(required=True)
    actor = StringField(required=True)  # staff:<id>, integration:<key id>, or "system"
    decision = StringField(required=True, choices=("held", "approved", "rejected", "withdrawn"))
    message_id = StringField(required=True)
    match_id = StringField(required=True)
    reason = StringField()
    held_reasons = ListField(StringField())

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "moderation_audit",
        "indexes": [
            {"fields": ["tenant_id", "message_id", "decision"], "unique": True},
            ("tenant_id", "-id"),
            ("tenant_id", "match_id", "-id"),
        ],
    }


class Participant(TenantDocument):
    """What messaging needs to know about a person: their role and whether they are a minor."""

    id = StringField(primary_key=True)  # the person id
    role = StringField()
    is_minor = BooleanField()
    as_of = DateTimeField()  # time of the newest profile event (or RPC answer) applied
    guardian_consent = StringField()  # a minor mentee's guardian consent state
    consent_at = DateTimeField()  # time of the consent state applied; older ones are ignored
    erased = BooleanField(default=False)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "participants"}


class MessagingSettings(TenantDocument):
    id = StringField(primary_key=True)  # the organisation id
    blocked_words = ListField(StringField())
    hold_contact_details_for_adults = BooleanField(default=True)
    hold_links_for_adults = BooleanField(default=False)
    messages_per_minute = IntField(default=30)
    updated_at = DateTimeField()

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "settings"}


class SendAllowance(TenantDocument):
    """A person's rate-limit state: one GCRA timestamp (seconds since the epoch)."""

    id = StringField(primary_key=True)  # "<organisation id>/<person id>"
    tat = FloatField(required=True)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "send_allowances"}

    @staticmethod
    def key(tenant_id: str, person_id: str) -> str:
        return f"{tenant_id}/{person_id}"


DOCUMENTS = (Conversation, Message, AuditEntry, Participant, MessagingSettings, SendAllowance)
