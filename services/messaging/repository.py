"""Storage of conversations, messages, moderation and the audit log: the only module that queries MongoDB.

Every state change that must not race is one conditional single-document update (a decision on
a held message, a conversation's status, a read marker, a rate-limit step), so it stays atomic
across replicas without transactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ementor_contracts import Event
from mongoengine import Q
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from ementor.platform.expiring import Expiring
from ementor.platform.outbox import HANDOVER_LEASE, Pending

from . import domain
from .consent_repository import ConsentRepository
from .documents import (
    STATUS_RANK,
    AuditEntry,
    Conversation,
    Message,
    MessagingSettings,
    Moderation,
    Participant,
    SendAllowance,
    new_id,
    utcnow,
)

# A freshly written message is leased to the process that wrote it, which publishes its events
# at once (HandOverOutbox.hand_over); other replicas' sweeps take over only if the lease lapses.
SETTINGS_CACHE_SECONDS = 5.0
CONVERSATION_CACHE_SECONDS = 1.0
CONVERSATION_CACHE_SIZE = 10_000


@dataclass
class NewMessage:
    """What `add_message` stores, shown to its sender as stored (it reads like a Message document).

    The one exception to "reads answer documents": building a Message from what was just inserted
    costs about 0.2 ms, more than the insert itself, on the hottest path of the service.
    """

    tenant_id: str
    match_id: str
    sender_id: str
    recipient_id: str
    body: str
    status: str
    created_at: datetime
    delivered_at: datetime | None
    held_reasons: list[str] = field(default_factory=list)
    findings: list = field(default_factory=list)  # objects with .kind and .text
    id: str = field(default_factory=new_id)
    card: dict | None = None
    moderation = None
    erased = False

    @property
    def length(self) -> int:
        return len(self.body)


class MessagingRepository(ConsentRepository):
    def __init__(self):
        self._settings_cache: Expiring[str, domain.ModerationSettings] = Expiring(SETTINGS_CACHE_SECONDS)
        self._conversations: Expiring[tuple[str, str], Conversation] = Expiring(
            CONVERSATION_CACHE_SECONDS, max_entries=CONVERSATION_CACHE_SIZE)
        self._send_horizons: dict[str, float] = {}  # person -> last tat seen: which update to try first

    # -- conversations ----------------------------------------------------------------------
    def conversation(self, tenant_id: str, match_id: str, *, cached: bool = False) -> Conversation | None:
        """The conversation; with `cached`, possibly as read up to CONVERSATION_CACHE_SECONDS ago.

        Posting a message reads its conversation every time; the cache spares most of those reads.
        This replica drops its cache whenever it changes a conversation; another replica's change
        (a match ended, a mentee now known to be a minor) reaches it within the cache's lifetime.
        """
        key = (tenant_id, match_id)
        if cached and (hit := self._conversations.get(key)) is not None:
            return hit
        doc = Conversation.raw().find_one({"_id": match_id, "tenant_id": tenant_id})
        conversation = None if doc is None else Conversation._from_son(doc)
        if conversation is not None:
            self._conversations.remember(key, conversation)
        return conversation

    def _changed_conversations(self) -> None:
        self._conversations.clear()

    def advance_conversation(self, tenant_id: str, match_id: str, status: str, *, fields: dict,
                             on_insert: dict) -> bool:
        """Move the conversation to `status` unless it is already there or further on.

        Lifecycle events may arrive in any order (they travel on separate queues): a status only
        ever moves up its rank, so a late MatchAccepted never reopens an ended conversation.
        """
        self._changed_conversations()
        rank = STATUS_RANK[status]
        collection = Conversation.raw()
        changes = {"status": status, "rank": rank, **fields}
        result = collection.update_one({"_id": match_id, "tenant_id": tenant_id, "rank": {"$lt": rank}},
                                       {"$set": changes})
        if result.matched_count:
            return True
        try:
            collection.insert_one({"_id": match_id, "tenant_id": tenant_id, "read": {}, **on_insert,
                                   **changes})
        except DuplicateKeyError:
            return False  # already at this status or beyond (or the id is another organisation's)
        return True

    def set_mentee_minor(self, tenant_id: str, mentee_id: str, is_minor: bool, *,
                         match_id: str | None = None) -> int:
        self._changed_conversations()
        query = {"tenant_id": tenant_id, "mentee_id": mentee_id}
        if match_id:
            query["_id"] = match_id
        result = Conversation.raw().update_many(
            query, {"$set": {"mentee_is_minor": is_minor, "minor_source": "profile"}}
        )
        return result.modified_count

    def close_conversations_of(self, tenant_id: str, person_id: str, now: datetime) -> int:
        self._changed_conversations()
        collection = Conversation.raw()
        theirs = {"tenant_id": tenant_id, "$or": [{"mentor_id": person_id}, {"mentee_id": person_id}]}
        result = collection.update_many(
            {**theirs, "rank": {"$lt": STATUS_RANK["ended"]}},
            {"$set": {"status": "ended", "rank": STATUS_RANK["ended"], "ended_at": now,
                      "ended_reason": "person_erased"}},
        )
        collection.update_many(theirs, {"$unset": {f"read.{person_id}": ""}})
        return result.modified_count

    @staticmethod
    def read_point(message: Message) -> datetime:
        """Where a read marker at `message` stands: every message delivered by then is read."""
        at = message.delivered_at or message.created_at
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    def mark_read(self, tenant_id: str, match_id: str, person_id: str, message: Message,
                  event: Event) -> list[Pending]:
        """Move the person's read marker forward to `message` (never backwards), with its event in
        the same write; the event to hand over, or none when the marker did not move."""
        at = self.read_point(message)
        key = f"read.{person_id}"
        pending = Pending.of(event, tenant_id)
        result = Conversation.raw().update_one(
            {"_id": match_id, "tenant_id": tenant_id, "$or": [
                {key: {"$exists": False}},
                {f"{key}.at": {"$lt": at}},
                {f"{key}.at": at, f"{key}.message_id": {"$lt": message.id}},
            ]},
            {"$set": {key: {"message_id": message.id, "at": at}, "outbox_lease_until": utcnow() + HANDOVER_LEASE},
             "$push": {"outbox": pending.stored()}},
        )
        return [pending] if result.modified_count else []

    # -- participants (projection of profiles) -----------------------------------------------
    def participants(self, tenant_id: str, person_ids: list[str]) -> dict[str, Participant]:
        return {p.id: p for p in Participant.scoped(tenant_id, id__in=person_ids)}

    def apply_profile(self, tenant_id: str, person_id: str, *, role: str | None, is_minor: bool,
                      as_of: datetime) -> bool:
        """Record the profile unless a newer one (or the person's erasure) is already recorded."""
        try:
            result = Participant.raw().update_one(
                {"_id": person_id, "tenant_id": tenant_id, "erased": {"$ne": True},
                 "$or": [{"as_of": {"$lt": as_of}}, {"as_of": None}]},
                {"$set": {"role": role, "is_minor": is_minor, "as_of": as_of}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return bool(result.matched_count or result.upserted_id)

    def erase_participant(self, tenant_id: str, person_id: str) -> None:
        try:
            Participant.raw().update_one(
                {"_id": person_id, "tenant_id": tenant_id},
                {"$set": {"erased": True}, "$unset": {"is_minor": "", "role": ""}},
                upsert=True,
            )
        except DuplicateKeyError:  # the id belongs to another organisation: nothing of ours to erase
            return
        SendAllowance.raw().delete_one(
            {"_id": SendAllowance.key(tenant_id, person_id), "tenant_id": tenant_id}
        )

    # -- settings ---------------------------------------------------------------------------
    def settings(self, tenant_id: str) -> domain.ModerationSettings:
        """The organisation's settings; cached for a few seconds (a change reaches every replica
        within SETTINGS_CACHE_SECONDS; this replica sees its own change at once)."""
        if (cached := self._settings_cache.get(tenant_id)) is not None:
            return cached
        doc = MessagingSettings.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id})
        value = domain.ModerationSettings() if doc is None else domain.ModerationSettings(
            blocked_words=tuple(doc.get("blocked_words", ())),
            hold_contact_details_for_adults=doc.get("hold_contact_details_for_adults", True),
            hold_links_for_adults=doc.get("hold_links_for_adults", False),
            messages_per_minute=doc.get("messages_per_minute", domain.DEFAULT_MESSAGES_PER_MINUTE),
        )
        return self._settings_cache.remember(tenant_id, value)

    def settings_updated_at(self, tenant_id: str) -> datetime | None:
        doc = MessagingSettings.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id},
                                                           {"updated_at": 1})
        return None if doc is None else doc.get("updated_at")

    def save_settings(self, tenant_id: str, value: domain.ModerationSettings, now: datetime) -> None:
        MessagingSettings.raw().replace_one(
            {"_id": tenant_id, "tenant_id": tenant_id},
            {"_id": tenant_id, "tenant_id": tenant_id, "blocked_words": list(value.blocked_words),
             "hold_contact_details_for_adults": value.hold_contact_details_for_adults,
             "hold_links_for_adults": value.hold_links_for_adults,
             "messages_per_minute": value.messages_per_minute, "updated_at": now},
            upsert=True,
        )
        self._settings_cache.drop(tenant_id)

    # -- rate limit -------------------------------------------------------------------------
    def take_send_allowance(self, tenant_id: str, person_id: str, limit: domain.RateLimit,
                            now: float) -> float | None:
        """Take one message from the person's bucket: None if allowed, else seconds to wait.

        Each step is one conditional update on the person's single timestamp, so replicas
        racing on the same person cannot both spend the last token (see domain.RateLimit).
        """
        collection = SendAllowance.raw()
        key = {"_id": SendAllowance.key(tenant_id, person_id), "tenant_id": tenant_id}
        horizon = limit.horizon(now)
        spend = ({**key, "tat": {"$gt": now, "$lte": horizon}}, {"$inc": {"tat": limit.interval}})
        refill = ({**key, "tat": {"$lte": now}}, {"$set": {"tat": now + limit.interval}})
        # Try first the step that matched last time for this person: usually the only one needed.
        steps = (spend, refill) if self._send_horizons.get(key["_id"], 0.0) > now else (refill, spend)
        for _ in range(3):
            for query, update in steps:
                if collection.update_one(query, update).matched_count:
                    # Exact after a refill, a lower bound after a spend.
                    self._remember_tat(key["_id"], now + limit.interval)
                    return None
            try:
                collection.insert_one({**key, "tat": now + limit.interval})
                self._remember_tat(key["_id"], now + limit.interval)
                return None
            except DuplicateKeyError:
                pass
            doc = collection.find_one(key)
            if doc is not None and doc["tat"] > horizon:
                self._remember_tat(key["_id"], doc["tat"])
                return doc["tat"] - horizon
        return limit.interval  # the state kept changing under us: ask the client to come back

    def _remember_tat(self, key: str, tat: float) -> None:
        if len(self._send_horizons) >= CONVERSATION_CACHE_SIZE:
            self._send_horizons.clear()
        self._send_horizons[key] = tat

    # -- messages ---------------------------------------------------------------------------
    def add_message(self, message: NewMessage, events: list[Event]) -> list[Pending]:
        """Store a new message and its events in one insert (the hot path: no ODM validation)."""
        pending = [Pending.of(event, message.tenant_id) for event in events]
        document = {
            "_id": message.id, "tenant_id": message.tenant_id, "match_id": message.match_id,
            "sender_id": message.sender_id, "recipient_id": message.recipient_id, "body": message.body,
            "length": message.length, "status": message.status, "held_reasons": list(message.held_reasons),
            "findings": [{"kind": f.kind, "text": f.text} for f in message.findings],
            "created_at": message.created_at, "delivered_at": message.delivered_at, "erased": False,
            "outbox": [p.stored() for p in pending], "outbox_lease_until": utcnow() + HANDOVER_LEASE,
            "delete_when_published": False,
        }
        if message.status == "held":
            document["audit_pending"] = True
        if message.card:
            document["card"] = message.card
        Message.raw().insert_one(document)
        return pending

    def message(self, tenant_id: str, message_id: str) -> Message | None:
        doc = Message.raw().find_one({"_id": message_id, "tenant_id": tenant_id})
        return None if doc is None else Message._from_son(doc)

    def messages(self, tenant_id: str, match_id: str, *, viewer_person_id: str | None, coordinator: bool,
                 limit: int, before: str | None) -> list[Message]:
        """Newest first; a person sees what was delivered plus everything they sent."""
        query = Message.scoped(tenant_id, match_id=match_id)
        if not coordinator:
            query = query.filter(Q(status="delivered") | Q(sender_id=viewer_person_id))
        return query.exclude("outbox").page(limit, before=before, newest_first=True)

    def message_summaries(self, tenant_id: str, match_id: str) -> list[Message]:
        """Every message of the conversation with only its sender, status and delivery time loaded."""
        return list(Message.scoped(tenant_id, match_id=match_id).only("sender_id", "status", "delivered_at"))

    def unread_count(self, tenant_id: str, match_id: str, person_id: str, marker: dict | None) -> int:
        query = {"tenant_id": tenant_id, "match_id": match_id, "recipient_id": person_id,
                 "status": "delivered"}
        if marker:
            query["$or"] = [{"delivered_at": {"$gt": marker["at"]}},
                            {"delivered_at": marker["at"], "_id": {"$gt": marker["message_id"]}}]
        return Message.raw().count_documents(query)

    def decide(self, tenant_id: str, message_id: str, *, status: str, moderation: Moderation,
               events: list[Event], delivered_at: datetime | None) -> tuple[Message, list[Pending]] | None:
        """Move a held message to its decision with its events, atomically; None if it is no longer held."""
        pending = [Pending.of(event, tenant_id) for event in events]
        changes = {"status": status, "moderation": moderation.to_mongo().to_dict(), "audit_pending": True,
                   "outbox_lease_until": utcnow() + HANDOVER_LEASE}
        if delivered_at is not None:
            changes["delivered_at"] = delivered_at
        doc = Message.raw().find_one_and_update(
            {"_id": message_id, "tenant_id": tenant_id, "status": "held"},
            {"$set": changes, "$push": {"outbox": {"$each": [p.stored() for p in pending]}}},
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else (Message._from_son(doc), pending)

    def moderation_queue(self, tenant_id: str, *, status: str, match_id: str | None, limit: int,
                         after: str | None) -> list[Message]:
        """Oldest first: a queue is worked from the front."""
        if status == "approved":
            query = Message.scoped(tenant_id, moderation__decision="approved")
        else:
            query = Message.scoped(tenant_id, status=status)
        return query.exclude("outbox").page(limit, after=after, match_id=match_id)

    def erase_messages_of(self, tenant_id: str, person_id: str, now: datetime) -> list[Message]:
        """Withdraw the person's held messages and remove the bodies of all they sent."""
        withdrawn = []
        collection = Message.raw()
        for message in Message.scoped(tenant_id, sender_id=person_id, status="held").only("id"):
            moderation = Moderation(decision="withdrawn", decided_by="system", decided_at=now,
                                    reason="the sender's data was erased")
            doc = collection.find_one_and_update(
                {"_id": message.id, "tenant_id": tenant_id, "status": "held"},
                {"$set": {"status": "withdrawn", "moderation": moderation.to_mongo().to_dict(),
                          "audit_pending": True}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is not None:
                withdrawn.append(Message._from_son(doc))
        collection.update_many(
            {"tenant_id": tenant_id, "sender_id": person_id},
            {"$set": {"body": None, "findings": [], "erased": True}},
        )
        return withdrawn

    # -- audit log: append and read, nothing else ----------------------------------------------
    def append_audit(self, tenant_id: str, *, message: Message, decision: str, actor: str, at: datetime,
                     reason: str | None = None) -> None:
        """Append one entry; a repeat of the same decision on the same message is a no-op."""
        entry = AuditEntry(id=new_id(), tenant_id=tenant_id, at=at, actor=actor, decision=decision,
                           message_id=message.id, match_id=message.match_id, reason=reason,
                           held_reasons=list(message.held_reasons) if decision == "held" else [])
        entry.insert_unless_taken()

    def audit_entries(self, tenant_id: str, *, message_id: str | None, match_id: str | None, limit: int,
                      before: str | None) -> list[AuditEntry]:
        return AuditEntry.scoped(tenant_id).page(limit, before=before, newest_first=True, message_id=message_id,
                                                 match_id=match_id)

    def audit_written(self, tenant_id: str, message_id: str) -> None:
        Message.raw().update_one({"_id": message_id, "tenant_id": tenant_id},
                                             {"$unset": {"audit_pending": ""}})

    def messages_awaiting_audit(self, older_than: datetime, limit: int = 500) -> list[Message]:
        # A system job across organisations: each message found is then handled in its own tenant.
        return list(Message.objects.across_tenants().filter(audit_pending=True, created_at__lt=older_than)
                    .exclude("outbox").limit(limit))
