"""Guardian consent and paused conversations: the part of MessagingRepository that stores them."""

from __future__ import annotations

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from .documents import Conversation, Participant


class ConsentRepository:
    """Mixed into MessagingRepository, whose `_changed_conversations` drops its conversation cache."""

    def apply_consent(self, tenant_id: str, person_id: str, state: str, at: datetime) -> bool:
        """Record a guardian consent state unless a newer one (or the erasure) is recorded."""
        query = {"_id": person_id, "tenant_id": tenant_id, "erased": {"$ne": True},
                 "$or": [{"consent_at": {"$lte": at}}, {"consent_at": None}]}
        try:
            result = Participant.raw().update_one(
                query, {"$set": {"guardian_consent": state, "consent_at": at}}, upsert=True)
        except DuplicateKeyError:
            return False
        return bool(result.matched_count or result.upserted_id)

    def set_paused(self, tenant_id: str, mentee_id: str, reason: str, paused: bool, *, match_id=None) -> None:
        self._changed_conversations()
        query = {"tenant_id": tenant_id, "mentee_id": mentee_id, **({"_id": match_id} if match_id else {})}
        change = {"$addToSet": {"paused_for": reason}} if paused else {"$pull": {"paused_for": reason}}
        Conversation.raw().update_many(query, change)

    def pause_person(self, tenant_id: str, person_id: str, reason: str) -> None:
        """Pause every conversation of a person, on either side (a safeguarding suspension)."""
        self._changed_conversations()
        for side in ("mentee_id", "mentor_id"):
            Conversation.raw().update_many({"tenant_id": tenant_id, side: person_id},
                                                       {"$addToSet": {"paused_for": reason}})
