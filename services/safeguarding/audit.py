"""The organisation's audit chain: append decisions, verify the chain, export it for inspectors."""

from __future__ import annotations

from datetime import datetime

from . import domain, schemas
from .repository import SafeguardingRepository

EXPORT_PAGE = 5000


def record(repo: SafeguardingRepository, tenant_id: str, at: datetime, actor: str, action: str, subject_id: str,
           data: dict, event_id: str | None = None) -> dict:
    """Append a decision; one taken from another service's event (`event_id`) is appended once however often
    the event arrives."""
    return repo.append_audit(tenant_id, at=at.isoformat(timespec="milliseconds"), actor=actor, action=action,
                             subject_id=subject_id, data={k: v for k, v in data.items() if v is not None},
                             event_id=event_id)


def moderation_decided(repo: SafeguardingRepository, tenant_id: str, event, envelope) -> None:
    """Messaging's MessageHeld/Approved/Rejected: the moderation decisions join the chain."""
    action = {"MessageHeld": "message_held", "MessageApproved": "message_approved",
              "MessageRejected": "message_rejected"}[type(event).__name__]
    record(repo, tenant_id, envelope.time, getattr(event, "moderator_id", None) or "moderation", action,
           event.message_id, {"match_id": event.match_id, "reasons": getattr(event, "reasons", None),
                              "reason": getattr(event, "reason", None)}, event_id=envelope.id)


def consent_changed(repo: SafeguardingRepository, tenant_id: str, event, envelope) -> None:
    """Profiles' GuardianConsentChanged: a minor's consent decisions join the chain (the state, never the guardian)."""
    record(repo, tenant_id, envelope.time, "guardian" if event.state in ("granted", "declined", "withdrawn")
           else "profiles", f"guardian_consent_{event.state}", event.person_id, {}, event_id=envelope.id)


def verify(repo: SafeguardingRepository, tenant_id: str) -> tuple[int, domain.ChainBreak | None]:
    """Walk the whole chain; the number of entries read and where it first breaks (None: whole)."""
    entries, after = [], 0
    while True:
        page = repo.audit_entries(tenant_id, after_seq=after, limit=EXPORT_PAGE)
        entries += page
        if len(page) < EXPORT_PAGE:
            break
        after = page[-1]["seq"]
    broken = domain.verify_chain(entries)
    head = repo.audit_head(tenant_id)
    if broken is None and head is not None and head["seq"] > len(entries):
        broken = domain.ChainBreak(len(entries) + 1, f"entries {len(entries) + 1} to {head['seq']} were deleted "
                                                    f"(the chain's head is at {head['seq']})")
    return len(entries), broken


def export(repo: SafeguardingRepository, tenant_id: str, query: schemas.AuditQuery) -> schemas.AuditExport:
    _, broken = verify(repo, tenant_id)
    head = repo.audit_head(tenant_id)
    items = repo.audit_entries(tenant_id, after_seq=query.after_seq, limit=query.limit)
    return schemas.AuditExport(
        organisation_id=tenant_id, head_seq=head["seq"] if head else 0, verified=broken is None,
        broken_at=broken.seq if broken else None, problem=broken.problem if broken else None,
        items=[schemas.AuditEntryView(**{k: e[k] for k in schemas.AuditEntryView.model_fields}) for e in items])
