"""Matching rules that need neither nameko nor MongoDB: settings, who may act, what may happen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .scoring import FACTORS, Person, Rules, Weights

COORDINATOR = "coordinator"
PROPOSED, ACTIVE, DECLINED, ENDED = "proposed", "active", "declined", "ended"
MAX_WEIGHT = 10.0
MAX_MIN_SHARED = 20
DEFAULT_RULES = Rules()


class RuleViolation(Exception):
    """Something the request asks for that the rules forbid; `code` names which rule."""

    def __init__(self, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class InvalidSettings(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


# -- the match lifecycle ------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    """A lifecycle step: the status a match must still have, and the fields the step sets."""

    from_status: str
    changes: dict


def declining(by: str, reason: str | None, at: datetime) -> Transition:
    """A proposed match is declined (by one side, a coordinator, or an erasure); it closes."""
    return Transition(PROPOSED, {"status": DECLINED, "open": False, "declined_at": at, "declined_by": by,
                                 "decline_reason": reason})


def ending(by: str, reason: str | None, at: datetime) -> Transition:
    """An active match ends; it closes."""
    return Transition(ACTIVE, {"status": ENDED, "open": False, "ended_at": at, "ended_by": by, "end_reason": reason})


# -- candidates --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A person as matching knows them (a projection of their profile; no contact details)."""

    id: str
    role: str
    programme_id: str | None = None
    timezone: str = "UTC"
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    capacity: int = 0
    is_minor: bool = False
    vetted: bool = False
    custom_fields: Mapping = field(default_factory=dict)
    guardian_consent: str | None = None

    @property
    def awaits_consent(self) -> bool:
        """A minor mentee takes part only once their guardian granted consent (unknown counts as not yet)."""
        return self.role == "mentee" and self.is_minor and self.guardian_consent != GRANTED

    @classmethod
    def from_document(cls, doc: Mapping) -> Candidate:
        return cls(
            id=doc["_id"] if "_id" in doc else doc["id"],
            role=doc.get("role") or "mentee",
            programme_id=doc.get("programme_id"),
            timezone=doc.get("timezone") or "UTC",
            languages=tuple(doc.get("languages") or ()),
            interests=tuple(doc.get("interests") or ()),
            capacity=int(doc.get("capacity") or 0),
            is_minor=bool(doc.get("is_minor")),
            vetted=bool(doc.get("vetted")),
            custom_fields=dict(doc.get("custom_fields") or {}),
            guardian_consent=doc.get("guardian_consent"),
        )

    def person(self, at: datetime, places: int = 0) -> Person:
        return Person(
            id=self.id, interests=self.interests, languages=self.languages,
            utc_offset_minutes=utc_offset_minutes(self.timezone, _hour(at)), custom_fields=self.custom_fields,
            is_minor=self.is_minor, vetted=self.vetted, places=places,
        )


