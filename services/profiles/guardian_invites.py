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

When a session is cancelled (SessionCancelled), the guardian who was sent an invitation to it is told, in the
same language, with the time they were last sent. Profiles keeps a record of each invitation it sent
(GuardianInvitation), so a guardian never hears of a cancelled session they were not invited to (the organisation
did not invite guardians, consent was not granted then, the cancellation came before any invitation, or the
child's guardian has changed since). The
record is claimed before the email goes, so the cancellation is sent once, whether the cancellation event or an
invitation sent at the same moment gets there second; the consumer's inbox keeps a redelivered event from
sending again. In the call, video names the guardian with the word for "guardian" in the child's language
(`mail_words.guardian_label`), which profiles hands it with the name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from . import mail_words
from .consent import GRANTED
from .documents import Person, utcnow
from .guardian_documents import GuardianInvitation
from .guardians import state_of
from .repository import ProfilesRepository

log = logging.getLogger(__name__)

# (tenant_id, session_id, guardian_name, label) -> {join_url, starts_at, ends_at, sequence, mentor_id, ...} or None
AskVideo = Callable[[str, str, str, str], "dict | None"]


def _child_with_guardian(repo: ProfilesRepository, tenant_id: str, mentee_id: str) -> Person | None:
    """The mentee, if they are a minor whose guardian has granted consent: whose guardian may be written to."""
    mentee = repo.person(tenant_id, mentee_id)
    if mentee is None or mentee.erased or not mentee.is_minor or mentee.guardian is None \
            or state_of(mentee) != GRANTED:
        return None
    return mentee


def _names(repo: ProfilesRepository, tenant_id: str, mentor_id: str) -> tuple[str | None, str | None]:
    """(the mentor's name, the organisation's name); None for an erased or unknown one."""
    mentor = repo.person(tenant_id, mentor_id)
    organisation = repo.organisation(tenant_id)
    return (mentor.name if mentor and not mentor.erased else None), (organisation.name if organisation else None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # MongoDB gives back UTC without a zone


def invite(repo: ProfilesRepository, mail, ask_video: AskVideo, tenant_id: str, event, moved: bool = False) -> bool:
    """Email the guardian of the session's minor their invitation (`moved`: an updated one for a new time);
    False when nobody is to be invited."""
    if not moved and not getattr(event, "guardian_invited", False):
        return False  # SessionRescheduled does not say; video's answer below does
    mentee = _child_with_guardian(repo, tenant_id, event.mentee_id)
    if mentee is None:
        log.info("session %s: no guardian to invite for %s", event.session_id, event.mentee_id)
        return False
    found = ask_video(tenant_id, event.session_id, mentee.guardian.name, mail_words.guardian_label(mentee.locale))
    if found is None:  # cancelled since, or no longer inviting
        log.info("session %s: video has no guardian link (cancelled, or not inviting)", event.session_id)
        # An invitation retried because the cancellation that followed it (below) failed: it is still owed.
        _tell_if_cancelled(repo, mail, tenant_id, mentee, event.session_id, event.mentor_id)
        return False
    if moved and found.get("sequence", event.sequence) > event.sequence:
        log.info("session %s: moved again since; that change sends the invitation", event.session_id)
        return False
    mentor, organisation = _names(repo, tenant_id, event.mentor_id)
    starts_at, ends_at = datetime.fromisoformat(found["starts_at"]), datetime.fromisoformat(found["ends_at"])
    subject, text = mail_words.session_invitation(
        mentee.locale, guardian=mentee.guardian.name, child=mentee.name, mentor=mentor, organisation=organisation,
        starts_at=starts_at, ends_at=ends_at, timezone=mentee.timezone, url=found["join_url"], moved=moved)
    mail.send_now(to_name=mentee.guardian.name, to_address=mentee.guardian.email, subject=subject, text=text)
    log.info("session %s: guardian %s by email", event.session_id, "told of the new time" if moved else "invited")
    recorded = repo.guardian_invitation_sent(tenant_id, event.session_id, mentee.id, mentee.guardian.email,
                                             starts_at, ends_at, utcnow())
    if recorded.cancelled_at:  # cancelled while this was on its way: the cancellation found no invitation
        _tell_if_cancelled(repo, mail, tenant_id, mentee, event.session_id, event.mentor_id)
    return True


def cancelled(repo: ProfilesRepository, mail, tenant_id: str, event) -> bool:
    """Tell the guardian who was invited to the session that it is cancelled; False when there is nobody to tell
    (no guardian, never invited, or already told). Consent withdrawn since the invitation does not silence
    it: the guardian expects the session, and withdrawing is often why it is cancelled."""
    mentee = repo.person(tenant_id, event.mentee_id)
    if mentee is None or mentee.erased or mentee.guardian is None:
        log.info("session %s cancelled: no guardian to tell for %s", event.session_id, event.mentee_id)
        return False
    repo.guardian_session_cancelled(tenant_id, event.session_id, mentee.id, utcnow())
    return _tell_if_cancelled(repo, mail, tenant_id, mentee, event.session_id, event.mentor_id)


def _tell_if_cancelled(repo: ProfilesRepository, mail, tenant_id: str, mentee: Person, session_id: str,
                       mentor_id: str) -> bool:
    invitation: GuardianInvitation | None = repo.claim_guardian_cancellation(tenant_id, session_id,
                                                                             mentee.guardian.email, utcnow())
    if invitation is None:  # this guardian was not invited (yet), it is not cancelled, or they were told
        log.debug("session %s: no cancellation for the guardian to be sent", session_id)
        return False
    mentor, organisation = _names(repo, tenant_id, mentor_id)
    subject, text = mail_words.session_cancellation(
        mentee.locale, guardian=mentee.guardian.name, child=mentee.name, mentor=mentor, organisation=organisation,
        starts_at=_aware(invitation.starts_at), ends_at=_aware(invitation.ends_at), timezone=mentee.timezone)
    try:
        mail.send_now(to_name=mentee.guardian.name, to_address=mentee.guardian.email, subject=subject, text=text)
    except BaseException:  # eventlet's Timeout too
        repo.release_guardian_cancellation(tenant_id, session_id)  # not sent: the retried event sends it
        raise
    log.info("session %s: guardian told of the cancellation by email", session_id)
    return True
