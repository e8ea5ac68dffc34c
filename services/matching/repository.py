"""Storage of candidates, settings, matches, loads, goals and runs; the only module that queries MongoDB.

State changes that must not race (a match's status, a mentor's load, a run's claim) are single
conditional updates: the filter states what must still be true, and a miss means someone else
changed it first. Events go into the same update's `$push` to the document's outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from ementor_contracts import Event
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ementor.platform.outbox import Pending

from .documents import (
    ACTIVE,
    COMPLETED,
    DECLINED,
    ENDED,
    FAILED,
    PROPOSED,
    QUEUED,
    RUNNING,
    Candidate,
    Goal,
    Match,
    MatchingRun,
    MatchingSettings,
    MentorLoad,
    Programme,
    Revision,
    new_id,
    utcnow,
)
from .run_review_repository import RunReviewRepository
from .safeguarding_repository import SafeguardingMatchRepository

CLOSED = (DECLINED, ENDED)
OPEN = (PROPOSED, ACTIVE)
SNAPSHOT_FIELDS = ("role", "programme_id", "timezone", "languages", "interests", "capacity", "is_minor", "vetted",
                   "custom_fields")


class Duplicate(Exception):
    """A unique index refused the write (an open match for the mentee, a run in progress...)."""


def pending(event: Event, tenant_id: str) -> dict:
    """An event as an outbox entry, for a raw `$push` in the same update as the state change."""
    return Pending.of(event, tenant_id).stored()


class MatchingRepository(SafeguardingMatchRepository, RunReviewRepository):
    # -- revisions: what recommendation caches in every replica watch ---------------------------
    def bump(self, tenant_id: str) -> int:
        doc = Revision.raw().find_one_and_update(
            {"_id": tenant_id, "tenant_id": tenant_id}, {"$inc": {"rev": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        return int(doc["rev"])

    def revision(self, tenant_id: str) -> int:
        doc = Revision.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id}, {"rev": 1})
        return int(doc["rev"]) if doc else 0

    # -- the candidate projection -------------------------------------------------------------------
    def apply_snapshot(self, tenant_id: str, person_id: str, snapshot: dict, at: datetime) -> bool:
        """Store a profile snapshot unless a newer one (or an erasure) is already stored."""
        values = {k: snapshot[k] for k in SNAPSHOT_FIELDS}
        try:
            result = Candidate.raw().update_one(
                {"_id": person_id, "tenant_id": tenant_id, "erased": {"$ne": True},
                 "$or": [{"snapshot_at": None}, {"snapshot_at": {"$lte": at}}]},
                {"$set": {**values, "snapshot_at": at, "updated_at": utcnow()}},
                upsert=True,
            )
        except DuplicateKeyError:  # the stored one is newer, or erased: this snapshot is stale
            return False
        return result.matched_count == 1 or result.upserted_id is not None

    def import_snapshots(self, tenant_id: str, snapshots: dict[str, dict], at: datetime) -> None:
        """Store many new candidates at once (a bulk import or a benchmark): person id -> snapshot."""
        now = utcnow()
        documents = [{"_id": person_id, "tenant_id": tenant_id, **{k: s[k] for k in SNAPSHOT_FIELDS},
                      "erased": False, "snapshot_at": at, "updated_at": now} for person_id, s in snapshots.items()]
        if documents:
            Candidate.raw().insert_many(documents, ordered=False)
        loads = [{"_id": person_id, "tenant_id": tenant_id, "capacity": int(s["capacity"]), "active": 0,
                  "match_ids": [], "updated_at": now} for person_id, s in snapshots.items() if s["role"] == "mentor"]
        if loads:
            MentorLoad.raw().insert_many(loads, ordered=False)
        self.bump(tenant_id)

    def erase_candidate(self, tenant_id: str, person_id: str, at: datetime) -> None:
        tombstone = {"role": None, "programme_id": None, "timezone": None, "languages": [], "interests": [],
                     "capacity": 0, "is_minor": False, "vetted": False, "custom_fields": {}, "erased": True,
                     "snapshot_at": at, "updated_at": utcnow()}
        Candidate.raw().update_one({"_id": person_id, "tenant_id": tenant_id}, {"$set": tombstone}, upsert=True)

    def candidate(self, tenant_id: str, person_id: str) -> dict | None:
        return Candidate.raw().find_one({"_id": person_id, "tenant_id": tenant_id, "erased": {"$ne": True}})

    def candidates(self, tenant_id: str, *, programme_id: str | None = None, role: str | None = None,
                   any_programme: bool = False) -> Iterator[dict]:
        query: dict = {"tenant_id": tenant_id, "erased": {"$ne": True}}
        if not any_programme:
            query["programme_id"] = programme_id
        if role:
            query["role"] = role
        return Candidate.raw().find(query)

    def changed_candidates(self, tenant_id: str, since: datetime) -> list[dict]:
        return list(Candidate.raw().find({"tenant_id": tenant_id, "updated_at": {"$gte": since}}))

    def has_candidates(self, tenant_id: str, programme_id: str) -> bool:
        return Candidate.raw().count_documents({"tenant_id": tenant_id, "programme_id": programme_id}, limit=1) > 0

    # -- programmes ---------------------------------------------------------------------------------
    def upsert_programme(self, tenant_id: str, programme_id: str, name: str, fields: list[dict]) -> None:
        Programme.raw().update_one(
            {"_id": programme_id, "tenant_id": tenant_id},
            {"$set": {"name": name, "custom_fields": fields, "updated_at": utcnow()}}, upsert=True)

    def programme(self, tenant_id: str, programme_id: str) -> dict | None:
        return Programme.raw().find_one({"_id": programme_id, "tenant_id": tenant_id})

    # -- settings -----------------------------------------------------------------------------------
    def settings(self, tenant_id: str, programme_id: str | None) -> dict | None:
        return MatchingSettings.raw().find_one({"tenant_id": tenant_id, "programme_id": programme_id})

    def all_settings(self, tenant_id: str) -> list[dict]:
        return list(MatchingSettings.raw().find({"tenant_id": tenant_id}))

    def save_settings(self, tenant_id: str, programme_id: str | None, weights: dict, min_shared_interests: int,
                      field_key: str | None) -> dict:
        return MatchingSettings.raw().find_one_and_update(
            {"tenant_id": tenant_id, "programme_id": programme_id},
            {"$set": {"weights": weights, "min_shared_interests": min_shared_interests, "field_key": field_key,
                      "updated_at": utcnow()}},
            upsert=True, return_document=ReturnDocument.AFTER)

    # -- mentor loads: capacity holds however many replicas accept at once ---------------------------
    def set_capacity(self, tenant_id: str, mentor_id: str, capacity: int) -> None:
        MentorLoad.raw().update_one(
            {"_id": mentor_id, "tenant_id": tenant_id},
            {"$set": {"capacity": int(capacity), "updated_at": utcnow()},
             "$setOnInsert": {"active": 0, "match_ids": []}},
            upsert=True)

    def load(self, tenant_id: str, mentor_id: str) -> dict | None:
        return MentorLoad.raw().find_one({"_id": mentor_id, "tenant_id": tenant_id})

    def loads(self, tenant_id: str, mentor_ids: Iterable[str] | None = None) -> dict[str, dict]:
        query: dict = {"tenant_id": tenant_id}
        if mentor_ids is not None:
            query["_id"] = {"$in": list(mentor_ids)}
        return {doc["_id"]: doc for doc in MentorLoad.raw().find(query)}

    def changed_loads(self, tenant_id: str, since: datetime) -> list[dict]:
        return list(MentorLoad.raw().find({"tenant_id": tenant_id, "updated_at": {"$gte": since}}))

    def claim_place(self, tenant_id: str, mentor_id: str, match_id: str) -> tuple[bool, dict | None]:
        """Take one of the mentor's places for the match, atomically: (True, load) or (False, load).

        The filter admits the update only while a place is free and the match holds none, so two
        accepts racing on two replicas can never both take the last place, and a retried accept
        never takes two.
        """
        collection = MentorLoad.raw()
        for _ in range(5):
            load = collection.find_one({"_id": mentor_id, "tenant_id": tenant_id})
            if load is None:
                return False, None
            if match_id in load.get("match_ids", []):
                return True, load
            capacity = int(load.get("capacity", 0))
            updated = collection.find_one_and_update(
                {"_id": mentor_id, "tenant_id": tenant_id, "capacity": capacity, "active": {"$lt": capacity},
                 "match_ids": {"$ne": match_id}},
                {"$push": {"match_ids": match_id}, "$inc": {"active": 1}, "$set": {"updated_at": utcnow()}},
                return_document=ReturnDocument.AFTER)
            if updated is not None:
                return True, updated
            load = collection.find_one({"_id": mentor_id, "tenant_id": tenant_id})
            if load is None:
                return False, None
            if match_id in load.get("match_ids", []):
                return True, load
            full = int(load.get("capacity", 0)) == capacity and int(load.get("active", 0)) >= capacity
            if full and not self._release_stale(tenant_id, load):
                return False, load
            # the capacity changed or a stale place was freed under us: try again
        return False, load

    def _release_stale(self, tenant_id: str, load: dict) -> bool:
        """Free places still held by matches that have ended or been declined (a crash between steps)."""
        held = load.get("match_ids", [])
        if not held:
            return False
        closed = [m["_id"] for m in Match.raw().find(
            {"tenant_id": tenant_id, "_id": {"$in": held}, "status": {"$in": list(CLOSED)}}, {"_id": 1})]
        freed = False
        for match_id in closed:
            freed |= self.release_place(tenant_id, load["_id"], match_id)
        return freed

    def release_place(self, tenant_id: str, mentor_id: str, match_id: str) -> bool:
        result = MentorLoad.raw().update_one(
            {"_id": mentor_id, "tenant_id": tenant_id, "match_ids": match_id},
            {"$pull": {"match_ids": match_id}, "$inc": {"active": -1}, "$set": {"updated_at": utcnow()}})
        return result.modified_count == 1

    def delete_load(self, tenant_id: str, mentor_id: str) -> None:
        MentorLoad.raw().delete_one({"_id": mentor_id, "tenant_id": tenant_id})

    # -- matches ------------------------------------------------------------------------------------
    def insert_match(self, match: Match) -> None:
        try:
            match.save(force_insert=True)
        except Exception as exc:  # NotUniqueError from mongoengine
            if "duplicate" in str(exc).lower() or exc.__class__.__name__ == "NotUniqueError":
                raise Duplicate(str(exc)) from None
            raise

    def insert_matches(self, documents: list[dict]) -> set[int]:
        """Insert raw match documents; return the positions refused (their mentee got an open match)."""
        if not documents:
            return set()
        try:
            Match.raw().insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            refused = {e["index"] for e in exc.details.get("writeErrors", []) if e.get("code") == 11000}
            others = [e for e in exc.details.get("writeErrors", []) if e.get("code") != 11000]
            if others:
                raise
            return refused
        return set()

    def match(self, tenant_id: str, match_id: str) -> dict | None:
        return Match.raw().find_one({"_id": match_id, "tenant_id": tenant_id}, {"outbox": 0})

    def transition(self, tenant_id: str, match_id: str, expect: dict, changes: dict,
                   events: list[dict] = ()) -> dict | None:
        """Apply `changes` (and queue `events`) only if the match still matches `expect`; None otherwise."""
        update: dict = {"$set": {**changes, "updated_at": utcnow()}}
        if events:
            update["$push"] = {"outbox": {"$each": list(events)}}
        return Match.raw().find_one_and_update(
            {"_id": match_id, "tenant_id": tenant_id, **expect}, update,
            projection={"outbox": 0}, return_document=ReturnDocument.AFTER)

    def matches(self, tenant_id: str, *, person_id: str | None, status: str | None, limit: int,
                after: str | None) -> list[dict]:
        query: dict = {"tenant_id": tenant_id}
        if person_id:
            query["$or"] = [{"mentee_id": person_id}, {"mentor_id": person_id}]
        if status:
            query["status"] = status
        if after:
            query["_id"] = {"$gt": after}
        return list(Match.raw().find(query, {"outbox": 0}).sort("_id", 1).limit(limit))

    def apply_consent(self, tenant_id: str, person_id: str, state: str, at: datetime) -> bool:
        """Store a guardian consent state unless a newer one is stored. The candidate must exist: its
        profile snapshot carries the state too, so a consent event that comes first loses nothing."""
        result = Candidate.raw().update_one(
            {"_id": person_id, "tenant_id": tenant_id, "erased": {"$ne": True},
             "$or": [{"consent_at": None}, {"consent_at": {"$lte": at}}]},
            {"$set": {"guardian_consent": state, "consent_at": at, "updated_at": utcnow()}})
        return result.matched_count == 1

    def set_paused(self, tenant_id: str, mentee_id: str, reason: str, paused: bool) -> None:
        """Pause (or resume) the mentee's open match for `reason`; other reasons stay."""
        change = {"$addToSet": {"paused_for": reason}} if paused else {"$pull": {"paused_for": reason}}
        Match.raw().update_many({"tenant_id": tenant_id, "mentee_id": mentee_id, "open": True},
                                   {**change, "$set": {"updated_at": utcnow()}})

    def open_match_of(self, tenant_id: str, mentee_id: str) -> dict | None:
        return Match.raw().find_one({"tenant_id": tenant_id, "mentee_id": mentee_id, "open": True}, {"outbox": 0})

    def open_matches_of(self, tenant_id: str, person_id: str) -> list[dict]:
        return list(Match.raw().find(
            {"tenant_id": tenant_id, "open": True, "$or": [{"mentee_id": person_id}, {"mentor_id": person_id}]},
            {"outbox": 0}))

    def matches_of(self, tenant_id: str, person_id: str) -> list[dict]:
        return list(Match.raw().find(
            {"tenant_id": tenant_id, "$or": [{"mentee_id": person_id}, {"mentor_id": person_id}]}, {"_id": 1}))

    def closed_before(self, tenant_id: str, mentee_id: str, mentor_id: str) -> bool:
        return Match.raw().count_documents(
            {"tenant_id": tenant_id, "mentee_id": mentee_id, "mentor_id": mentor_id, "status": {"$in": list(CLOSED)}},
            limit=1) > 0

    def closed_pairs(self, tenant_id: str, since: datetime | None = None) -> list[tuple[str, str]]:
        query: dict = {"tenant_id": tenant_id, "status": {"$in": list(CLOSED)}}
        if since is not None:
            query["updated_at"] = {"$gte": since}
        return [(d["mentee_id"], d["mentor_id"])
                for d in Match.raw().find(query, {"mentee_id": 1, "mentor_id": 1})]

    def open_mentee_ids(self, tenant_id: str) -> set[str]:
        return {d["mentee_id"] for d in Match.raw().find({"tenant_id": tenant_id, "status": {"$in": list(OPEN)}},
                                                          {"mentee_id": 1})}

    def open_matches_in(self, tenant_id: str, programme_id: str) -> list[dict]:
        return list(Match.raw().find({"tenant_id": tenant_id, "programme_id": programme_id, "open": True},
                                        {"mentee_id": 1, "mentor_id": 1, "status": 1}))

    def pending_by_mentor(self, tenant_id: str, mentor_ids: Iterable[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for doc in Match.raw().find({"tenant_id": tenant_id, "status": PROPOSED, "mentor_id": {"$in": list(mentor_ids)}},
                                       {"mentor_id": 1}):
            counts[doc["mentor_id"]] = counts.get(doc["mentor_id"], 0) + 1
        return counts

    # -- goals --------------------------------------------------------------------------------------
    def add_goal(self, goal: Goal) -> None:
        goal.save(force_insert=True)

    def goals(self, tenant_id: str, match_id: str) -> list[dict]:
        return list(Goal.raw().find({"tenant_id": tenant_id, "match_id": match_id}, {"outbox": 0})
                    .sort([("created_at", 1), ("_id", 1)]))

    def goal(self, tenant_id: str, match_id: str, goal_id: str) -> dict | None:
        return Goal.raw().find_one({"_id": goal_id, "tenant_id": tenant_id, "match_id": match_id}, {"outbox": 0})

    def complete_goal(self, tenant_id: str, match_id: str, goal_id: str, by: str, event: dict) -> dict | None:
        return Goal.raw().find_one_and_update(
            {"_id": goal_id, "tenant_id": tenant_id, "match_id": match_id, "completed_at": None},
            {"$set": {"completed_at": utcnow(), "completed_by": by}, "$push": {"outbox": event}},
            projection={"outbox": 0}, return_document=ReturnDocument.AFTER)

    def scrub_goals(self, tenant_id: str, match_ids: list[str]) -> None:
        """Goals are free text one of the two people wrote: gone with either of them."""
        if match_ids:
            Goal.raw().delete_many({"tenant_id": tenant_id, "match_id": {"$in": match_ids}})

    # -- matching runs ------------------------------------------------------------------------------
    def create_run(self, run: MatchingRun) -> None:
        try:
            run.save(force_insert=True)
        except Exception as exc:
            if exc.__class__.__name__ == "NotUniqueError":
                raise Duplicate(str(exc)) from None
            raise

    def run(self, tenant_id: str, run_id: str) -> dict | None:
        return MatchingRun.raw().find_one({"_id": run_id, "tenant_id": tenant_id}, {"outbox": 0})

    def run_in_progress(self, tenant_id: str, programme_id: str) -> dict | None:
        return MatchingRun.raw().find_one({"tenant_id": tenant_id, "programme_id": programme_id,
                                              "in_progress": True}, {"outbox": 0})

    def claim_run(self, holder: str, lease: timedelta) -> dict | None:
        """Take the oldest queued run, or one whose holder stopped renewing its lease (any tenant)."""
        now = utcnow()
        # A system job: it works across organisations by design, then scopes everything it does.
        return MatchingRun.raw().across_tenants().find_one_and_update(
            {"$or": [{"status": QUEUED}, {"status": RUNNING, "lease_until": {"$lt": now}}]},
            {"$set": {"status": RUNNING, "holder": holder, "lease_until": now + lease, "started_at": now},
             "$inc": {"attempts": 1}},
            projection={"outbox": 0}, sort=[("created_at", 1)], return_document=ReturnDocument.AFTER)

    def update_run(self, tenant_id: str, run_id: str, holder: str, lease: timedelta, **fields) -> bool:
        """Record progress and renew the lease, while this replica still holds the run."""
        result = MatchingRun.raw().update_one(
            {"_id": run_id, "tenant_id": tenant_id, "holder": holder, "status": RUNNING},
            {"$set": {**fields, "lease_until": utcnow() + lease}})
        return result.matched_count == 1

    def finish_run(self, tenant_id: str, run_id: str, holder: str, *, failed: bool, fields: dict,
                   events: list[dict] = ()) -> bool:
        update: dict = {"$set": {**fields, "status": FAILED if failed else COMPLETED, "in_progress": False,
                                 "finished_at": utcnow(), "lease_until": None}}
        if events:
            update["$push"] = {"outbox": {"$each": list(events)}}
        result = MatchingRun.raw().update_one(
            {"_id": run_id, "tenant_id": tenant_id, "holder": holder, "status": RUNNING}, update)
        return result.matched_count == 1

    # -- erasure ------------------------------------------------------------------------------------
    def forget_person_in_runs(self, tenant_id: str, person_id: str) -> None:
        MatchingRun.raw().update_many({"tenant_id": tenant_id, "unmatched.mentee_id": person_id},
                                         {"$pull": {"unmatched": {"mentee_id": person_id}}})
        # A run awaiting review never proposes a pair with someone erased since.
        for side in ("mentee_id", "mentor_id"):
            MatchingRun.raw().update_many({"tenant_id": tenant_id, f"pairs.{side}": person_id},
                                             {"$pull": {"pairs": {side: person_id}}})


__all__ = ["CLOSED", "OPEN", "Duplicate", "MatchingRepository", "new_id", "pending"]
