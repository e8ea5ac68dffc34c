"""iCalendar (RFC 5545) invites for sessions: a pure function of the session and the reader.

Calendar clients recognise an update by the UID, and decide which version wins by SEQUENCE:
the UID is fixed for a session, SEQUENCE is raised on every reschedule and on cancellation,
and a cancelled session is sent as METHOD:CANCEL with STATUS:CANCELLED so the entry goes away.

No e-mail address or phone number is written: people are named (CN) and identified by an
opaque `urn:ementor:person:<id>` address. A sender that knows the reader's own address (say,
notifications attaching the invite to an e-mail to that person) can pass it as `address`.
This module imports neither nameko nor mongoengine, so other services can reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//ementor//video sessions//EN"
UID_DOMAIN = "ementor"


@dataclass(frozen=True)
class Attendee:
    person_id: str
    name: str
    role: str  # "mentor" | "mentee" | "observer"
    address: str | None = None  # a mailto: the reader may add for themself; never another person's


@dataclass(frozen=True)
class Invite:
    session_id: str
    sequence: int
    cancelled: bool
    starts_at: datetime
    ends_at: datetime
    attendees: tuple[Attendee, ...]
    stamp: datetime  # DTSTAMP: when this file was produced
    created_at: datetime | None = None
    updated_at: datetime | None = None
    join_url: str | None = None  # the reader's own link; omitted when cancelled
    organisation_name: str = "ementor"
    cancel_reason: str | None = None


def uid(session_id: str) -> str:
    return f"session-{session_id}@{UID_DOMAIN}"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _address(uri: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(uri)
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def summary(invite: Invite) -> str:
    names = {a.role: a.name for a in invite.attendees}
    if "mentor" in names and "mentee" in names:
        return f"Mentoring session: {names['mentor']} and {names['mentee']}"
    return "Mentoring session"


def build(invite: Invite) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid(invite.session_id))
    event.add("sequence", invite.sequence)
    event.add("dtstamp", _utc(invite.stamp))
    event.add("dtstart", _utc(invite.starts_at))
    event.add("dtend", _utc(invite.ends_at))
    if invite.created_at:
        event.add("created", _utc(invite.created_at))
    if invite.updated_at:
        event.add("last-modified", _utc(invite.updated_at))
    event.add("summary", summary(invite))
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(f"urn:{UID_DOMAIN}:video", invite.organisation_name), encode=0)
    for attendee in invite.attendees:
        event.add(
            "attendee",
            _address(attendee.address or f"urn:{UID_DOMAIN}:person:{attendee.person_id}", attendee.name,
                     role="NON-PARTICIPANT" if attendee.role == "observer" else "REQ-PARTICIPANT", partstat="ACCEPTED" if not invite.cancelled else "DECLINED",
                     cutype="INDIVIDUAL"),
            encode=0,
        )
    lines = []
    if invite.cancelled:
        lines.append("This session has been cancelled.")
        if invite.cancel_reason:
            lines.append(f"Reason: {invite.cancel_reason}")
    elif invite.join_url:
        event.add("location", invite.join_url)
        lines.append(f"Join the video call: {invite.join_url}")
        lines.append("This link is personal to you: please do not share it.")
    if lines:
        event.add("description", "\n".join(lines))
    calendar.add_component(event)
    return calendar.to_ical()
