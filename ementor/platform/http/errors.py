"""The HTTP face of the domain errors: one status per class and the one error body,
`{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

from typing import Any

from ..errors import (
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
    Unavailable,
)


class UnsupportedMediaType(DomainError):
    """Only HTTP has media types, so this one lives here."""

    code = "unsupported_media_type"


STATUS: dict[type[DomainError], int] = {
    BadInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedMediaType: 415,
    Invalid: 422,
    RateLimited: 429,
    Unavailable: 503,
}


def status_of(error: DomainError | type[DomainError]) -> int:
    cls = error if isinstance(error, type) else type(error)
    for klass in cls.__mro__:
        if klass in STATUS:
            return STATUS[klass]
    return 400


def headers_of(error: DomainError) -> dict[str, str]:
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="ementor"'}
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after)}
    return {}


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


def body_of(error: DomainError) -> dict:
    return error_body(error.code, error.message, error.details)


def validation_details(errors: list[dict]) -> list[dict]:
    """pydantic errors as `[{"field": "a.b", "message": ...}]`, readable by a person."""
    details = []
    for error in errors:
        loc = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query"))
        message = error.get("msg", "invalid value")
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        details.append({"field": loc or None, "message": message})
    return details


def validation_message(details: list[dict]) -> str:
    parts = [f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details[:5]]
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return "invalid request: " + "; ".join(parts) + more
