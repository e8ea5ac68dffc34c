"""Transport-neutral errors: what a use case raises when a request cannot be served.

Use cases speak the domain ("not found", "conflict"), never a status code; the HTTP entrypoint
(ementor.platform.http.errors) maps each class to its status and the one error body.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class BadInput(DomainError):
    """The request cannot be read at all (malformed JSON, a bad cursor)."""

    code = "bad_request"


class Unauthenticated(DomainError):
    code = "unauthorized"

    def __init__(self, message: str = "a valid bearer token is required", **kwargs):
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    """Missing, or another organisation's (never distinguished)."""

    code = "not_found"


class Conflict(DomainError):
    """Valid, but not in the current state (e.g. `match_not_active`)."""

    code = "conflict"


class TooLarge(DomainError):
    code = "payload_too_large"


class Invalid(DomainError):
    """Values that break a rule; `details` lists `{"field", "message"}` where known."""

    code = "validation_failed"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        self.retry_after = max(1, int(retry_after))
        kwargs.setdefault("details", {"retry_after_seconds": self.retry_after})
        super().__init__(message, **kwargs)


class Unavailable(DomainError):
    """A dependency (the broker's management API, another service) cannot serve us right now."""

    code = "service_unavailable"
