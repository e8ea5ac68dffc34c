"""Storage of facts, counters and matches: the only module that queries MongoDB.

Facts change only by compare-and-set on their `version`, and each change stores the counter
difference it owes (`pending`) in the same write, so two events about one fact never both
apply a difference computed from the same old state.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ementor.platform.outbox import Pending

from . import domain
from .documents import Bucket, Fact, Match, Programme, utcnow
from .survey_repository import SurveyRepository

# The pseudo-tenant under which organisation-wide counters of every tenant are summed.
PLATFORM = "platform"


class InsightsRepository(SurveyRepository):
    # -- facts --------------------------------------------------------------------------------
    def fact(self, tenant_id: str, key: str) -> dict | None:
        return Fact.raw().find_one({"_id": f"{tenant_id}:{key}", "tenant_id": tenant_id})

    def put_fact(self, tenant_id: str, key: str, kind: str, *, state: dict, contrib: dict, pending: dict,
                 version: int, match_id: str | None = None, at: datetime | None = None,
                 sender_id: str | None = None, person_id: str | None = None) -> bool:
        """Write the fact's new state if nobody changed it since `version` was read."""
        fields = {"state": state, "contrib": contrib, "pending": pending, "version": version + 1}
        if version == 0:
            try:
                Fact.raw().insert_one({"_id": f"{tenant_id}:{key}", "tenant_id": tenant_id, "key": key, "kind": kind,
                                       "match_id": match_id, "at": at, "sender_id": sender_id,
                                       **({"person_id": person_id} if person_id else {}), **fields})
                return True
            except DuplicateKeyError:
                return False
        result = Fact.raw().update_one({"_id": f"{tenant_id}:{key}", "tenant_id": tenant_id, "version": version},
                                       {"$set": fields})
        return result.modified_count == 1

    def clear_pending(self, tenant_id: str, key: str, version: int) -> None:
        Fact.raw().update_one({"_id": f"{tenant_id}:{key}", "tenant_id": tenant_id, "version": version},
                              {"$set": {"pending": {}}})

    def facts_of_match(self, tenant_id: str, match_id: str, kind: str | None = None,
                       at_from: datetime | None = None, at_to: datetime | None = None) -> list[dict]:
        query: dict = {"tenant_id": tenant_id, "match_id": match_id}
        if kind:
            query["kind"] = kind
        if at_from or at_to:
            query["at"] = {k: v for k, v in (("$gte", at_from), ("$lte", at_to)) if v is not None}
        return list(Fact.raw().find(query).sort([("at", ASCENDING), ("_id", ASCENDING)]))

    def facts_of_person(self, tenant_id: str, person_id: str, kind: str) -> list[dict]:
        return list(Fact.raw().find({"tenant_id": tenant_id, "person_id": person_id, "kind": kind}))

    # -- counters -----------------------------------------------------------------------------
    def apply(self, tenant_id: str, match_id: str | None, delta: dict[str, float]) -> None:
        """Add a difference to the counters: buckets per (scope, period), the match's own totals."""
        buckets: dict[tuple[str, str], dict] = defaultdict(dict)
        own: dict[str, float] = {}
        for name, amount in delta.items():
            scope, period, counter = name.split("|", 2)
            if scope == domain.MATCH:
                own[f"counters.{counter}"] = amount
            else:
                buckets[(tenant_id, scope, period)][f"c.{counter}"] = amount
                if scope == domain.ORG:  # the operator's view: every organisation added up, anonymously
                    buckets[(PLATFORM, scope, period)][f"c.{counter}"] = amount
        if buckets:
            self._increment_buckets(buckets)
        if own and match_id:
            self._upsert_match(tenant_id, match_id, {"$inc": own})

    @staticmethod
    def _increment_buckets(buckets: dict[tuple[str, str, str], dict]) -> None:
        """One unordered bulk of upserts: a round trip per event, however many buckets it counts in."""
        queries = [{"_id": f"{tenant}|{scope}|{period}", "tenant_id": tenant} for tenant, scope, period in buckets]
        incs = list(buckets.values())
        requests = [UpdateOne(query, {"$inc": inc, "$setOnInsert": {"scope": scope, "period": period}}, upsert=True)
                    for query, inc, (_, scope, period) in zip(queries, incs, buckets, strict=True)]
        try:
            Bucket.raw().bulk_write(requests, ordered=False)
        except BulkWriteError as exc:  # a concurrent first increment created a bucket: add to it
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != 11000 for error in errors):
                raise
            for error in errors:
                Bucket.raw().update_one(queries[error["index"]], {"$inc": incs[error["index"]]})

    def buckets(self, tenant_id: str, scope: str, periods: list[str]) -> dict[str, dict]:
        ids = [f"{tenant_id}|{scope}|{period}" for period in periods]
        found = Bucket.raw().find({"_id": {"$in": ids}, "tenant_id": tenant_id})
        return {doc["period"]: doc.get("c", {}) for doc in found}

    # -- matches ------------------------------------------------------------------------------
    def _upsert_match(self, tenant_id: str, match_id: str, update: dict) -> None:
        update.setdefault("$setOnInsert", {})["match_id"] = match_id
        try:
            Match.raw().update_one({"_id": f"{tenant_id}:{match_id}", "tenant_id": tenant_id}, update, upsert=True)
        except DuplicateKeyError:  # two first writers raced: the document exists now
            Match.raw().update_one({"_id": f"{tenant_id}:{match_id}", "tenant_id": tenant_id}, update)

    def match(self, tenant_id: str, match_id: str) -> dict | None:
        return Match.raw().find_one({"_id": f"{tenant_id}:{match_id}", "tenant_id": tenant_id})

    def set_match(self, tenant_id: str, match_id: str, fields: dict) -> None:
        self._upsert_match(tenant_id, match_id, {"$set": fields})

    def move_last_message(self, tenant_id: str, match_id: str, expected: datetime | None, at: datetime,
                          sender_id: str) -> dict | None:
        """Advance the conversation's last message if it is still `expected`, and return the match as it is
        now; None when another message moved it first (then recompute)."""
        query = {"_id": f"{tenant_id}:{match_id}", "tenant_id": tenant_id, "last_message_at": expected}
        update = {"$set": {"last_message_at": at, "last_sender_id": sender_id}}
        if expected is None:
            update["$set"]["first_message_at"] = at
        return Match.raw().find_one_and_update(query, update, return_document=ReturnDocument.AFTER)

    def active_matches_of(self, tenant_id: str, person_id: str) -> list[dict]:
        return [m for m in self.matches_of(tenant_id, person_id) if m.get("status") == "active"]

    def matches_of(self, tenant_id: str, person_id: str) -> list[dict]:
        found = []
        for role in ("mentor_id", "mentee_id"):
            found += Match.raw().find({"tenant_id": tenant_id, role: person_id})
        return found

    def matches(self, tenant_id: str, *, programme_id: str | None, at_risk_by: datetime | None,
                after: str | None, limit: int) -> list[dict]:
        query: dict = {"tenant_id": tenant_id, "status": "active"}
        if programme_id is not None:
            query["programme_id"] = programme_id
        if at_risk_by is not None:
            query["risk_at"] = {"$lte": at_risk_by}
        if after:
            query["match_id"] = {"$gt": after}
        return list(Match.raw().find(query).sort([("match_id", ASCENDING)]).limit(limit))

    def all_matches(self, tenant_id: str, after: str | None, limit: int) -> list[dict]:
        query: dict = {"tenant_id": tenant_id}
        if after:
            query["match_id"] = {"$gt": after}
        return list(Match.raw().find(query).sort([("match_id", ASCENDING)]).limit(limit))

    def due_risks(self, now: datetime, limit: int = 200) -> list[dict]:
        return list(Match.raw().across_tenants().find({"risk_pending": True, "risk_at": {"$lte": now}})
                    .sort([("risk_at", ASCENDING)]).limit(limit))

    def announce(self, match: dict, event, now: datetime) -> bool:
        """Store the RelationshipAtRisk in the match's outbox, once: the first replica wins."""
        result = Match.raw().update_one(
            {"_id": match["_id"], "tenant_id": match["tenant_id"], "risk_pending": True},
            {"$set": {"risk_pending": False, "announced_at": now},
             "$push": {"outbox": Pending.of(event, match["tenant_id"]).stored()}})
        return result.modified_count == 1

    def forget_person(self, tenant_id: str, person_id: str) -> None:
        for role in ("mentor_id", "mentee_id"):
            Match.raw().update_many({"tenant_id": tenant_id, role: person_id}, {"$set": {role: None}})
        Fact.raw().delete_one({"_id": f"{tenant_id}:person:{person_id}", "tenant_id": tenant_id})
        for kind in ("read", "rating"):  # what they read and thought of it: the counters keep the totals
            Fact.raw().delete_many({"tenant_id": tenant_id, "person_id": person_id, "kind": kind})

    def article_titles(self, tenant_id: str, article_ids: list[str]) -> dict[str, str]:
        ids = [f"{tenant_id}:article:{a}" for a in article_ids]
        return {doc["key"].split(":", 1)[1]: doc.get("state", {}).get("title", "")
                for doc in Fact.raw().find({"_id": {"$in": ids}, "tenant_id": tenant_id}, {"key": 1, "state": 1})}

    # -- programmes ---------------------------------------------------------------------------
    def remember_programme(self, tenant_id: str, programme_id: str, name: str | None = None) -> None:
        update: dict = {"$setOnInsert": {"programme_id": programme_id, "created_at": utcnow()}}
        if name:
            update["$set"] = {"name": name}
        try:
            Programme.raw().update_one({"_id": f"{tenant_id}:{programme_id}", "tenant_id": tenant_id}, update,
                                       upsert=True)
        except DuplicateKeyError:
            pass

    def programme(self, tenant_id: str, programme_id: str) -> dict | None:
        return Programme.raw().find_one({"_id": f"{tenant_id}:{programme_id}", "tenant_id": tenant_id})

    def programmes(self, tenant_id: str) -> list[dict]:
        return list(Programme.raw().find({"tenant_id": tenant_id}).sort([("programme_id", ASCENDING)]).limit(1000))
