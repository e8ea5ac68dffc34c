"""Video's part of a subject-access export: the person's sessions (never the room links: they are credentials)."""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Session

SESSION_FIELDS = ("id", "match_id", "mentor_id", "mentee_id", "starts_at", "ends_at", "duration_minutes", "status",
                  "provider", "created_by", "created_at", "updated_at", "cancelled_at", "cancelled_by", "cancel_reason")


def export_person(tenant_id: str, person_id: str) -> dict:
    sessions = []
    for role in ("mentor_id", "mentee_id"):
        sessions += [pick(s, *SESSION_FIELDS) for s in
                     Session.raw().find({"tenant_id": tenant_id, role: person_id}).sort("starts_at", 1)
                     .limit(EXPORT_LIMIT) if not s.get("erased")]
    cancelled = sum(1 for s in sessions if s.get("status") == "cancelled")
    summary = [(f"Video: {plural(len(sessions), 'session')} booked with you ({cancelled} cancelled), when, for how "
               "long and who booked or cancelled it. Calls are not recorded, so there is nothing of what was said.")]
    return part("video", {"sessions": sessions}, summary)
