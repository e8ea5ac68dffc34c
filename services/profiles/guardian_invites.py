"""A minor's guardian invited to the minor's video sessions, where the organisation allows it (issue 17).

Video decides that a session invites the guardian (its `minors.invite_guardian` setting) and says so in
SessionScheduled (`guardian_invited`, no contact details). Profiles knows the guardian, so it sends the
invitation: it asks video for the guardian's own link (`video.guardian_invite`: signed, bound to the
slot, never a moderator, the guardian named in it) and emails it now. A mail server or video that does
not answer raises, so the event is tried again with back-off (the consumer's inbox makes a redelivered
event send nothing twice once it succeeded). Only a minor with a guardian whose consent is granted is
invited; anyone else's session sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from .consent import GRANTED
from .guardians import state_of
from .repository import ProfilesRepository

log = logging.getLogger(__name__)

# (tenant_id, session_id, guardian_name) -> {join_url, starts_at, ends_at, mentor_id, ...} or None
AskVideo = Callable[[str, str, str], "dict | None"]


def invite(repo: ProfilesRepository, mail, ask_video: AskVideo, tenant_id: str, event) -> bool:
    """Email the guardian of the session's minor their invitation; False when nobody is to be invited."""
    if not getattr(event, "guardian_invited", False):
        return False
    mentee = repo.person(tenant_id, event.mentee_id)
    if mentee is None or mentee.erased or not mentee.is_minor or mentee.guardian is None \
            or state_of(mentee) != GRANTED:
        log.info("session %s: no guardian to invite for %s", event.session_id, event.mentee_id)
        return False
    found = ask_video(tenant_id, event.session_id, mentee.guardian.name)
    if found is None:  # cancelled since, or no longer inviting
        log.info("session %s: video has no guardian link (cancelled, or not inviting)", event.session_id)
        return False
    mentor = repo.person(tenant_id, event.mentor_id)
    organisation = repo.organisation(tenant_id)
    subject, text = words(guardian=mentee.guardian.name, child=mentee.name,
                          mentor=mentor.name if mentor and not mentor.erased else "their mentor",
                          organisation=organisation.name if organisation else "The organisation",
                          starts_at=datetime.fromisoformat(found["starts_at"]),
                          ends_at=datetime.fromisoformat(found["ends_at"]), timezone=mentee.timezone,
                          url=found["join_url"])
    mail.send_now(to_name=mentee.guardian.name, to_address=mentee.guardian.email, subject=subject, text=text)
    log.info("session %s: guardian invited by email", event.session_id)
    return True


def words(*, guardian: str, child: str, mentor: str, organisation: str, starts_at: datetime, ends_at: datetime,
          timezone: str, url: str) -> tuple[str, str]:
    try:
        zone = ZoneInfo(timezone)
    except Exception:  # noqa: BLE001 - a zone the system does not know: UTC, said so
        zone, timezone = ZoneInfo("UTC"), "UTC"
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    when = f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} ({timezone})"
    subject = f"You are invited to {child}'s mentoring session on {start:%A %d %B}"
    text = "\n".join([
        f"Dear {guardian},",
        "",
        (f"{organisation} invites you, as {child}'s parent or guardian, to {child}'s video mentoring session "
         f"with {mentor}:"),
        "",
        f"  {when}",
        "",
        f"Your own link (it names you, {guardian} (guardian), to everyone in the call):",
        url,
        "",
        ("The link is yours alone: please do not forward it. It works from 10 minutes before the start until "
         "the end of the session, and you join as a guest, not as the host."),
        "",
        f"If you have a question, reply to {organisation} rather than to this email.",
    ])
    return subject, text
