"""Bearer tokens: the operator's static token, and signed JWTs every service verifies locally."""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
import uuid

import jwt

from ..errors import Unauthenticated
from ..principal import PERSON_ROLES, TOKEN_ROLES, Principal, Role

ISSUER = "ementor"
ALGORITHM = "HS256"


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("missing Authorization header: send 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def is_operator_token(token: str, admin_token: str) -> bool:
    return hmac.compare_digest(token.encode(), admin_token.encode())


def key_id(secret: str) -> str:
    """The `kid` of a signing secret: names it without revealing it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def issue_token(
    secret: str,
    *,
    tenant_id: str,
    role: Role,
    person_id: str | None = None,
    staff_id: str | None = None,
    api_key_id: str | None = None,
    session_id: str | None = None,
    read_only: bool = False,
    ttl: int = 3600,
) -> str:
    now = time.time()
    claims = {
        "iss": ISSUER,
        "sub": person_id or staff_id or api_key_id or f"coordinator:{tenant_id}",
        "tid": tenant_id,
        "role": role,
        "iat": round(now, 3),  # to the millisecond: a token issued just after a revocation stays valid
        "exp": int(now) + ttl,
        "jti": uuid.uuid4().hex,
    }
    optional = {"pid": person_id, "stf": staff_id, "akid": api_key_id, "sid": session_id,
                "scope": "read" if read_only else None}
    claims.update({name: value for name, value in optional.items() if value})
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": key_id(secret)})


VERIFIED_TOKENS_KEPT = 4096  # a user's access token is sent with every request until it expires


def verify_token(secret: str, token: str, previous_secret: str | None = None) -> Principal:
    """The principal of a token signed with the current secret or, during a rotation, the previous one.

    A token once verified is remembered until it expires: the signature and claims of the same
    bytes cannot change, and checking them again was the largest share of an API call's own CPU.
    Revocation and disabled organisations are checked by the caller on every request."""
    principal, expires_at = _verified(secret, token, previous_secret)
    if time.time() >= expires_at:
        raise _expired()
    return principal


@functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _verified(secret: str, token: str, previous_secret: str | None) -> tuple[Principal, float]:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError:
        raise Unauthenticated("the bearer token is not valid")
    signing = previous_secret if previous_secret and kid == key_id(previous_secret) else secret
    try:
        claims = jwt.decode(
            token, signing, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iat", "tid", "role"]}
        )
    except jwt.ExpiredSignatureError:
        raise _expired()
    except jwt.InvalidTokenError:
        raise Unauthenticated("the bearer token is not valid")
    role = claims.get("role")
    if role not in TOKEN_ROLES:
        raise Unauthenticated("the bearer token is not valid")
    if (role in PERSON_ROLES and not claims.get("pid")) or (role == "integration" and not claims.get("akid")):
        raise Unauthenticated("the bearer token is not valid")
    principal = Principal(role=role, tenant_id=claims["tid"], person_id=claims.get("pid"), staff_id=claims.get("stf"),
                          key_id=claims.get("akid"), session_id=claims.get("sid"), read_only=claims.get("scope") == "read",
                          issued_at=float(claims["iat"]))
    return principal, float(claims["exp"])


def _expired() -> Unauthenticated:
    return Unauthenticated("the token has expired: refresh it at POST /v1/auth/refresh or sign in again",
                           code="token_expired")
