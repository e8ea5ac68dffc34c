"""Slot locks: each person's calendar document guards against double-booking.

A session takes its slot in both people's calendars (compare-and-set on the calendar) before it
is saved, in a fixed order so that two requests meet at the same first lock; a stale hold left by
a request that died is taken over.
"""

from __future__ import annotations

from datetime import datetime

from ementor.platform.errors import Conflict
from ementor.platform.principal import Principal

from . import domain
from .documents import MatchView, Session, utcnow
from .repository import VideoRepository


class SlotBusy(Exception):
    def __init__(self, person_id: str, conflicts: list[domain.Booking]):
        super().__init__(f"{person_id} is busy")
        self.person_id = person_id
        self.conflicts = conflicts


def _place(repo: VideoRepository, tenant_id: str, person_id: str, booking: domain.Booking, now: datetime,
           keep_own: bool) -> None:
    drop: frozenset[str] = frozenset()
    for _ in range(3):
        try:
            repo.update_calendar(tenant_id, person_id,
                                 lambda bs, drop=drop: domain.place_booking(bs, booking, now, drop, keep_own))
            return
        except domain.SlotTaken as exc:
            stale = {c.session_id for c in exc.conflicts if domain.is_stale_hold(c, facts_of(repo, tenant_id, c), now)}
            if not stale or stale <= drop:
                raise SlotBusy(person_id, exc.conflicts) from None
            drop = drop | stale
    raise SlotBusy(person_id, [])


def facts_of(repo: VideoRepository, tenant_id: str, booking: domain.Booking) -> domain.SessionFacts | None:
    session = repo.session(tenant_id, booking.session_id)
    return domain.session_facts(session) if session is not None else None


def set_entry(repo: VideoRepository, tenant_id: str, person_id: str, session_id: str,
               booking: domain.Booking | None) -> None:
    """Put a session's entry back as it was (or remove it), without checking for clashes."""
    def change(bookings):
        kept = domain.remove_booking(bookings, session_id)
        return sorted([*kept, booking], key=lambda b: b.starts_at) if booking else kept
    repo.update_calendar(tenant_id, person_id, change)


def reserve(repo: VideoRepository, tenant_id: str, person_ids: list[str], booking: domain.Booking,
            previous: domain.Booking | None, now: datetime) -> None:
    """Take the slot in every person's calendar, or in none (undoing what was taken).

    When moving a session (`previous` given) its old entry stays until `settle` is called after
    the session is saved: a request dying in between leaves the old slot still guarded.
    """
    taken = []
    try:
        for person_id in sorted(person_ids):  # a fixed order: two requests meet at the same first lock
            _place(repo, tenant_id, person_id, booking, now, keep_own=previous is not None)
            taken.append(person_id)
    except BaseException:
        for person_id in taken:
            set_entry(repo, tenant_id, person_id, booking.session_id, previous)
        raise


def settle(repo: VideoRepository, tenant_id: str, person_ids: list[str], booking: domain.Booking) -> None:
    """After a move is saved: the session's only entry is its new slot."""
    for person_id in person_ids:
        set_entry(repo, tenant_id, person_id, booking.session_id, booking)


def release(repo: VideoRepository, session: Session) -> None:
    for person_id in (session.mentor_id, session.mentee_id):
        set_entry(repo, session.tenant_id, person_id, session.id, None)


def busy_conflict(exc: SlotBusy, match: MatchView, auth: Principal) -> Conflict:
    who = "mentor" if exc.person_id == match.mentor_id else "mentee"
    details: dict = {"busy": who}
    if auth.is_coordinator or auth.person_id == exc.person_id:  # only show one's own other sessions
        details["conflicting_session_ids"] = [c.session_id for c in exc.conflicts]
    return Conflict(f"the {who} already has a session at that time", code="slot_taken", details=details)


def resync(repo: VideoRepository, tenant_id: str, session_id: str) -> None:
    """After losing a race, make the calendars say what the session (the truth) says."""
    winner = repo.session(tenant_id, session_id)
    if winner is None:
        return
    booking = None
    if winner.status == "scheduled":
        booking = domain.Booking(winner.id, domain.aware(winner.starts_at), domain.aware(winner.ends_at), utcnow())
    for person_id in (winner.mentor_id, winner.mentee_id):
        set_entry(repo, tenant_id, person_id, winner.id, booking)
