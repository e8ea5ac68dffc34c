"""Bearer tokens: the operator's static token, and signed JWTs every service verifies locally."""

from __future__ import annotations

import hmac
import time
import uuid

import jwt

from ..errors import Unauthenticated
from ..principal import PERSON_ROLES, Principal, Role

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


def issue_token(secret: str, *, tenant_id: str, role: Role, person_id: str | None = None, ttl: int = 3600) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": person_id or f"coordinator:{tenant_id}",
        "tid": tenant_id,
        "role": role,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    if person_id:
        claims["pid"] = person_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iat", "tid", "role"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired: exchange the API key for a new one at POST /v1/auth/token")
    except jwt.InvalidTokenError:
        raise Unauthenticated("the bearer token is not valid")
    role = claims.get("role")
    if role not in ("coordinator", "mentor", "mentee"):
        raise Unauthenticated("the bearer token is not valid")
    if role in PERSON_ROLES and not claims.get("pid"):
        raise Unauthenticated("the bearer token is not valid")
    return Principal(role=role, tenant_id=claims["tid"], person_id=claims.get("pid"))
