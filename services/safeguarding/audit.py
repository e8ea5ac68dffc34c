"""The organisation's audit chain: append decisions, verify the chain, export it for inspectors."""

from __future__ import annotations

from datetime import datetime

from ementor.platform.retention import cutoff

from . import domain, schemas
from .repository import SafeguardingRepository

EXPORT_PAGE = 5000
TRIM_PAGE = 5000  # entries a run deletes per organisation at most; the next run goes on


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
    """Walk the whole chain (from its base, when retention trimmed it); the number of entries read and where
    it first breaks (None: whole)."""
    head = repo.audit_head(tenant_id) or {}
    base_seq, base_hash = head.get("base_seq", 0), head.get("base_hash", domain.GENESIS)
    entries, after = [], base_seq
    while True:
        page = repo.audit_entries(tenant_id, after_seq=after, limit=EXPORT_PAGE)
        entries += page
        if len(page) < EXPORT_PAGE:
            break
        after = page[-1]["seq"]
    broken = domain.verify_chain(entries, base_seq, base_hash)
    last = base_seq + len(entries)
    if broken is None and head and head["seq"] > last:
        broken = domain.ChainBreak(last + 1, f"entries {last + 1} to {head['seq']} were deleted "
                                             f"(the chain's head is at {head['seq']})")
    return len(entries), broken


def trim(repo: SafeguardingRepository, tenant_id: str, now: datetime, years: int) -> int:
    """Delete the chain's entries older than the organisation's audit period, oldest first; the number deleted.

    First an `audit_trimmed` entry records through which entry (seq and hash) and before when, then the
    head's base moves there, then the entries go: a run stopped half-way leaves a chain that verifies."""
    head = repo.audit_head(tenant_id) or {}
    base_seq = head.get("base_seq", 0)
    before = cutoff(now, "audit_years", {"audit_years": years}).isoformat(timespec="milliseconds")
    last = domain.trim_point(repo.audit_entries(tenant_id, after_seq=base_seq, limit=TRIM_PAGE), before)
    if last is None:
        return 0
    record(repo, tenant_id, now, "retention", domain.TRIMMED, tenant_id,
           {"through_seq": last["seq"], "through_hash": last["hash"], "before": before,
            "count": last["seq"] - base_seq, "years": years})
    repo.move_audit_base(tenant_id, last["seq"], last["hash"])
    return repo.delete_audit_through(tenant_id, last["seq"])


def export(repo: SafeguardingRepository, tenant_id: str, query: schemas.AuditQuery) -> schemas.AuditExport:
    _, broken = verify(repo, tenant_id)
    head = repo.audit_head(tenant_id)
    items = repo.audit_entries(tenant_id, after_seq=query.after_seq, limit=query.limit)
    return schemas.AuditExport(
        organisation_id=tenant_id, head_seq=head["seq"] if head else 0, verified=broken is None,
        broken_at=broken.seq if broken else None, problem=broken.problem if broken else None,
        items=[schemas.AuditEntryView(**{k: e[k] for k in schemas.AuditEntryView.model_fields}) for e in items])


def enforce_retention(repo: SafeguardingRepository, now: datetime, years_of) -> int:
    """One run over every organisation with a chain; `years_of(tenant_id)` is its audit period."""
    total, after = 0, ""
    while page := repo.audit_organisations(after, 100):
        for tenant_id in page:
            total += trim(repo, tenant_id, now, years_of(tenant_id))
        after = page[-1]
    return total
