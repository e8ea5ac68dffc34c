"""The match projection fed by matching's events, and erasure fed by profiles'."""

from __future__ import annotations

from datetime import datetime

from . import domain
from .documents import utcnow
from .handlers import cancel
from .repository import VideoRepository

GUARDIAN_CONSENT = "guardian_consent"  # the pause reason while a minor's guardian consent is not granted


def record_match(repo: VideoRepository, tenant_id: str, event, status: str) -> None:
    repo.record_match(tenant_id, event.match_id, event.mentor_id, event.mentee_id,
                      getattr(event, "programme_id", None), status, utcnow())
    consent = repo.consent_of(tenant_id, event.mentee_id)
    if consent is not None:
        repo.set_paused(tenant_id, event.mentee_id, GUARDIAN_CONSENT, domain.paused_for_consent(consent),
                        match_id=event.match_id)


def guardian_consent_changed(repo: VideoRepository, tenant_id: str, person_id: str, state: str, at: datetime) -> None:
    """A minor's matches are paused for scheduling until their guardian's consent is granted."""
    if repo.apply_consent(tenant_id, person_id, state, at):
        repo.set_paused(tenant_id, person_id, GUARDIAN_CONSENT, domain.paused_for_consent(state))


def profile_changed(repo: VideoRepository, tenant_id: str, event, at: datetime) -> None:
    """ProfileCreated/ProfileUpdated: whether the person is a minor and how far a mentor is vetted."""
    repo.apply_person_facts(tenant_id, event.person_id, event.is_minor, event.vetted, at,
                            getattr(event, "vetting_level", None))


def match_ended(repo: VideoRepository, tenant_id: str, event, now: datetime | None = None) -> int:
    """The match is over: record it, and cancel its sessions that have not started yet."""
    now = now or utcnow()
    repo.record_match(tenant_id, event.match_id, event.mentor_id, event.mentee_id, None, "ended", now)
    cancelled = 0
    for session in repo.future_sessions_of_match(tenant_id, event.match_id, now):
        reason = "The match ended" + (f": {event.reason}" if event.reason else "")
        cancel(repo, session, event.ended_by, reason, now)  # a race raises: the event is retried
        cancelled += 1
    return cancelled


def person_erased(repo: VideoRepository, tenant_id: str, person_id: str, now: datetime | None = None) -> None:
    """Right to erasure: their sessions go. Upcoming ones are cancelled first, so the other person hears."""
    now = now or utcnow()
    for session in repo.all_sessions_of_person(tenant_id, person_id):
        if session.erased:
            continue
        if session.status == "scheduled" and domain.aware(session.ends_at) > now:
            cancel(repo, session, person_id, "person_erased", now, erase=True)
        else:
            repo.delete_session(session)
        repo.forget_reminders(tenant_id, session.id)
    repo.forget_calendar(tenant_id, person_id)
    repo.forget_person_facts(tenant_id, person_id)
    repo.forget_matches_of(tenant_id, person_id)
