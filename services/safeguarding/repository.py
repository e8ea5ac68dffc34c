"""Storage of concerns, settings, blocks and the audit chain: the only module that queries MongoDB."""

from __future__ import annotations

from datetime import UTC, datetime

from ementor_contracts import Event
from mongoengine.errors import NotUniqueError
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from ementor.platform.outbox import Pending

from . import domain
from .documents import AuditEntry, AuditHead, Block, Concern, SafeguardingSettings

APPEND_ATTEMPTS = 20


class Duplicate(Exception):
    """The record exists already."""


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class SafeguardingRepository:
    # -- concerns ---------------------------------------------------------------------------------
    def add_concern(self, concern: Concern) -> None:
        try:
            concern.save(force_insert=True)
        except (DuplicateKeyError, NotUniqueError):
            raise Duplicate from None

    def concern(self, tenant_id: str, concern_id: str) -> Concern | None:
        return Concern.scoped(tenant_id, id=concern_id).first()

    def concerns(self, tenant_id: str, status: str | None, limit: int, after: str | None) -> list[Concern]:
        query = Concern.scoped(tenant_id)
        query = query.filter(status=status) if status else query.filter(status__in=["open", "acknowledged",
                                                                                     "resolved"])
        if after:
            query = query.filter(id__lt=after)
        return list(query.order_by("-id").limit(limit))

    def other_open_concerns(self, tenant_id: str, match_id: str, concern_id: str) -> int:
        return Concern.raw().count_documents({"tenant_id": tenant_id, "match_id": match_id,
                                              "status": {"$in": list(domain.OPEN_STATES)},
                                              "_id": {"$ne": concern_id}})

    def acknowledge(self, tenant_id: str, concern_id: str, actor: str, now: datetime) -> Concern | None:
        """Stop the clock: only an open concern moves; returns the concern as it now is."""
        Concern.raw().update_one({"_id": concern_id, "tenant_id": tenant_id, "status": "open"},
                                 {"$set": {"status": "acknowledged", "acknowledged_at": now,
                                           "acknowledged_by": actor}, "$unset": {"next_alert_at": ""}})
        return self.concern(tenant_id, concern_id)

    def resolve(self, tenant_id: str, concern_id: str, changes: dict, event: Event) -> Concern | None:
        """Resolve an unresolved concern and queue its event in one write; None if it was resolved meanwhile."""
        found = Concern.raw().find_one_and_update(
            {"_id": concern_id, "tenant_id": tenant_id, "status": {"$in": list(domain.OPEN_STATES)}},
            {"$set": {**changes, "status": "resolved"}, "$unset": {"next_alert_at": ""},
             "$push": {"outbox": Pending.of(event, tenant_id).stored()}},
            return_document=ReturnDocument.AFTER)
        return None if found is None else Concern._from_son(found)

    # -- the escalation clock -------------------------------------------------------------------------
    def due_alerts(self, now: datetime, limit: int) -> list[Concern]:
        found = Concern.raw().across_tenants().find({"next_alert_at": {"$lte": now}}).sort("next_alert_at", 1)
        return [Concern._from_son(d) for d in found.limit(limit)]

    def claim_step(self, concern: Concern, step: int, next_at: datetime | None, record: dict,
                   event: Event) -> bool:
        """Take one escalation step once, whichever replica ticks: the step number moves by compare-and-set."""
        result = Concern.raw().update_one(
            {"_id": concern.id, "tenant_id": concern.tenant_id, "status": "open", "escalation_step": step},
            {"$set": {"escalation_step": step + 1, "next_alert_at": next_at},
             "$push": {"escalation": record, "outbox": Pending.of(event, concern.tenant_id).stored()}})
        return result.modified_count == 1

    def record_outcome(self, concern: Concern, step: int, channel: str, outcome: str) -> None:
        Concern.raw().update_one({"_id": concern.id, "tenant_id": concern.tenant_id, "escalation.step": step},
                                 {"$set": {f"escalation.$.{channel}": outcome}})

    # -- settings -------------------------------------------------------------------------------------
    def settings(self, tenant_id: str) -> SafeguardingSettings | None:
        return SafeguardingSettings.scoped(tenant_id, id=tenant_id).first()

    def save_settings(self, settings: SafeguardingSettings) -> None:
        settings.save()

    # -- blocks ---------------------------------------------------------------------------------------
    def add_block(self, block: Block) -> None:
        try:
            block.save(force_insert=True)
        except (DuplicateKeyError, NotUniqueError):
            raise Duplicate from None

    def block(self, tenant_id: str, person_id: str, blocked_person_id: str) -> Block | None:
        return Block.scoped(tenant_id, person_id=person_id, blocked_person_id=blocked_person_id).first()

    # -- the audit chain ------------------------------------------------------------------------------
    def append_audit(self, tenant_id: str, *, at: str, actor: str, action: str, subject_id: str,
                     data: dict, event_id: str | None = None) -> dict:
        """Append one entry to the organisation's chain; concurrent appends retry on the next link."""
        if event_id:
            done = AuditEntry.raw().find_one({"tenant_id": tenant_id, "event_id": event_id})
            if done is not None:
                return done
        for _ in range(APPEND_ATTEMPTS):
            head = AuditHead.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id}) or {
                "seq": 0, "hash": domain.GENESIS}
            entry = {"tenant_id": tenant_id, "seq": head["seq"] + 1, "at": at, "actor": actor, "action": action,
                     "subject_id": subject_id, "data": data, "prev_hash": head["hash"]}
            entry["hash"] = domain.entry_hash(entry)
            try:
                AuditEntry.raw().insert_one({"_id": f"{tenant_id}:{entry['seq']}", **entry,
                                             **({"event_id": event_id} if event_id else {})})
            except DuplicateKeyError:  # another append took this link: catch the head up, try again
                self._catch_up_head(tenant_id, head["seq"])
                continue
            self._move_head(tenant_id, head["seq"], entry)
            return entry
        raise RuntimeError(f"could not append to the audit chain of {tenant_id}")

    def _move_head(self, tenant_id: str, from_seq: int, entry: dict) -> None:
        try:
            AuditHead.raw().update_one({"_id": tenant_id, "tenant_id": tenant_id, "seq": {"$lte": from_seq}},
                                       {"$set": {"seq": entry["seq"], "hash": entry["hash"]}}, upsert=True)
        except DuplicateKeyError:  # the head is already further on
            pass

    def _catch_up_head(self, tenant_id: str, seq: int) -> None:
        taken = AuditEntry.raw().find_one({"tenant_id": tenant_id, "seq": seq + 1})
        if taken is not None:
            self._move_head(tenant_id, seq, taken)

    def audit_entries(self, tenant_id: str, after_seq: int = 0, limit: int = 1000) -> list[dict]:
        found = AuditEntry.raw().find({"tenant_id": tenant_id, "seq": {"$gt": after_seq}}).sort("seq", 1)
        return [{k: v for k, v in d.items() if k not in ("_id", "event_id")} for d in found.limit(limit)]

    def move_audit_base(self, tenant_id: str, seq: int, hash_: str) -> None:
        """Where the chain starts once retention deleted what came before (only ever forwards)."""
        AuditHead.raw().update_one({"_id": tenant_id, "tenant_id": tenant_id,
                                    "$or": [{"base_seq": {"$lt": seq}}, {"base_seq": None}]},
                                   {"$set": {"base_seq": seq, "base_hash": hash_}})

    def delete_audit_through(self, tenant_id: str, seq: int) -> int:
        return AuditEntry.raw().delete_many({"tenant_id": tenant_id, "seq": {"$lte": seq}}).deleted_count

    def audit_organisations(self, after: str, limit: int) -> list[str]:
        """Organisations with an audit chain, by id (a system job's page across organisations)."""
        found = AuditHead.raw().across_tenants().find({"_id": {"$gt": after}}, {"_id": 1}).sort("_id", 1)
        return [d["_id"] for d in found.limit(limit)]

    def audit_head(self, tenant_id: str) -> dict | None:
        return AuditHead.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id})
