"""How single sign-on is stored (alias `profiles`): the organisation's provider, logins in flight,
and the provider accounts already matched to a member of staff or a person."""

from __future__ import annotations

from typing import ClassVar

from mongoengine import BooleanField, DateTimeField, StringField

from ementor.platform.tenancy import TenantDocument

from .documents import ALIAS, new_id, utcnow


class SsoProvider(TenantDocument):
    """One OpenID Provider per organisation; the client secret is kept encrypted (never returned)."""

    id = StringField(primary_key=True, default=new_id)
    issuer = StringField(required=True)
    client_id = StringField(required=True)
    client_secret_encrypted = StringField(required=True)
    staff_enabled = BooleanField(default=True)
    people_enabled = BooleanField(default=True)
    updated_by = StringField()
    updated_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "sso_providers",
                            "indexes": [{"fields": ["tenant_id"], "unique": True}]}


class SsoLogin(TenantDocument):
    """A sign-in sent to the provider and not yet back: `state` finds it, used once."""

    id = StringField(primary_key=True, default=new_id)
    state_hash = StringField(required=True)
    nonce = StringField(required=True)
    code_verifier = StringField(required=True)
    browser_hash = StringField(required=True)  # the cookie set on the browser that started it
    return_to = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(required=True)
    used_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "sso_logins",
        # Found by state before the organisation is known (the callback URL is the same for all).
        "indexes": [{"fields": ["state_hash"], "unique": True},
                    {"fields": ["expires_at"], "expireAfterSeconds": 3600}],
    }


class SsoIdentity(TenantDocument):
    """A provider account (issuer + sub) matched once by verified email to staff or a person."""

    id = StringField(primary_key=True, default=new_id)
    issuer = StringField(required=True)
    subject = StringField(required=True)  # the provider's `sub`
    subject_kind = StringField(required=True, choices=("staff", "person"))
    subject_id = StringField(required=True)
    matched_email = StringField(required=True)
    created_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "sso_identities",
                            "indexes": [{"fields": ["tenant_id", "issuer", "subject"], "unique": True}]}


SSO_DOCUMENTS = (SsoProvider, SsoLogin, SsoIdentity)
