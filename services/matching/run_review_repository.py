"""Runs kept for review and their publishing: the part of MatchingRepository that stores them."""

from __future__ import annotations

from datetime import timedelta

from pymongo import ReturnDocument

from .documents import COMPLETED, Match, MatchingRun, utcnow


class RunReviewRepository:
    """Mixed into MatchingRepository."""

    def claim_publish(self, tenant_id: str, run_id: str, lease: timedelta) -> dict | None:
        """Take a reviewed, unpublished run for publishing (or one whose publisher stopped); else None."""
        now = utcnow()
        return MatchingRun.raw().find_one_and_update(
            {"_id": run_id, "tenant_id": tenant_id, "status": COMPLETED, "publish": False, "published_at": None,
             "$or": [{"publishing_until": None}, {"publishing_until": {"$lt": now}}]},
            {"$set": {"publishing_until": now + lease, "stage": "publishing"}},
            projection={"outbox": 0}, return_document=ReturnDocument.AFTER)

    def existing_matches(self, tenant_id: str, match_ids: list[str]) -> set[str]:
        if not match_ids:
            return set()
        found = Match.raw().find({"tenant_id": tenant_id, "_id": {"$in": match_ids}}, {"_id": 1})
        return {doc["_id"] for doc in found}

    def finish_publish(self, tenant_id: str, run_id: str, fields: dict, events: list[dict]) -> dict:
        return MatchingRun.raw().find_one_and_update(
            {"_id": run_id, "tenant_id": tenant_id},
            {"$set": {**fields, "published_at": utcnow(), "publishing_until": None},
             "$push": {"outbox": {"$each": list(events)}}},
            projection={"outbox": 0}, return_document=ReturnDocument.AFTER)
