"""How notifications are stored: one database, alias `notifications`.

No contact details are stored here: addresses and phone numbers are asked of profiles at the
moment of sending, so an erasure or an opt-out applies to everything not yet sent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    EmbeddedDocument,
    IntField,
    ListField,
    MapField,
    StringField,
)
from mongoengine.fields import EmbeddedDocumentField

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

ALIAS = "notifications"

# pending: waiting to be sent (first time or after a transient failure); deferred: waiting for
# the end of the person's quiet hours; sending: claimed by a sender; sent: accepted by the SMTP
# server or Twilio; delivered: Twilio reported delivery; failed: permanently failed (or given up);
# skipped: no longer wanted when its turn came (opted out, erased, minor without SMS permission).
STATUSES = ("pending", "deferred", "sending", "sent", "delivered", "failed", "skipped")
DUE_STATUSES = ("pending", "deferred")
UNSENT_STATUSES = (*DUE_STATUSES, "sending")
# Why a delivery was skipped, as a code the web app words in each language (last_error has it in
# English). read_in_app: a new-message notice whose every message was read first; a new message in
# its window makes it pending again.
READ_IN_APP_CODE, READ_IN_APP = "read_in_app", "read in the app before it went"
SKIP_CODES = (READ_IN_APP_CODE, "email_off", "sms_off", "minors_sms_off", "unknown_or_erased", "no_coordinator_email")
MESSAGE_NOTICE_MINUTES = 10  # at most one "new message" notice per conversation in this long (the default)


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Delivery(OutboxDocument):
    """One notification to one recipient on one channel, with its delivery history."""

    id = StringField(primary_key=True, default=new_id)
    cause_event_id = StringField(required=True)
    cause_event_type = StringField(required=True)
    recipient = StringField(required=True)  # a person id, or "coordinator"
    channel = StringField(required=True, choices=("email", "sms"))
    kind = StringField(required=True)
    about = StringField()  # the other person, named as $other_name
    names = MapField(StringField())  # more people named: template value -> person id
    mentions = ListField(StringField())  # every person named besides the recipient
    values = DictField()  # template values from the event
    # A new-message notice: when the latest message it tells of was delivered. A read up to then
    # (ConversationRead) makes it needless while it waits.
    told_until = DateTimeField()
    status = StringField(required=True, choices=STATUSES, default="pending")
    skip_code = StringField(choices=SKIP_CODES)  # why it was skipped
    attempts = IntField(default=0)
    next_attempt_at = DateTimeField()
    claimed_until = DateTimeField()
    claim = StringField()
    subject = StringField()
    provider_id = StringField()  # Twilio message sid, or the email's Message-ID
    provider_status = StringField()
    last_error = StringField()
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField()

    meta = {  # noqa: RUF012 - mongoengine reads it from the class
        "db_alias": ALIAS,
        "collection": "deliveries",
        "indexes": [
            # Exactly one notification per (event, recipient, channel) in an organisation.
            {"fields": ["tenant_id", "cause_event_id", "recipient", "channel"], "unique": True},
            ("tenant_id", "recipient", "-id"),
            ("tenant_id", "-id"),
            ("tenant_id", "mentions"),
            # The senders' claim query spans organisations (a system job, like the outbox relay).
            ("status", "next_attempt_at"),
            ("status", "claimed_until"),
        ],
    }


class MatchProjection(TenantDocument):
    """What this service knows of a match from events: its people and when it last had a message."""

    id = StringField(primary_key=True, default=new_id)
    match_id = StringField(required=True)
    status = StringField(default="unknown")  # unknown (only messages seen yet) | active | ended
    mentor_id = StringField()
    mentee_id = StringField()
    programme_id = StringField()
    accepted_at = DateTimeField()
    ended_at = DateTimeField()
    last_message_at = DateTimeField()
    idle_since = DateTimeField()  # the later of acceptance and the last message
    nudged_for = DateTimeField()  # the idle_since of the quiet spell already nudged
    nudged_at = DateTimeField()
    escalated_for = DateTimeField()
    settled = BooleanField(default=False)  # nothing more to do for this quiet spell

    meta = {  # noqa: RUF012 - mongoengine reads it from the class
        "db_alias": ALIAS,
        "collection": "matches",
        "indexes": [
            {"fields": ["tenant_id", "match_id"], "unique": True},
            ("tenant_id", "mentor_id"),
            ("tenant_id", "mentee_id"),
            # The nudge job looks across organisations for quiet active matches.
            ("status", "settled", "idle_since"),
        ],
    }


class TemplateOverride(EmbeddedDocument):
    subject = StringField()
    text = StringField()
    html = StringField()
    sms = StringField()


class OrganisationSettings(TenantDocument):
    """An organisation's notification settings; one document, whose id is the organisation's."""

    id = StringField(primary_key=True)
    coordinator_email = StringField()
    organisation_name = StringField()
    sign_off = StringField()
    sms_from = StringField()
    messaging_service_sid = StringField()
    allow_sms_to_minors = BooleanField(default=False)
    nudge_after_days = IntField(default=14)
    escalate_after_days = IntField(default=7)
    message_notice_minutes = IntField(default=MESSAGE_NOTICE_MINUTES)
    templates = MapField(EmbeddedDocumentField(TemplateOverride))
    updated_at = DateTimeField(default=utcnow)

    meta = {"db_alias": ALIAS, "collection": "settings"}  # noqa: RUF012


DOCUMENTS = (Delivery, MatchProjection, OrganisationSettings)
