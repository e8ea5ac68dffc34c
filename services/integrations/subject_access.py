"""Integrations' part of a subject-access export: it keeps nothing personal to look up by person."""

from __future__ import annotations

from ementor.platform.subject_access import part

from .documents import LOG_RETENTION_DAYS


def export_person(tenant_id: str, person_id: str) -> dict:
    summary = [("Integrations: ementor sends events to your organisation's own systems (webhooks). Events name "
               "people by id only, never names, contact details or what was written; the copies we keep of what "
               f"was sent are deleted after {LOG_RETENTION_DAYS} days. Your organisation's own systems may hold "
               "more: ask your organisation.")]
    return part("integrations", {"held_about_you": [], "event_copies_kept_days": LOG_RETENTION_DAYS}, summary)
