"""Retention in messaging: a match's messages are deleted once its organisation's period after the match
ended has passed (default 12 months; ementor/platform/retention.py). Counts are logged, never content.

A conversation is marked `retention_due` when its match ends (a sparse index holds only those), so
the leased job reads, per organisation, only ended conversations past the period, and deletes their
messages in batches by the (tenant_id, match_id) index; the mark goes once they are all gone.
Moderation's audit entries stay until the organisation's audit period has passed (default 6 years);
they go by their ObjectId's time on the (tenant_id, -_id) index.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from ementor.platform.retention import RetentionStore, cutoff, delete_in_batches, documents

from .documents import ALIAS, AuditEntry, Conversation, Message

RetentionPeriods, RetentionLog = documents(ALIAS, __name__)
RETENTION_DOCUMENTS = (RetentionPeriods, RetentionLog)
CONVERSATIONS_PER_ORGANISATION = 100
ORGANISATIONS_PER_PAGE = 100
MAX_BATCHES = 20


def store() -> RetentionStore:
    return RetentionStore(RetentionPeriods, RetentionLog)


def enforce(now: datetime) -> int:
    """One run over every organisation; the number of messages deleted."""
    retention, deleted, after = store(), 0, ""
    while page := retention.organisations(after, ORGANISATIONS_PER_PAGE):
        for tenant_id, periods in page:
            deleted += purge_messages(retention, tenant_id, cutoff(now, "messages_months_after_match_end", periods),
                                      now)
            purge_moderation_audit(retention, tenant_id, cutoff(now, "audit_years", periods), now)
            retention.checked(tenant_id, now)
        after = page[-1][0]
    return deleted


def purge_messages(retention: RetentionStore, tenant_id: str, before: datetime, now: datetime) -> int:
    due = Conversation.raw().find({"tenant_id": tenant_id, "retention_due": True, "ended_at": {"$lte": before}})
    total = 0
    for conversation in due.sort("ended_at", 1).limit(CONVERSATIONS_PER_ORGANISATION):
        count = delete_in_batches(Message.raw(), {"tenant_id": tenant_id, "match_id": conversation["_id"]},
                                  MAX_BATCHES)
        if count < MAX_BATCHES * 500:  # all gone: the next run need not look at it again
            Conversation.raw().update_one({"_id": conversation["_id"], "tenant_id": tenant_id},
                                          {"$unset": {"retention_due": ""}, "$set": {"messages_deleted_at": now}})
        retention.record(tenant_id, "messages", count, now, subject_id=conversation["_id"])
        total += count
    return total


def purge_moderation_audit(retention: RetentionStore, tenant_id: str, before: datetime, now: datetime) -> int:
    """Moderation decisions written before the audit period's cut-off (ids carry their time)."""
    count = delete_in_batches(AuditEntry.raw(), {"tenant_id": tenant_id, "_id": {"$lt": str(ObjectId.from_datetime(before))}},
                              MAX_BATCHES)
    retention.record(tenant_id, "moderation_audit", count, now)
    return count
