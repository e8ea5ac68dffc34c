"""How integrations are stored: one database, alias `integrations`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from bson import ObjectId
from mongoengine import (
    DateTimeField,
    EmbeddedDocument,
    EmbeddedDocumentListField,
    IntField,
    ListField,
    StringField,
)

from ementor.platform.tenancy import TenantDocument

ALIAS = "integrations"

ACTIVE, DISABLED = "active", "disabled"
PENDING, SUCCEEDED, FAILED, CANCELLED = "pending", "succeeded", "failed", "cancelled"
# Finished deliveries stay in the log this long.
LOG_RETENTION_DAYS = 30


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Webhook(TenantDocument):
    id = StringField(primary_key=True, default=new_id)
    url = StringField(required=True)
    description = StringField()
    event_types = ListField(StringField(), required=True)
    # The signing secret has to be readable to sign with; it is never shown after creation.
    secret = StringField(required=True)
    status = StringField(required=True, choices=(ACTIVE, DISABLED), default=ACTIVE)
    disabled_reason = StringField()
    disabled_at = DateTimeField()
    created_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "webhooks",
        "indexes": [("tenant_id", "status", "_id")],
    }


class Attempt(EmbeddedDocument):
    at = DateTimeField(required=True)
    status_code = IntField()
    error = StringField()
    duration_ms = IntField()


class Delivery(TenantDocument):
    """One event for one webhook: unique, so an event handled twice is still delivered once."""

    id = StringField(primary_key=True, default=new_id)
    webhook_id = StringField(required=True)
    event_id = StringField(required=True)
    event_type = StringField(required=True)
    body = StringField(required=True)  # the exact bytes signed and sent
    status = StringField(required=True, choices=(PENDING, SUCCEEDED, FAILED, CANCELLED), default=PENDING)
    attempts = IntField(default=0)  # in the current round (a replay starts a new one)
    # Set while the delivery waits for an attempt; a sender claims it by pushing it forward.
    next_attempt_at = DateTimeField()
    claimed_by = StringField()  # the token of the sender's last claim: how a contested claim tells its own
    last_attempt_at = DateTimeField()
    last_status_code = IntField()
    last_error = StringField()
    history = EmbeddedDocumentListField(Attempt)
    created_at = DateTimeField(default=utcnow)
    expire_at = DateTimeField()  # set when finished; MongoDB removes it then

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "deliveries",
        "indexes": [
            {"fields": ["tenant_id", "webhook_id", "event_id"], "unique": True},
            ("tenant_id", "webhook_id", "-_id"),
            # The sender's queue works across organisations, like the outbox relay.
            {"fields": ["next_attempt_at"], "sparse": True},
            {"fields": ["expire_at"], "expireAfterSeconds": 0, "sparse": True},
        ],
    }


class AmqpAccess(TenantDocument):
    """The organisation's RabbitMQ user (its password is shown once and never stored)."""

    id = StringField(primary_key=True)  # the tenant id: one user per organisation
    username = StringField(required=True)
    vhost = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    rotated_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "amqp_access"}


DOCUMENTS = (Webhook, Delivery, AmqpAccess)
