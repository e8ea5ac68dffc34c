"""The staff second factor (TOTP, RFC 6238): required per organisation by an admin.

After a sign-in link or SSO proves who a member of staff is, they get a challenge instead of a
session; the challenge plus a code from their authenticator (or a recovery code) opens the session.
A code works once: the factor keeps the last time step used and accepts only later ones, with one
conditional update, so a replayed or raced code is refused. Wrong codes are counted per member of
staff by the platform limiter (5 per 15 minutes), and the answer is then 429.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pyotp
from mongoengine.errors import NotUniqueError

from ementor.platform.errors import BadInput, Conflict, NotFound
from ementor.platform.principal import Principal
from ementor.platform.ratelimit import Limit, Limiter

from . import domain
from .accounts import Subject, aware
from .documents import utcnow
from .repository import ProfilesRepository
from .sso import Keys
from .sso_schemas import SecondFactorRequired, TotpEnrolment, TotpVerify
from .totp_documents import SignInPolicy, TotpChallenge, TotpFactor

CHALLENGE_TTL = timedelta(minutes=5)
FAILURES = Limit(5, per_seconds=900)
RECOVERY_CODES = 10
ISSUER = "ementor"


def staff_required(tenant_id: str) -> bool:
    policy = SignInPolicy.scoped(tenant_id).first()
    return bool(policy and policy.staff_totp_required)


def set_policy(auth: Principal, required: bool) -> None:
    SignInPolicy.scoped(auth.tenant_id).update_one(
        set__staff_totp_required=required, set__updated_by=auth.actor, set__updated_at=utcnow(), upsert=True)


def needs_second_factor(subject: Subject) -> bool:
    return subject.kind == "staff" and staff_required(subject.tenant_id)


def challenge(subject: Subject, return_to: str | None = None) -> SecondFactorRequired:
    plaintext = secrets.token_urlsafe(32)
    TotpChallenge(tenant_id=subject.tenant_id, challenge_hash=domain.hash_secret(plaintext), staff_id=subject.id,
                  return_to=return_to, expires_at=utcnow() + CHALLENGE_TTL).save(force_insert=True)
    factor = TotpFactor.scoped(subject.tenant_id, staff_id=subject.id).first()
    enrolled = factor is not None and factor.confirmed_at is not None
    return SecondFactorRequired(second_factor="totp" if enrolled else "totp_enrolment", challenge=plaintext,
                                expires_in=int(CHALLENGE_TTL.total_seconds()))


def enrol(repo: ProfilesRepository, keys: Keys, challenge_token: str) -> TotpEnrolment:
    found = _challenge(challenge_token)
    staff = _staff(repo, found)
    factor = TotpFactor.scoped(found.tenant_id, staff_id=found.staff_id).first()
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("an authenticator is already enrolled: send its code, or ask an admin to reset it",
                       code="totp_already_enrolled")
    secret = pyotp.random_base32()
    if factor is None:
        factor = TotpFactor(tenant_id=found.tenant_id, staff_id=found.staff_id)
    factor.secret_encrypted, factor.last_step = keys.encrypt(secret), -1
    try:
        factor.save()
    except NotUniqueError:
        raise Conflict("enrolment is under way in another window: use that one", code="totp_enrolment_busy") from None
    organisation = repo.organisation(found.tenant_id)
    uri = pyotp.TOTP(secret).provisioning_uri(name=f"{staff.email} ({organisation.slug})", issuer_name=ISSUER)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


def verify(repo: ProfilesRepository, keys: Keys, limiter: Limiter, body: TotpVerify
           ) -> tuple[Subject, list[str] | None, str | None]:
    """The subject to open a session for, the recovery codes when this confirmed enrolment, and return_to."""
    if (body.code is None) == (body.recovery_code is None):
        raise BadInput("send either a 6-digit code or a recovery code", code="totp_code_missing")
    found = _challenge(challenge_token=body.challenge)
    staff = _staff(repo, found)
    scope = f"totp:{found.tenant_id}:{found.staff_id}"
    limiter.check(FAILURES, scope)
    factor = TotpFactor.scoped(found.tenant_id, staff_id=found.staff_id).first()
    if factor is None:
        raise Conflict("no authenticator is enrolled yet: enrol first (POST /v1/auth/totp/enrol)",
                       code="totp_not_enrolled")
    try:
        confirming = factor.confirmed_at is None
        if body.recovery_code is not None:
            _use_recovery_code(factor, body.recovery_code)
        else:
            _use_code(factor, keys.decrypt(factor.secret_encrypted), body.code)
    except BadInput:
        limiter.failed(FAILURES, scope)
        raise
    if TotpChallenge.scoped(found.tenant_id, id=found.id, used_at=None).update(set__used_at=utcnow()) != 1:
        raise BadInput("this sign-in has already been completed: sign in again", code="totp_challenge_used")
    codes = _new_recovery_codes(factor) if confirming else None
    return Subject(found.tenant_id, "staff", staff.id, staff.role), codes, found.return_to


def reset(auth: Principal, staff_id: str) -> None:
    if TotpFactor.scoped(auth.tenant_id, staff_id=staff_id).delete() == 0:
        raise NotFound(f"member of staff {staff_id} has no authenticator enrolled", code="totp_not_enrolled")


def _use_code(factor: TotpFactor, secret: str, code: str) -> None:
    totp, now = pyotp.TOTP(secret), time.time()
    # the code of the previous, current or next 30-second step (clocks drift)
    steps = [totp.timecode(now) + drift for drift in (0, -1, 1)]
    step = next((s for s in steps if secrets.compare_digest(totp.generate_otp(s), code)), None)
    if step is None:
        raise BadInput("that code is not right: check the authenticator app's clock and try the current code",
                       code="totp_code_invalid")
    update = {"set__last_step": step}
    if factor.confirmed_at is None:
        update["set__confirmed_at"] = utcnow()
    if TotpFactor.scoped(factor.tenant_id, id=factor.id, last_step__lt=step).update(**update) != 1:
        raise BadInput("that code has already been used: wait for the next one", code="totp_code_used")


def _use_recovery_code(factor: TotpFactor, code: str) -> None:
    digest = domain.hash_secret(code.strip().lower().replace(" ", ""))
    if factor.confirmed_at is None or TotpFactor.scoped(factor.tenant_id, id=factor.id, recovery_hashes=digest).update(
            pull__recovery_hashes=digest) != 1:
        raise BadInput("that recovery code is not right or was used before", code="totp_recovery_code_invalid")


def _new_recovery_codes(factor: TotpFactor) -> list[str]:
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    TotpFactor.scoped(factor.tenant_id, id=factor.id).update(
        set__recovery_hashes=[domain.hash_secret(c) for c in codes])
    return codes


def _challenge(challenge_token: str) -> TotpChallenge:
    # Found by its hash before the organisation is known (the challenge is the credential).
    found = TotpChallenge.objects.across_tenants().filter(challenge_hash=domain.hash_secret(challenge_token)).first()
    if found is None:
        raise BadInput("this sign-in step is not valid: sign in again", code="totp_challenge_invalid")
    if found.used_at is not None:
        raise BadInput("this sign-in has already been completed: sign in again", code="totp_challenge_used")
    if aware(found.expires_at) <= utcnow():
        raise BadInput("this sign-in step took too long: sign in again", code="totp_challenge_expired")
    return found


def _staff(repo: ProfilesRepository, found: TotpChallenge):
    staff = repo.staff_member(found.tenant_id, found.staff_id)
    if staff is None or staff.status == "removed":
        raise BadInput("this account no longer has access", code="totp_challenge_invalid")
    return staff
