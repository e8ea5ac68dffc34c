"""The video session use cases: schedule, reschedule and cancel a session in an active match.

Their helpers have their own modules: slots.py (calendar locks), reminders.py, session_views.py
(what a viewer sees), organisation_settings.py, projection.py (matching's and profiles' events).
"""

from __future__ import annotations

import logging
from datetime import datetime

from ementor_contracts import COORDINATOR, SessionCancelled, SessionRescheduled, SessionScheduled

from ementor.platform.errors import Conflict, Invalid, NotFound
from ementor.platform.principal import Principal

from . import domain, schemas
from .documents import MatchView, Session, new_id, utcnow
from .domain_errors import invalid, state_conflict
from .links import VideoLinkProvider
from .organisation_settings import limits, limits_of
from .reminders import write_reminders
from .repository import ConcurrentChange, VideoRepository
from .slots import SlotBusy, busy_conflict, release, reserve, resync, settle
from .supervision import invites_guardian, observer_for

log = logging.getLogger(__name__)


def actor(auth: Principal) -> str:
    return auth.person_id if auth.is_person else COORDINATOR


def match_for(repo: VideoRepository, auth: Principal, match_id: str) -> MatchView:
    """The match if this token may act in it; 404 for unknown, foreign, or other people's matches."""
    match = repo.match(auth.tenant_id, match_id)
    if match is None or not (auth.is_coordinator or auth.person_id in (match.mentor_id, match.mentee_id)):
        raise NotFound(f"no match {match_id} in this organisation")
    return match


def require_active(match: MatchView) -> None:
    if match.status != "active":
        raise Conflict(f"match {match.match_id} is {match.status}, not active: sessions need an active match",
                       code="match_not_active")
    if match.paused_for and "guardian_consent" in match.paused_for:
        raise Conflict("sessions are paused: the mentee is a minor and their guardian's consent is not granted "
                       "(or was withdrawn); they can be scheduled once consent is granted",
                       code="guardian_consent_required", details={"paused_for": list(match.paused_for)})
    if match.paused_for:
        raise Conflict(f"match {match.match_id} is paused", code="match_paused",
                       details={"paused_for": list(match.paused_for)})


def session_for(repo: VideoRepository, auth: Principal, session_id: str) -> Session:
    session = repo.session(auth.tenant_id, session_id)
    if session is None or not (auth.is_coordinator or auth.person_id in (session.mentor_id, session.mentee_id)
                               or (session.observer_staff_id and auth.staff_id == session.observer_staff_id)):
        raise NotFound(f"no session {session_id} in this organisation")
    return session


def schedule_session(repo: VideoRepository, links: VideoLinkProvider, auth: Principal, match_id: str,
                     body: schemas.ScheduleSession, now: datetime | None = None) -> Session:
    now = now or utcnow()
    match = match_for(repo, auth, match_id)
    require_active(match)
    settings = repo.settings(auth.tenant_id)
    rules, _ = limits_of(settings)
    try:
        starts_at, ends_at = domain.check_slot(body.starts_at, body.duration_minutes, now, rules)
    except domain.InvalidSession as exc:
        raise invalid(exc)
    observer = observer_for(settings, lambda person_id: repo.person_facts(auth.tenant_id, person_id),
                            match.mentee_id, match.mentor_id)
    session = Session(
        id=new_id(), tenant_id=auth.tenant_id, match_id=match.match_id, mentor_id=match.mentor_id,
        mentee_id=match.mentee_id, starts_at=starts_at, ends_at=ends_at, duration_minutes=body.duration_minutes,
        status="scheduled", sequence=0, provider=links.name, room=links.new_room(), created_by=actor(auth),
        created_at=now, updated_at=now, reminders_pending=True,
        observer_staff_id=observer.staff_id if observer else None, observer_name=observer.name if observer else None,
        guardian_invited=invites_guardian(settings, lambda person_id: repo.person_facts(auth.tenant_id, person_id),
                                          match.mentee_id),
    )
    booking = domain.Booking(session.id, starts_at, ends_at, now)
    try:
        reserve(repo, auth.tenant_id, [match.mentor_id, match.mentee_id], booking, None, now)
    except SlotBusy as exc:
        raise busy_conflict(exc, match, auth)
    except ConcurrentChange as exc:
        raise Conflict(str(exc), code="try_again")
    session.record(SessionScheduled(
        session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id, mentee_id=session.mentee_id,
        starts_at=starts_at, ends_at=ends_at, sequence=0, guardian_invited=session.guardian_invited,
    ))
    try:
        repo.add_session(session)
    except BaseException:
        release(repo, session)
        raise
    write_reminders(repo, session, rules, now)
    return session


