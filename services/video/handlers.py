"""The video use cases: plain functions over the repository, called by the entrypoints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ementor_contracts import (
    COORDINATOR,
    SessionCancelled,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)

from ementor.platform.http.auth import Principal
from ementor.platform.http.errors import Conflict, Forbidden, NotFound, Unprocessable

from . import domain, ics, schemas
from .documents import MatchView, Session, VideoSettings, new_id, utcnow
from .providers import Participant, RoomOptions, VideoLinkProvider
from .repository import ConcurrentChange, VideoRepository

log = logging.getLogger(__name__)

REMINDER_BATCH = 500
# A request that wrote a session but died before its reminders is repaired after this.
REMINDER_REPAIR_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class PersonInfo:
    name: str
    timezone: str | None


# Looks up display names and time zones of people (profiles over RPC in the service).
People = Callable[[str, list[str]], dict[str, PersonInfo]]


def invalid(exc: domain.InvalidSession) -> Unprocessable:
    return Unprocessable(str(exc), code=exc.code, details=[{"field": exc.field, "message": str(exc)}])


def state_conflict(exc: domain.SessionStateError) -> Conflict:
    return Conflict(str(exc), code=exc.code)


def actor(auth: Principal) -> str:
    return auth.person_id if auth.is_person else COORDINATOR


def aware(value: datetime | None) -> datetime | None:
    return domain.in_zone(value, domain.UTC) if value is not None else None


def facts(session: Session) -> domain.SessionFacts:
    return domain.SessionFacts(session.status, aware(session.starts_at), aware(session.ends_at), session.sequence)


# -- settings -------------------------------------------------------------------------------
def limits(repo: VideoRepository, tenant_id: str) -> tuple[domain.Limits, RoomOptions]:
    stored = repo.settings(tenant_id)
    if stored is None:
        return domain.Limits(), RoomOptions()
    return (
        domain.Limits(stored.min_duration_minutes, stored.max_duration_minutes, stored.max_days_ahead,
                      tuple(stored.reminder_offsets_minutes)),
        RoomOptions(stored.start_audio_muted, stored.start_video_muted),
    )


def settings_view(repo: VideoRepository, tenant_id: str, links: VideoLinkProvider) -> schemas.VideoSettings:
    stored = repo.settings(tenant_id)
    rules, options = limits(repo, tenant_id)
    return schemas.VideoSettings(
        min_duration_minutes=rules.min_duration_minutes, max_duration_minutes=rules.max_duration_minutes,
        max_days_ahead=rules.max_days_ahead, reminder_offsets_minutes=list(rules.reminder_offsets_minutes),
        jitsi=schemas.JitsiInfo(start_audio_muted=options.start_audio_muted, start_video_muted=options.start_video_muted,
                                base_url=getattr(links, "base_url", ""),
                                token_auth=bool(getattr(links, "uses_tokens", False))),
        updated_at=stored.updated_at if stored else None,
    )


def update_settings(repo: VideoRepository, auth: Principal, body: schemas.UpdateVideoSettings) -> None:
    auth.require_coordinator()
    try:
        rules = domain.Limits(body.min_duration_minutes, body.max_duration_minutes, body.max_days_ahead,
                              tuple(body.reminder_offsets_minutes))
    except domain.InvalidSession as exc:
        raise invalid(exc)
    repo.save_settings(VideoSettings(
        id=auth.tenant_id, tenant_id=auth.tenant_id, min_duration_minutes=rules.min_duration_minutes,
        max_duration_minutes=rules.max_duration_minutes, max_days_ahead=rules.max_days_ahead,
        reminder_offsets_minutes=list(rules.reminder_offsets_minutes),
        start_audio_muted=body.jitsi.start_audio_muted, start_video_muted=body.jitsi.start_video_muted,
        updated_at=utcnow(),
    ))


# -- access ---------------------------------------------------------------------------------
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


def session_for(repo: VideoRepository, auth: Principal, session_id: str) -> Session:
    session = repo.session(auth.tenant_id, session_id)
    if session is None or not (auth.is_coordinator or auth.person_id in (session.mentor_id, session.mentee_id)):
        raise NotFound(f"no session {session_id} in this organisation")
    return session


# -- slot locks -----------------------------------------------------------------------------
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
            stale = {c.session_id for c in exc.conflicts if domain.is_stale_hold(c, _facts_of(repo, tenant_id, c), now)}
            if not stale or stale <= drop:
                raise SlotBusy(person_id, exc.conflicts) from None
            drop = drop | stale
    raise SlotBusy(person_id, [])


def _facts_of(repo: VideoRepository, tenant_id: str, booking: domain.Booking) -> domain.SessionFacts | None:
    session = repo.session(tenant_id, booking.session_id)
    return facts(session) if session is not None else None


def _set_entry(repo: VideoRepository, tenant_id: str, person_id: str, session_id: str,
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
            _set_entry(repo, tenant_id, person_id, booking.session_id, previous)
        raise


def settle(repo: VideoRepository, tenant_id: str, person_ids: list[str], booking: domain.Booking) -> None:
    """After a move is saved: the session's only entry is its new slot."""
    for person_id in person_ids:
        _set_entry(repo, tenant_id, person_id, booking.session_id, booking)


