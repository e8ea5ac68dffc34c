"""How the staff second factor is stored (alias `profiles`): each organisation's policy, each
member of staff's TOTP factor, and the short-lived challenges between sign-in and session."""

from __future__ import annotations

from typing import ClassVar

from mongoengine import BooleanField, DateTimeField, IntField, ListField, StringField

from ementor.platform.tenancy import TenantDocument

from .documents import ALIAS, new_id, utcnow


class SignInPolicy(TenantDocument):
    id = StringField(primary_key=True, default=new_id)
    staff_totp_required = BooleanField(default=False)
    updated_by = StringField()
    updated_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "sign_in_policies",
                            "indexes": [{"fields": ["tenant_id"], "unique": True}]}


class TotpFactor(TenantDocument):
    """A member of staff's authenticator: the seed encrypted, the last time step used (no replay)."""

    id = StringField(primary_key=True, default=new_id)
    staff_id = StringField(required=True)
    secret_encrypted = StringField(required=True)
    confirmed_at = DateTimeField()  # None until the first code proves the app has the seed
    last_step = IntField(default=-1)  # codes of this time step or earlier are refused
    recovery_hashes = ListField(StringField())  # SHA-256 of each unused recovery code
    created_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "totp_factors",
                            "indexes": [{"fields": ["tenant_id", "staff_id"], "unique": True}]}


class TotpChallenge(TenantDocument):
    """Issued when a sign-in proved the first factor; exchanged once for a session with a code."""

    id = StringField(primary_key=True, default=new_id)
    challenge_hash = StringField(required=True)
    staff_id = StringField(required=True)
    return_to = StringField()
    expires_at = DateTimeField(required=True)
    used_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "totp_challenges",
        "indexes": [{"fields": ["challenge_hash"], "unique": True},
                    {"fields": ["expires_at"], "expireAfterSeconds": 3600}],
    }


TOTP_DOCUMENTS = (SignInPolicy, TotpFactor, TotpChallenge)
