"""Notifications' part of a subject-access export: every email and SMS sent (or tried) to the person."""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Delivery


def export_person(tenant_id: str, person_id: str) -> dict:
    deliveries = [pick(d, "id", "channel", "kind", "cause_event_type", "subject", "status", "attempts",
                       "provider_status", "created_at", "sent_at") for d in
                  Delivery.raw().find({"tenant_id": tenant_id, "recipient": person_id}).sort("_id", -1)
                  .limit(EXPORT_LIMIT)]
    emails = sum(1 for d in deliveries if d.get("channel") == "email")
    summary = [(f"Notifications: {plural(emails, 'email')} and {plural(len(deliveries) - emails, 'text message')} "
               "we sent or tried to send you, with what each was about and whether it arrived. The wording is "
               "built from a template when sent and is not kept.")]
    return part("notifications", {"deliveries": deliveries}, summary)