def _hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@lru_cache(maxsize=4096)
def utc_offset_minutes(tz_name: str, at_hour: datetime) -> int:
    """The zone's offset from UTC at that hour (daylight saving included); unknown zones count as UTC."""
    try:
        offset = at_hour.astimezone(ZoneInfo(tz_name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset is not None else 0


# -- settings ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgrammeField:
    key: str
    type: str
    options: tuple[str, ...] = ()


def rules_from(weights: Mapping | None, min_shared_interests: int | None, field_key: str | None) -> Rules:
    merged = Weights().as_dict()
    merged.update({k: float(v) for k, v in (weights or {}).items() if k in FACTORS})
    return Rules(weights=Weights(**merged),
                 min_shared_interests=1 if min_shared_interests is None else int(min_shared_interests),
                 field_key=field_key or None)


def validate_settings(weights: Mapping[str, float], min_shared_interests: int, field_key: str | None,
                      programme_fields: list[ProgrammeField] | None) -> None:
    """Raise InvalidSettings naming the field at fault. `programme_fields` None: not one programme's."""
    for name, value in weights.items():
        if name not in FACTORS:
            raise InvalidSettings(f"weights.{name}", f"unknown factor {name!r}; the factors are {', '.join(FACTORS)}")
        if not 0.0 <= float(value) <= MAX_WEIGHT:
            raise InvalidSettings(f"weights.{name}", f"weights must be between 0 and {MAX_WEIGHT:g}, got {value}")
    counted = {k: float(v) for k, v in weights.items() if field_key or k != "field"}
    if counted and not any(v > 0 for v in counted.values()):
        raise InvalidSettings("weights", "at least one counted weight must be above 0")
    if not 0 <= min_shared_interests <= MAX_MIN_SHARED:
        raise InvalidSettings("min_shared_interests", f"must be between 0 and {MAX_MIN_SHARED}")
    if field_key and programme_fields is not None:
        known = {f.key: f for f in programme_fields}
        if field_key not in known:
            choices = ", ".join(sorted(known)) or "none"
            raise InvalidSettings("field_key", f"the programme has no custom field {field_key!r} (it has: {choices})")
        if known[field_key].type == "text":
            raise InvalidSettings("field_key", f"{field_key!r} is free text; choose a choice or number field")


# -- proposals ---------------------------------------------------------------------------------
def check_proposal(mentee: Candidate, mentor: Candidate, programme_id: str | None, rules: Rules, *,
                   open_match_id: str | None, closed_before: bool, active: int) -> None:
    """Raise RuleViolation if the pair may not be proposed; the checks a person would expect, in order."""
    if mentee.role != "mentee":
        raise RuleViolation("not_a_mentee", f"{mentee.id} is a mentor, not a mentee", {"field": "mentee_id"})
    if mentor.role != "mentor":
        raise RuleViolation("not_a_mentor", f"{mentor.id} is a mentee, not a mentor", {"field": "mentor_id"})
    if mentee.programme_id != programme_id or mentor.programme_id != programme_id:
        raise RuleViolation("programme_mismatch", "mentee and mentor must both belong to the match's programme",
                            {"programme_id": programme_id, "mentee_programme_id": mentee.programme_id,
                             "mentor_programme_id": mentor.programme_id})
    if mentee.awaits_consent:
        raise consent_required(mentee)
    if open_match_id:
        raise RuleViolation("mentee_already_matched", "the mentee already has a proposed or active match",
                            {"match_id": open_match_id})
    if closed_before:
        raise RuleViolation("repeat_pair", "this mentee and mentor were matched before and it was declined or ended")
    if mentee.is_minor and not mentor.vetted:
        raise RuleViolation("mentor_not_vetted", "a minor may only be matched with a vetted mentor")
    shared = len(set(mentee.interests) & set(mentor.interests))
    if shared < rules.min_shared_interests:
        raise RuleViolation("too_few_shared_interests",
                            f"they share {shared} interest(s); the programme requires {rules.min_shared_interests}",
                            {"shared": shared, "required": rules.min_shared_interests})
    if active >= mentor.capacity:
        raise RuleViolation("mentor_at_capacity", "the mentor has no free place",
                            {"capacity": mentor.capacity, "active": active})


GRANTED = "granted"
GUARDIAN_CONSENT = "guardian_consent"  # the pause reason while a minor's consent is not granted


def consent_required(mentee: Candidate) -> RuleViolation:
    state = mentee.guardian_consent or "pending"
    return RuleViolation("guardian_consent_required",
                         f"the mentee is a minor and their guardian's consent is {state}: they can be matched once "
                         "it is granted (a coordinator can re-send the request or record consent given offline)",
                         {"mentee_id": mentee.id, "guardian_consent": state})


def paused_for_consent(state: str) -> bool:
    """Whether a consent state pauses the minor's open match (not_required and granted do not)."""
    return state in ("pending", "declined", "withdrawn")


# -- who may act on a match ----------------------------------------------------------------------
def actor_name(role: str, person_id: str | None) -> str:
    """A person acts as themself; staff and the API key act for the organisation ("coordinator")."""
    return str(person_id) if person_id else COORDINATOR


def side_of(mentee_id: str, mentor_id: str, person_id: str | None) -> str | None:
    if person_id == mentee_id:
        return "mentee"
    if person_id == mentor_id:
        return "mentor"
    return None

