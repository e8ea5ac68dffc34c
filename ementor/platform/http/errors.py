"""One error vocabulary for the whole API: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict:
        return error_body(self.code, self.message, self.details)


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str = "a valid bearer token is required", **kwargs):
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="ementor"'})
        super().__init__(message, **kwargs)


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(ApiError):
    status, code = 422, "validation_failed"


class TooManyRequests(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        kwargs.setdefault("headers", {"Retry-After": str(max(1, int(retry_after)))})
        kwargs.setdefault("details", {"retry_after_seconds": max(1, int(retry_after))})
        super().__init__(message, **kwargs)


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


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