def reschedule_session(repo: VideoRepository, auth: Principal, session_id: str, body: schemas.RescheduleSession,
                       now: datetime | None = None) -> Session:
    now = now or utcnow()
    if body.starts_at is None and body.duration_minutes is None:
        raise Invalid("send starts_at and/or duration_minutes", code="nothing_to_change",
                            details=[{"field": None, "message": "send starts_at and/or duration_minutes"}])
    session = session_for(repo, auth, session_id)
    current = domain.session_facts(session)
    try:
        domain.check_reschedulable(current, now)
    except domain.SessionStateError as exc:
        raise state_conflict(exc)
    match = repo.match(auth.tenant_id, session.match_id)
    if match is None:
        raise Conflict(f"match {session.match_id} is no longer active", code="match_not_active")
    require_active(match)
    rules, _ = limits(repo, auth.tenant_id)
    duration = body.duration_minutes if body.duration_minutes is not None else session.duration_minutes
    try:
        starts_at, ends_at = domain.check_slot(body.starts_at or current.starts_at, duration, now, rules)
    except domain.InvalidSession as exc:
        raise invalid(exc)
    if (starts_at, ends_at) == (current.starts_at, current.ends_at):
        return session  # nothing moves, so calendars need no new SEQUENCE
    previous = domain.Booking(session.id, current.starts_at, current.ends_at, now)
    booking = domain.Booking(session.id, starts_at, ends_at, now)
    people = [session.mentor_id, session.mentee_id]
    try:
        reserve(repo, auth.tenant_id, people, booking, previous, now)
    except SlotBusy as exc:
        raise busy_conflict(exc, match, auth)
    except ConcurrentChange as exc:
        raise Conflict(str(exc), code="try_again")
    expected = session.sequence
    _apply(session, domain.moving(expected, starts_at, ends_at, duration, now))
    session.record(SessionRescheduled(
        session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id, mentee_id=session.mentee_id,
        starts_at=starts_at, ends_at=ends_at, sequence=session.sequence, previous_starts_at=current.starts_at,
    ))
    try:
        repo.save_session(session, expected)
    except ConcurrentChange:
        resync(repo, auth.tenant_id, session.id)
        raise Conflict("the session was changed at the same time by someone else; fetch it and try again",
                       code="concurrent_change")
    settle(repo, auth.tenant_id, people, booking)
    write_reminders(repo, session, rules, now)
    return session


def cancel_session(repo: VideoRepository, auth: Principal, session_id: str, body: schemas.CancelSession,
                   now: datetime | None = None) -> Session:
    now = now or utcnow()
    session = session_for(repo, auth, session_id)
    try:
        domain.check_cancellable(domain.session_facts(session), now)
    except domain.SessionStateError as exc:
        raise state_conflict(exc)
    try:
        cancel(repo, session, actor(auth), body.reason, now)
    except ConcurrentChange:
        raise Conflict("the session was changed at the same time by someone else; fetch it and try again",
                       code="concurrent_change")
    return session


def cancel(repo: VideoRepository, session: Session, cancelled_by: str, reason: str | None, now: datetime,
            erase: bool = False) -> None:
    expected = session.sequence
    _apply(session, domain.cancelling(expected, cancelled_by, reason, now))
    session.record(SessionCancelled(
        session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id, mentee_id=session.mentee_id,
        starts_at=domain.aware(session.starts_at), cancelled_by=cancelled_by, reason=reason, sequence=session.sequence,
    ))
    if erase:
        session.erased, session.delete_when_published = True, True
    repo.save_session(session, expected)
    repo.drop_reminders(session.tenant_id, session.id)
    release(repo, session)


def _apply(session: Session, changes: dict) -> None:
    for name, value in changes.items():
        setattr(session, name, value)
