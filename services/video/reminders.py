"""Reminders: planned per session when it is saved, fired once each by whichever replica ticks."""

from __future__ import annotations

from datetime import datetime, timedelta

from ementor_contracts import SessionReminderDue, to_cloudevent

from . import domain
from .documents import Session, utcnow
from .organisation_settings import limits
from .repository import VideoRepository

REMINDER_BATCH = 500
# A request that wrote a session but died before its reminders is repaired after this.
REMINDER_REPAIR_AFTER = timedelta(seconds=30)


def write_reminders(repo: VideoRepository, session: Session, rules: domain.Limits, now: datetime) -> None:
    repo.plan_reminders(session, domain.reminder_plan(domain.aware(session.starts_at), rules.reminder_offsets_minutes, now))
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
        wanted.setdefault(reminder["tenant_id"], set()).add(reminder["session_id"])
    sessions: dict[tuple, Session] = {}
    for tenant_id, session_ids in wanted.items():  # one query per organisation, not per reminder
        sessions.update({(tenant_id, sid): s for sid, s in repo.sessions_by_ids(tenant_id, sorted(session_ids)).items()})
    candidates = []
    for reminder in due:
        key = (reminder["tenant_id"], reminder["session_id"])
        session = sessions.get(key)
        if session is None or session.status != "scheduled" or session.sequence != reminder["sequence"]:
            repo.skip_reminder(reminder, now)  # moved or cancelled since it was planned
            continue
        candidates.append(domain.DueReminder(reminder["_id"], (*key, reminder["sequence"]),
                                             reminder["offset_minutes"], domain.aware(session.starts_at)))
    fire, skip = domain.choose_reminders(candidates, now)
    by_id = {r["_id"]: r for r in due}
    for chosen in skip:
        repo.skip_reminder(by_id[chosen.key], now)
    fired = 0
    for chosen in fire:
        reminder = by_id[chosen.key]
        session = sessions[(reminder["tenant_id"], reminder["session_id"])]
        event = to_cloudevent(SessionReminderDue(
            session_id=session.id, match_id=session.match_id, mentor_id=session.mentor_id,
            mentee_id=session.mentee_id, starts_at=domain.aware(session.starts_at), minutes_before=chosen.offset_minutes,
        ), reminder["tenant_id"])
        if repo.claim_reminder(reminder, event, now):
            fired += 1
    return fired
