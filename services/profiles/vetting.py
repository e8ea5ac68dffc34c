"""Vetting: the level of background check staff recorded for a person, and who recorded it, when.

Levels, lowest first, are the contract's `VETTING_LEVELS` (none < basic < standard < enhanced, after
the UK's DBS checks). The older boolean `vetted` stays readable and writable: it is true for any level
above none; setting it true on someone unvetted records `basic` (the least a "yes" can mean), setting
it false records `none`. A record older than levels reads as `basic` when it was vetted.
"""

from __future__ import annotations

from datetime import datetime

from ementor_contracts import VETTING_LEVELS

from ementor.platform.errors import Forbidden, Invalid
from ementor.platform.principal import Principal

from .documents import Person


def level_of(person: Person) -> str:
    if person.vetting_level in VETTING_LEVELS:
        return person.vetting_level
    return "basic" if person.vetted else "none"


def requested_level(vetted: bool | None, level: str | None, current: str = "none") -> str | None:
    """The level a request asks for (None: no change); 422 when `vetted` and `vetting_level` disagree."""
    if level is not None:
        if vetted is not None and vetted != (level != "none"):
            message = (f"vetted is {str(vetted).lower()} but vetting_level is {level!r}; send vetting_level alone "
                       "(vetted follows it)")
            raise Invalid(message, code="vetting_mismatch", details=[{"field": "vetting_level", "message": message}])
        return level
    if vetted is None:
        return None
    if not vetted:
        return "none"
    return current if current != "none" else "basic"


def record(person: Person, auth: Principal, level: str, now: datetime) -> bool:
    """Record `level` for the person (staff only); True when it changed."""
    if not auth.is_coordinator:
        raise Forbidden("only staff may record vetting", code="coordinator_only")
    if level == level_of(person) and person.vetting_level is not None:
        return False
    person.vetting_level = level
    person.vetted = level != "none"
    person.vetting_recorded_by = auth.actor
    person.vetting_recorded_at = now
    return True


def record_view(person: Person) -> dict | None:
    if not person.vetting_recorded_at:
        return None
    return {"level": level_of(person), "recorded_by": person.vetting_recorded_by or "unknown",
            "recorded_at": person.vetting_recorded_at}
