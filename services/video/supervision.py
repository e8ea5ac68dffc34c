"""Sessions with a minor: the organisation may require a named staff observer, a vetted mentor, or both.

What video knows of people for this comes from profiles' ProfileCreated/ProfileUpdated (`PersonFacts`).
A rule that needs a fact video has not heard yet assumes the safe answer: an unknown mentee is treated
as a minor and an unknown mentor as not vetted, so a race with registration refuses rather than allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ementor.platform.errors import Conflict

from .documents import PersonFacts, VideoSettings


@dataclass(frozen=True)
class Observer:
    staff_id: str
    name: str


def observer_for(settings: VideoSettings | None, facts: Callable[[str], PersonFacts | None], mentee_id: str,
                 mentor_id: str) -> Observer | None:
    """The observer a new session needs (None when none is needed), or a 409 saying why it cannot be booked.
    `facts(person_id)` is read only when the organisation has a rule for minors."""
    if settings is None or not (settings.require_vetted_mentor_for_minors or settings.require_observer_for_minors):
        return None
    mentee = facts(mentee_id)
    if mentee is not None and not mentee.is_minor:
        return None
    mentor = facts(mentor_id) if settings.require_vetted_mentor_for_minors else None
    if settings.require_vetted_mentor_for_minors and not (mentor is not None and mentor.vetted):
        raise Conflict("sessions with a minor need a mentor whose background checks are complete, and this "
                       "mentor's are not recorded yet; a coordinator can mark the mentor as vetted",
                       code="mentor_not_vetted")
    if not settings.require_observer_for_minors:
        return None
    if not settings.observer_staff_id:
        raise Conflict("sessions with a minor need a staff observer, and the organisation has not named one; "
                       "a coordinator can name one in the video settings", code="observer_required")
    return Observer(settings.observer_staff_id, settings.observer_name or "Staff observer")
