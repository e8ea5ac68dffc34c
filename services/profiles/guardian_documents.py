"""How guardian consent links, the consent history and guardians' session invitations are stored (alias
`profiles`)."""

from __future__ import annotations

from datetime import timedelta
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


# A guardian's address and a child's session times are kept this long after the session's end (or its
# cancellation, when that came first), then MongoDB's TTL monitor deletes the record: nothing more
# can happen to the session by then.
INVITATION_KEPT = timedelta(days=30)


class GuardianInvitation(TenantDocument):
    """A minor's session whose guardian profiles emailed an invitation (guardian_invites.py), keyed by video's
    session id: what time they were last sent, and whether they have been told it is cancelled. A cancellation
    that comes first is kept too (`invited_at` empty), so an invitation sent meanwhile is followed by it."""

    id = StringField(primary_key=True)  # the session id
    mentee_id = StringField(required=True)
    guardian_email = StringField()  # who was sent it: a guardian changed since is not written to about it
    starts_at = DateTimeField()  # as last sent to the guardian
    ends_at = DateTimeField()
    invited_at = DateTimeField()
    cancelled_at = DateTimeField()
    cancellation_sent_at = DateTimeField()  # claimed before sending, so it is sent once
    forget_at = DateTimeField()  # INVITATION_KEPT after the session's end (or a first cancellation)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "guardian_session_invitations",
        "indexes": [("tenant_id", "mentee_id"),  # erasure forgets a child's
                    {"fields": ["forget_at"], "expireAfterSeconds": 0, "sparse": True}],
    }


GUARDIAN_DOCUMENTS = (GuardianLink, GuardianConsentEntry, GuardianInvitation)
