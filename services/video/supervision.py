"""Sessions with a minor: the organisation may require a named staff observer, a mentor vetted to at least
a level it sets (none < basic < standard < enhanced), or both.

What video knows of people for this comes from profiles' ProfileCreated/ProfileUpdated (`PersonFacts`).
A rule that needs a fact video has not heard yet assumes the safe answer: an unknown mentee is treated
as a minor and an unknown mentor as not vetted, so a race with registration refuses rather than allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ementor_contracts import VETTING_LEVELS

from ementor.platform.errors import Conflict

from .documents import PersonFacts, VideoSettings


@dataclass(frozen=True)
class Observer:
    staff_id: str
    name: str


def required_level(settings: VideoSettings | None) -> str | None:
    """The least vetting level a mentor needs to meet a minor (None: no rule). Settings older than levels
    that require vetting mean any recorded check: basic."""
    if settings is None or not settings.require_vetted_mentor_for_minors:
        return None
    return settings.min_vetting_level_for_minors if settings.min_vetting_level_for_minors in VETTING_LEVELS \
        else "basic"


def level_of(facts: PersonFacts | None) -> str:
    if facts is None:
        return "none"
    if facts.vetting_level in VETTING_LEVELS:
        return facts.vetting_level
    return "basic" if facts.vetted else "none"


def meets(level: str, required: str) -> bool:
    return VETTING_LEVELS.index(level) >= VETTING_LEVELS.index(required)


def invites_guardian(settings: VideoSettings | None, facts: Callable[[str], PersonFacts | None],
                     mentee_id: str) -> bool:
    """Whether a new session invites the mentee's guardian: the organisation allows it and the mentee is a
    minor (or not known yet; profiles, which sends the invitation, checks again and needs a guardian)."""
    if settings is None or not settings.invite_guardian_for_minors:
        return False
    mentee = facts(mentee_id)
    return mentee is None or mentee.is_minor


def observer_for(settings: VideoSettings | None, facts: Callable[[str], PersonFacts | None], mentee_id: str,
                 mentor_id: str) -> Observer | None:
    """The observer a new session needs (None when none is needed), or a 409 saying why it cannot be booked.
    `facts(person_id)` is read only when the organisation has a rule for minors."""
    required = required_level(settings)
    if settings is None or not (required or settings.require_observer_for_minors):
        return None
    mentee = facts(mentee_id)
    if mentee is not None and not mentee.is_minor:
        return None
    if required:
        level = level_of(facts(mentor_id))
        if not meets(level, required):
            recorded = "no vetting is recorded" if level == "none" else f"the vetting recorded is {level}"
            raise Conflict(f"sessions with a minor need a mentor vetted to at least {required} level, and for this "
                           f"mentor {recorded}; a coordinator can record the mentor's vetting level",
                           code="mentor_not_vetted", details={"required_level": required, "mentor_level": level})
    if not settings.require_observer_for_minors:
        return None
    if not settings.observer_staff_id:
        raise Conflict("sessions with a minor need a staff observer, and the organisation has not named one; "
                       "a coordinator can name one in the video settings", code="observer_required")
    return Observer(settings.observer_staff_id, settings.observer_name or "Staff observer")
