"""A minor's guardian invited to the minor's video sessions, where the organisation allows it (issue 17).

Video decides that a session invites the guardian (its `minors.invite_guardian` setting) and says so in
SessionScheduled (`guardian_invited`, no contact details). Profiles knows the guardian, so it sends the
invitation: it asks video for the guardian's own link (`video.guardian_invite`: signed, bound to the
slot, never a moderator, the guardian named in it) and emails it now, in the language of the child's
profile (mail_words.py). When the session moves (SessionRescheduled), the old link is bound to the old
slot, so the guardian gets an updated invitation with a new link; video answers only for a session that
invites the guardian, and a reschedule overtaken by a later one sends nothing (that one sends). A mail
server or video that does not answer raises, so the event is tried again with back-off (the consumer's
inbox makes a redelivered event send nothing twice once it succeeded). Only a minor with a guardian
whose consent is granted is invited; anyone else's session sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from . import mail_words
from .consent import GRANTED
from .guardians import state_of
from .repository import ProfilesRepository

log = logging.getLogger(__name__)

# (tenant_id, session_id, guardian_name) -> {join_url, starts_at, ends_at, sequence, mentor_id, ...} or None
AskVideo = Callable[[str, str, str], "dict | None"]


def invite(repo: ProfilesRepository, mail, ask_video: AskVideo, tenant_id: str, event, moved: bool = False) -> bool:
    """Email the guardian of the session's minor their invitation (`moved`: an updated one for a new time);
    False when nobody is to be invited."""
    if not moved and not getattr(event, "guardian_invited", False):
        return False  # SessionRescheduled does not say; video's answer below does
    mentee = repo.person(tenant_id, event.mentee_id)
    if mentee is None or mentee.erased or not mentee.is_minor or mentee.guardian is None \
            or state_of(mentee) != GRANTED:
        log.info("session %s: no guardian to invite for %s", event.session_id, event.mentee_id)
        return False
    found = ask_video(tenant_id, event.session_id, mentee.guardian.name)
    if found is None:  # cancelled since, or no longer inviting
        log.info("session %s: video has no guardian link (cancelled, or not inviting)", event.session_id)
        return False
    if moved and found.get("sequence", event.sequence) > event.sequence:
        log.info("session %s: moved again since; that change sends the invitation", event.session_id)
        return False
    mentor = repo.person(tenant_id, event.mentor_id)
    organisation = repo.organisation(tenant_id)
    subject, text = mail_words.session_invitation(
        mentee.locale, guardian=mentee.guardian.name, child=mentee.name,
        mentor=mentor.name if mentor and not mentor.erased else None,
        organisation=organisation.name if organisation else None,
        starts_at=datetime.fromisoformat(found["starts_at"]), ends_at=datetime.fromisoformat(found["ends_at"]),
        timezone=mentee.timezone, url=found["join_url"], moved=moved)
    mail.send_now(to_name=mentee.guardian.name, to_address=mentee.guardian.email, subject=subject, text=text)
    log.info("session %s: guardian %s by email", event.session_id, "told of the new time" if moved else "invited")
    return True
