"""Domain rule violations of video as the platform's errors (422 invalid, 409 state)."""

from __future__ import annotations

from ementor.platform.errors import Conflict, Invalid

from . import domain


def invalid(exc: domain.InvalidSession) -> Invalid:
    return Invalid(str(exc), code=exc.code, details=[{"field": exc.field, "message": str(exc)}])


def state_conflict(exc: domain.SessionStateError) -> Conflict:
    return Conflict(str(exc), code=exc.code)
