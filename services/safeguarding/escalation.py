"""The escalation clock: alert the organisation's contacts in order until someone acknowledges.

Each step is taken once, whichever replica ticks (compare-and-set on the step number), recorded
on the concern with what each channel said, and published as ConcernEscalated. Quiet hours do not
apply: a concern is sent when it is due, day or night.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ementor_contracts import ConcernEscalated

from . import domain
from .alerts import AlertSender
from .documents import Concern
from .repository import SafeguardingRepository

log = logging.getLogger(__name__)
BATCH = 100


def contacts_of(repo: SafeguardingRepository, tenant_id: str) -> tuple[list[domain.Contact], int]:
    settings = repo.settings(tenant_id)
    if settings is None:
        return [], domain.DEFAULT_ACK_MINUTES
    items = (settings.contacts or {}).get("items", [])
    return ([domain.Contact(c["name"], c.get("email"), c.get("phone")) for c in items],
            settings.acknowledge_within_minutes)


def alert_text(concern: Concern, alert: domain.Alert, public_url: str) -> tuple[str, str, str]:
    """Subject, email text and SMS text: the category and a link, never what the concern says."""
    what = domain.CATEGORIES.get(concern.category, concern.category)
    link = f"{public_url.rstrip('/')}/safeguarding/concerns/{concern.id}"
    urgency = "SERIOUS " if concern.serious else ""
    who = " (no contact of the organisation acknowledged it in time)" if alert.to_operator else ""
    subject = f"[ementor] {urgency}safeguarding concern to acknowledge: {what}"
    text = (f"A safeguarding concern was raised{who}.\n\nCategory: {what}\nConcern: {concern.id}\n"
            f"Raised: {concern.created_at:%Y-%m-%d %H:%M} UTC\n\nOpen it and acknowledge it here: {link}\n\n"
            "If nobody acknowledges it in time, the next safeguarding contact is alerted.\n")
    sms = f"ementor: {urgency}safeguarding concern ({what}). Please acknowledge now: {link}"
    return subject, text, sms


def take_due_steps(repo: SafeguardingRepository, sender: AlertSender, public_url: str, now: datetime) -> int:
    """One tick: take every escalation step now due. Returns the number of alerts sent."""
    sent = 0
    settings: dict[str, tuple[list[domain.Contact], int]] = {}  # read once per organisation per tick
    for concern in repo.due_alerts(now, BATCH):
        if concern.tenant_id not in settings:
            settings[concern.tenant_id] = contacts_of(repo, concern.tenant_id)
        contacts, ack_minutes = settings[concern.tenant_id]
        step = concern.escalation_step or 0
        alert = domain.alert_for_step(step, contacts, sender.operator)
        if alert is None:  # nobody left to alert: the concern waits, visible to leads
            repo.claim_step(concern, step, None, {"step": step, "at": now, "contact_name": None,
                                                  "email": "none", "sms": "none", "to_operator": True},
                            ConcernEscalated(concern_id=concern.id, step=step, to_operator=True))
            log.error("concern %s of organisation %s: nobody left to alert (no contacts, no operator address)",
                      concern.id, concern.tenant_id)
            continue
        has_next = domain.alert_for_step(step + 1, contacts, sender.operator) is not None
        next_at = domain.next_alert_at(now, ack_minutes, has_next)
        record = {"step": step, "at": now, "contact_name": alert.contact.name, "to_operator": alert.to_operator,
                  "email": "sending", "sms": "sending"}
        event = ConcernEscalated(concern_id=concern.id, step=step, to_operator=alert.to_operator)
        if not repo.claim_step(concern, step, next_at, record, event):
            continue  # another replica took it, or it was acknowledged meanwhile
        subject, text, sms = alert_text(concern, alert, public_url)
        repo.record_outcome(concern, step, "email", sender.email(alert.contact, subject, text))
        repo.record_outcome(concern, step, "sms", sender.sms(alert.contact, sms))
        sent += 1
    return sent