def release(repo: VideoRepository, session: Session) -> None:
    for person_id in (session.mentor_id, session.mentee_id):
        _set_entry(repo, session.tenant_id, person_id, session.id, None)


def busy_conflict(exc: SlotBusy, match: MatchView, auth: Principal) -> Conflict:
    who = "mentor" if exc.person_id == match.mentor_id else "mentee"
    details: dict = {"busy": who}
    if auth.is_coordinator or auth.person_id == exc.person_id:  # only show one's own other sessions
        details["conflicting_session_ids"] = [c.session_id for c in exc.conflicts]
    return Conflict(f"the {who} already has a session at that time", code="slot_taken", details=details)


# -- sessions -------------------------------------------------------------------------------
def schedule_session(repo: VideoRepository, links: VideoLinkProvider, auth: Principal, match_id: str,
                     body: schemas.ScheduleSession, now: datetime | None = None) -> Session:
    now = now or utcnow()
    match = match_for(repo, auth, match_id)
    require_active(match)
    rules, _ = limits(repo, auth.tenant_id)
    try:
        starts_at, ends_at = domain.check_slot(body.starts_at, body.duration_minutes, now, rules)
    except domain.InvalidSession as exc:
        raise invalid(exc)
    session = Session(
        id=new_id(), tenant_id=auth.tenant_id, match_id=match.match_id, mentor_id=match.mentor_id,
        mentee_id=match.mentee_id, starts_at=starts_at, ends_at=ends_at, duration_minutes=body.duration_minutes,
        status="scheduled", sequence=0, provider=links.name, room=links.new_room(), created_by=actor(auth),
        created_at=now, updated_at=now, reminders_pending=True,
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
        starts_at=starts_at, ends_at=ends_at, sequence=0,
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
        raise Unprocessable("send starts_at and/or duration_minutes", code="nothing_to_change",
                            details=[{"field": None, "message": "send starts_at and/or duration_minutes"}])
    session = session_for(repo, auth, session_id)
    current = facts(session)
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
    session.starts_at, session.ends_at, session.duration_minutes = starts_at, ends_at, duration
    session.sequence, session.updated_at, session.reminders_pending = expected + 1, now, True
    session.record(SessionRescheduled(
        session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id, mentee_id=session.mentee_id,
        starts_at=starts_at, ends_at=ends_at, sequence=session.sequence, previous_starts_at=current.starts_at,
    ))
    try:
        repo.save_session(session, expected)
    except ConcurrentChange:
        _resync(repo, auth.tenant_id, session.id)
        raise Conflict("the session was changed at the same time by someone else; fetch it and try again",
                       code="concurrent_change")
    settle(repo, auth.tenant_id, people, booking)
    write_reminders(repo, session, rules, now)
    return session


def _resync(repo: VideoRepository, tenant_id: str, session_id: str) -> None:
    """After losing a race, make the calendars say what the session (the truth) says."""
    winner = repo.session(tenant_id, session_id)
    if winner is None:
        return
    booking = None
    if winner.status == "scheduled":
        booking = domain.Booking(winner.id, aware(winner.starts_at), aware(winner.ends_at), utcnow())
    for person_id in (winner.mentor_id, winner.mentee_id):
        _set_entry(repo, tenant_id, person_id, winner.id, booking)


def cancel_session(repo: VideoRepository, auth: Principal, session_id: str, body: schemas.CancelSession,
                   now: datetime | None = None) -> Session:
    now = now or utcnow()
    session = session_for(repo, auth, session_id)
    try:
        domain.check_cancellable(facts(session), now)
    except domain.SessionStateError as exc:
        raise state_conflict(exc)
    try:
        _cancel(repo, session, actor(auth), body.reason, now)
    except ConcurrentChange:
        raise Conflict("the session was changed at the same time by someone else; fetch it and try again",
                       code="concurrent_change")
    return session


def _cancel(repo: VideoRepository, session: Session, cancelled_by: str, reason: str | None, now: datetime,
            erase: bool = False) -> None:
    expected = session.sequence
    session.status, session.sequence, session.updated_at = "cancelled", expected + 1, now
    session.cancelled_at, session.cancelled_by, session.cancel_reason = now, cancelled_by, reason
    session.room, session.reminders_pending = None, False  # the link dies with the session
    session.record(SessionCancelled(
        session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id, mentee_id=session.mentee_id,
        starts_at=aware(session.starts_at), cancelled_by=cancelled_by, reason=reason, sequence=session.sequence,
    ))
    if erase:
        session.erased, session.delete_when_published = True, True
    repo.save_session(session, expected)
    repo.drop_reminders(session.tenant_id, session.id)
    release(repo, session)


# -- reminders ------------------------------------------------------------------------------
def write_reminders(repo: VideoRepository, session: Session, rules: domain.Limits, now: datetime) -> None:
    repo.plan_reminders(session, domain.reminder_plan(aware(session.starts_at), rules.reminder_offsets_minutes, now))
    repo.reminders_written(session)


def repair_reminders(repo: VideoRepository, now: datetime) -> int:
    """Write reminders for sessions whose request died between saving and planning them."""
    repaired = 0
    for session in repo.sessions_missing_reminders(now - REMINDER_REPAIR_AFTER):
        rules, _ = limits(repo, session.tenant_id)
        write_reminders(repo, session, rules, now)
        repaired += 1
    return repaired


def fire_due_reminders(repo: VideoRepository, now: datetime | None = None) -> int:
    """Publish SessionReminderDue for every reminder now due; each one once, whichever replica runs."""
    now = now or utcnow()
    due = repo.due_reminders(now, REMINDER_BATCH)
    wanted: dict[str, set[str]] = {}
    for reminder in due:
        wanted.setdefault(reminder.tenant_id, set()).add(reminder.session_id)
    sessions: dict[tuple, Session] = {}
    for tenant_id, session_ids in wanted.items():  # one query per organisation, not per reminder
        sessions.update({(tenant_id, sid): s for sid, s in repo.sessions_by_ids(tenant_id, sorted(session_ids)).items()})
    candidates = []
    for reminder in due:
        key = (reminder.tenant_id, reminder.session_id)
        session = sessions.get(key)
        if session is None or session.status != "scheduled" or session.sequence != reminder.sequence:
            repo.skip_reminder(reminder, now)  # moved or cancelled since it was planned
            continue
        candidates.append(domain.DueReminder(reminder.id, (*key, reminder.sequence),
                                             reminder.offset_minutes, aware(session.starts_at)))
    fire, skip = domain.choose_reminders(candidates, now)
    by_id = {r.id: r for r in due}
    for chosen in skip:
        repo.skip_reminder(by_id[chosen.key], now)
    fired = 0
    for chosen in fire:
        reminder = by_id[chosen.key]
        session = sessions[(reminder.tenant_id, reminder.session_id)]
        event = SessionReminderDue(
            session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id,
            mentee_id=session.mentee_id, starts_at=aware(session.starts_at), minutes_before=chosen.offset_minutes,
        )
        if repo.claim_reminder(reminder, event, now):
            fired += 1
    return fired


# -- events from matching and profiles ------------------------------------------------------
def record_match(repo: VideoRepository, tenant_id: str, event, status: str) -> None:
    repo.record_match(tenant_id, event.match_id, event.mentor_id, event.mentee_id,
                      getattr(event, "programme_id", None), status, utcnow())


def match_ended(repo: VideoRepository, tenant_id: str, event, now: datetime | None = None) -> int:
    """The match is over: record it, and cancel its sessions that have not started yet."""
    now = now or utcnow()
    repo.record_match(tenant_id, event.match_id, event.mentor_id, event.mentee_id, None, "ended", now)
    cancelled = 0
    for session in repo.future_sessions_of_match(tenant_id, event.match_id, now):
        reason = "The match ended" + (f": {event.reason}" if event.reason else "")
        _cancel(repo, session, event.ended_by, reason, now)  # a race raises: the event is retried
        cancelled += 1
    return cancelled


def person_erased(repo: VideoRepository, tenant_id: str, person_id: str, now: datetime | None = None) -> None:
    """Right to erasure: their sessions go. Upcoming ones are cancelled first, so the other person hears."""
    now = now or utcnow()
    for session in repo.all_sessions_of_person(tenant_id, person_id):
        if session.erased:
            continue
        if session.status == "scheduled" and aware(session.ends_at) > now:
            _cancel(repo, session, person_id, "person_erased", now, erase=True)
        else:
            repo.delete_session(session)
        repo.forget_reminders(tenant_id, session.id)
    repo.forget_calendar(tenant_id, person_id)
    repo.forget_matches_of(tenant_id, person_id)


# -- views ----------------------------------------------------------------------------------
def viewer_zone(auth: Principal, people: dict[str, PersonInfo], override: str | None):
    if override:
        return override, domain.zone(override)
    person = people.get(auth.person_id) if auth.person_id else None
    return domain.zone_or_utc(person.timezone if person else None)


def participant(session: Session, person_id: str, people: dict[str, PersonInfo]) -> Participant:
    role = "mentor" if person_id == session.mentor_id else "mentee"
    person = people.get(person_id)
    return Participant(person_id=person_id, name=person.name if person else role.title(), moderator=role == "mentor")


def join_url(session: Session, auth: Principal, people: dict[str, PersonInfo], links: VideoLinkProvider,
             options: RoomOptions) -> str | None:
    if session.status != "scheduled" or not session.room or not auth.is_person:
        return None
    return links.join_url(session.room, participant(session, auth.person_id, people), aware(session.starts_at),
                          aware(session.ends_at), options)


def session_view(session: Session, auth: Principal, people: dict[str, PersonInfo], links: VideoLinkProvider,
                 options: RoomOptions, zone_name: str, tz) -> schemas.Session:
    return schemas.Session(
        id=session.id, match_id=session.match_id, mentor_id=session.mentor_id, mentee_id=session.mentee_id,
        starts_at=domain.in_zone(session.starts_at, tz), ends_at=domain.in_zone(session.ends_at, tz),
        timezone=zone_name, duration_minutes=session.duration_minutes, status=session.status,
        sequence=session.sequence, provider=session.provider,
        join_url=join_url(session, auth, people, links, options),
        moderator=auth.person_id == session.mentor_id,
        invite_url=f"/v1/sessions/{session.id}/invite.ics",
        created_at=domain.in_zone(session.created_at, tz), updated_at=domain.in_zone(session.updated_at, tz),
        cancelled_at=domain.in_zone(session.cancelled_at, tz) if session.cancelled_at else None,
        cancelled_by=session.cancelled_by, cancel_reason=session.cancel_reason,
    )


def invite(session: Session, auth: Principal, people: dict[str, PersonInfo], links: VideoLinkProvider,
           options: RoomOptions, now: datetime | None = None) -> bytes:
    attendees = tuple(
        ics.Attendee(person_id=pid, name=participant(session, pid, people).name, role=role)
        for pid, role in ((session.mentor_id, "mentor"), (session.mentee_id, "mentee"))
    )
    return ics.build(ics.Invite(
        session_id=session.id, sequence=session.sequence, cancelled=session.status == "cancelled",
        starts_at=aware(session.starts_at), ends_at=aware(session.ends_at), attendees=attendees,
        stamp=now or utcnow(), created_at=aware(session.created_at), updated_at=aware(session.updated_at),
        join_url=join_url(session, auth, people, links, options), cancel_reason=session.cancel_reason,
    ))


def check_person_filter(auth: Principal, person_id: str | None) -> str | None:
    if auth.is_person:
        if person_id and person_id != auth.person_id:
            raise Forbidden("a person may only list their own sessions", code="not_your_sessions")
        return auth.person_id
    return person_id
