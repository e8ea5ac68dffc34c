"""How guardian consent links and the consent history are stored (alias `profiles`)."""

from __future__ import annotations

from typing import ClassVar

from mongoengine import DateTimeField, StringField

from ementor.platform.tenancy import TenantDocument

from .documents import ALIAS, new_id, utcnow


class GuardianLink(TenantDocument):
    """A single-use link token sent to a guardian: only its hash is kept."""

    id = StringField(primary_key=True, default=new_id)
    token_hash = StringField(required=True)
    purpose = StringField(required=True, choices=("decide", "withdraw"))
    person_id = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(required=True)
    used_at = DateTimeField()
    revoked_at = DateTimeField()  # a newer link, or a staff decision, replaced it

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "guardian_links",
        # Looked up by hash before the tenant is known (the link is the only credential).
        "indexes": [{"fields": ["token_hash"], "unique": True}, ("tenant_id", "person_id", "purpose")],
    }


class GuardianConsentEntry(TenantDocument):
    """One step of a person's consent history. Appended, never changed (the repository cannot)."""

    id = StringField(primary_key=True, default=new_id)
    person_id = StringField(required=True)
    at = DateTimeField(required=True)
    state = StringField(required=True)  # the state after this step
    action = StringField(required=True, choices=("requested", "grant", "decline", "withdraw", "not_required"))
    method = StringField(required=True, choices=("link", "offline", "request", "system"))
    actor = StringField(required=True)  # "guardian", a staff actor (e.g. "staff:<id>"), or "system"
    evidence = StringField()  # what staff recorded offline, e.g. "signed paper form, 2026-09-01"
    ip_hash = StringField()  # keyed hash of the address a link decision came from
    link_id = StringField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "guardian_consent_history",
        "indexes": [("tenant_id", "person_id", "at")],
    }


GUARDIAN_DOCUMENTS = (GuardianLink, GuardianConsentEntry)
