"""What a viewer sees of a session: its times in their zone, their own join link, the invite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ementor.platform.errors import Forbidden
from ementor.platform.principal import Principal

from . import domain, ics, schemas
from .documents import Session, utcnow
from .links import Participant, RoomOptions, VideoLinkProvider


@dataclass(frozen=True)
class PersonInfo:
    name: str
    timezone: str | None


# Looks up display names and time zones of people (profiles over RPC in the service).
People = Callable[[str, list[str]], dict[str, PersonInfo]]


def viewer_zone(auth: Principal, people: dict[str, PersonInfo], override: str | None):
    if override:
        return override, domain.zone(override)
    person = people.get(auth.person_id) if auth.person_id else None
    return domain.zone_or_utc(person.timezone if person else None)


def participant(session: Session, person_id: str, people: dict[str, PersonInfo]) -> Participant:
    role = "mentor" if person_id == session.mentor_id else "mentee"
    person = people.get(person_id)
    return Participant(person_id=person_id, name=person.name if person else role.title(), moderator=role == "mentor")


def is_observer(session: Session, auth: Principal) -> bool:
    return bool(session.observer_staff_id) and auth.staff_id == session.observer_staff_id


def observer(session: Session) -> Participant:
    return Participant(person_id=f"staff:{session.observer_staff_id}",
                       name=f"{session.observer_name or 'Staff'} (observer)", moderator=False)


def guardian(session: Session, guardian_name: str, label: str = "guardian") -> Participant:
    """The minor mentee's invited guardian: named, never a moderator. `label` is "guardian" in the child's
    language: video keeps no locale, profiles (which writes the invitation in it) says it."""
    return Participant(person_id=f"guardian:{session.mentee_id}", name=f"{guardian_name} ({label or 'guardian'})",
                       moderator=False)


def guardian_invite(session: Session | None, guardian_name: str, links: VideoLinkProvider,
                    options: RoomOptions, label: str = "guardian") -> dict | None:
    """What profiles needs to email an invited guardian: their own slot-bound link (None: no invitation)."""
    if session is None or not session.guardian_invited or session.status != "scheduled" or not session.room:
        return None
    starts_at, ends_at = domain.aware(session.starts_at), domain.aware(session.ends_at)
    return {"session_id": session.id, "mentor_id": session.mentor_id, "mentee_id": session.mentee_id,
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "sequence": session.sequence,
            "join_url": links.join_url(session.room, guardian(session, guardian_name, label), starts_at, ends_at,
                                       options)}


def join_url(session: Session, auth: Principal, people: dict[str, PersonInfo], links: VideoLinkProvider,
             options: RoomOptions) -> str | None:
    """The viewer's own slot-bound link: the mentor's, the mentee's, or the named observer's."""
    if session.status != "scheduled" or not session.room:
        return None
    if auth.is_person:
        who = participant(session, auth.person_id, people)
    elif is_observer(session, auth):
        who = observer(session)
    else:
        return None
    return links.join_url(session.room, who, domain.aware(session.starts_at), domain.aware(session.ends_at), options)


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
        observer=schemas.Observer(staff_id=session.observer_staff_id, name=session.observer_name or "")
        if session.observer_staff_id else None,
        guardian_invited=bool(session.guardian_invited),
    )


def invite(session: Session, auth: Principal, people: dict[str, PersonInfo], links: VideoLinkProvider,
           options: RoomOptions, now: datetime | None = None) -> bytes:
    attendees = tuple(
        ics.Attendee(person_id=pid, name=participant(session, pid, people).name, role=role)
        for pid, role in ((session.mentor_id, "mentor"), (session.mentee_id, "mentee"))
    )
    if session.observer_staff_id:  # both people see, in their calendar, who observes
        attendees += (ics.Attendee(person_id=observer(session).person_id, name=observer(session).name,
                                   role="observer"),)
    return ics.build(ics.Invite(
        session_id=session.id, sequence=session.sequence, cancelled=session.status == "cancelled",
        starts_at=domain.aware(session.starts_at), ends_at=domain.aware(session.ends_at), attendees=attendees,
        stamp=now or utcnow(), created_at=domain.aware(session.created_at), updated_at=domain.aware(session.updated_at),
        join_url=join_url(session, auth, people, links, options), cancel_reason=session.cancel_reason,
    ))


def check_person_filter(auth: Principal, person_id: str | None) -> str | None:
    if auth.is_person:
        if person_id and person_id != auth.person_id:
            raise Forbidden("a person may only list their own sessions", code="not_your_sessions")
        return auth.person_id
    return person_id
