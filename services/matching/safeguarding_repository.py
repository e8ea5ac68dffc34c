"""Pauses and pairs for safeguarding: the part of MatchingRepository that stores them."""

from __future__ import annotations

from .documents import Match, utcnow


class SafeguardingMatchRepository:
    """Mixed into MatchingRepository."""

    def pause_match(self, tenant_id: str, match_id: str, reason: str, paused: bool) -> None:
        """Pause (or resume) one open match for `reason`; other reasons stay."""
        change = {"$addToSet": {"paused_for": reason}} if paused else {"$pull": {"paused_for": reason}}
        Match.raw().update_one({"_id": match_id, "tenant_id": tenant_id, "open": True},
                               {**change, "$set": {"updated_at": utcnow()}})

    def pause_person(self, tenant_id: str, person_id: str, reason: str) -> None:
        """Pause every open match of a person, on either side (a suspension)."""
        for side in ("mentee_id", "mentor_id"):
            Match.raw().update_many({"tenant_id": tenant_id, side: person_id, "open": True},
                                    {"$addToSet": {"paused_for": reason}, "$set": {"updated_at": utcnow()}})

    def latest_between(self, tenant_id: str, person_id: str, other_id: str) -> dict | None:
        """The newest match between two people, whichever side each is on."""
        found = []
        for mentee_id, mentor_id in ((person_id, other_id), (other_id, person_id)):
            found += list(Match.raw().find({"tenant_id": tenant_id, "mentee_id": mentee_id, "mentor_id": mentor_id},
                                           {"outbox": 0}).sort("_id", -1).limit(1))
        return max(found, key=lambda m: m["_id"]) if found else None
