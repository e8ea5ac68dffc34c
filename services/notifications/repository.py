"""Storage of deliveries, the match projection and settings; the only module that queries MongoDB."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from ementor.platform.expiring import Expiring

from .documents import (
    DUE_STATUSES,
    READ_IN_APP,
    READ_IN_APP_CODE,
    UNSENT_STATUSES,
    Delivery,
    MatchProjection,
    OrganisationSettings,
    new_id,
    utcnow,
)


class LostClaim(Exception):
    """The delivery was claimed by another sender after our lease ran out; our result is dropped."""


SETTINGS_CACHE_SECONDS = 5.0  # a change reaches every replica's planners within this; its own at once


class NotificationsRepository:
    def __init__(self):
        self._settings_cache: Expiring[str, OrganisationSettings] = Expiring(SETTINGS_CACHE_SECONDS)

    # -- deliveries -----------------------------------------------------------------------
    def add_delivery(self, delivery: Delivery) -> bool:
        """Insert a delivery; False when this (event, recipient, channel) already has one."""
        return delivery.insert_unless_taken()

    def notice_statuses(self, tenant_id: str, cause_ids: list[str], recipient: str) -> dict[str, set[str]]:
        """The statuses of the causes' deliveries to one recipient (any channel), by cause."""
        statuses: dict[str, set[str]] = {}
        for raw in Delivery.raw().find({"tenant_id": tenant_id, "cause_event_id": {"$in": cause_ids},
                                        "recipient": recipient}, {"cause_event_id": 1, "status": 1, "_id": 0}):
            statuses.setdefault(raw["cause_event_id"], set()).add(raw["status"])
        return statuses

    def join_notice(self, tenant_id: str, cause_id: str, recipient: str, told_until: datetime) -> bool:
        """Let a notice not sent yet tell of one more message, delivered at `told_until`, making one
        skipped as read pending again; False when none is left to go (it went meanwhile)."""
        notices = {"tenant_id": tenant_id, "cause_event_id": cause_id, "recipient": recipient}
        if Delivery.raw().update_many({**notices, "status": {"$in": list(UNSENT_STATUSES)}},
                                      {"$max": {"told_until": told_until}}).matched_count:
            return True
        return bool(Delivery.raw().update_many(
            {**notices, "status": "skipped", "skip_code": READ_IN_APP_CODE},
            {"$set": {"status": "pending", "last_error": None, "skip_code": None, "updated_at": utcnow()},
             "$max": {"told_until": told_until}}).matched_count)

    def skip_read_notices(self, tenant_id: str, recipient: str, cause_ids: list[str], read_up_to: datetime) -> int:
        """Skip the waiting notices among `cause_ids` whose every message the recipient has read."""
        return Delivery.raw().update_many(
            {"tenant_id": tenant_id, "cause_event_id": {"$in": cause_ids}, "recipient": recipient,
             "status": {"$in": list(DUE_STATUSES)}, "told_until": {"$lte": read_up_to}},
            {"$set": {"status": "skipped", "skip_code": READ_IN_APP_CODE, "last_error": READ_IN_APP,
                      "updated_at": utcnow()}}).modified_count

    def claim_due(self, now: datetime, lease_seconds: float) -> Delivery | None:
        """Atomically take one due delivery (or one whose sender's lease ran out) for sending.

        Every replica runs senders; the conditional update means two never hold the same delivery.
        Spans organisations: this is the service's own system job.
        """
        collection = Delivery.raw().across_tenants()
        token = uuid.uuid4().hex
        raw = collection.find_one_and_update(
            {"$or": [
                {"status": {"$in": list(DUE_STATUSES)}, "next_attempt_at": {"$lte": now}},
                {"status": "sending", "claimed_until": {"$lt": now}},
            ]},
            {"$set": {"status": "sending", "claim": token, "claimed_until": now + timedelta(seconds=lease_seconds)}},
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return None if raw is None else Delivery._from_son(raw)

    def claim_fresh(self, tenant_id: str, delivery_id: str, now: datetime, lease_seconds: float) -> Delivery | None:
        """Atomically take one delivery just planned in this replica, if it is still waiting."""
        raw = Delivery.raw().find_one_and_update(
            {"_id": delivery_id, "tenant_id": tenant_id, "status": {"$in": list(DUE_STATUSES)},
             "next_attempt_at": {"$lte": now}},
            {"$set": {"status": "sending", "claim": uuid.uuid4().hex,
                      "claimed_until": now + timedelta(seconds=lease_seconds)}},
            return_document=ReturnDocument.AFTER,
        )
        return None if raw is None else Delivery._from_son(raw)

    def finish(self, delivery: Delivery, outbox_lease_until: datetime | None = None) -> None:
        """Save a claimed delivery's outcome (and its events), only if our claim still holds.

        With `outbox_lease_until` the events are handed over to this replica's relay, and other
        replicas' sweeps leave them alone until then."""
        claim = delivery.claim
        delivery.claim = None
        delivery.claimed_until = None
        if outbox_lease_until is not None:
            delivery.outbox_lease_until = outbox_lease_until
        delivery.updated_at = utcnow()
        if not delivery.save_changes(claim=claim):
            raise LostClaim(delivery.id)

    def save(self, delivery: Delivery) -> None:
        delivery.updated_at = utcnow()
        delivery.save()

    def delivery(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        return Delivery.scoped(tenant_id, id=delivery_id).first()

    def deliveries(self, tenant_id: str, *, recipient: str | None, status: str | None, limit: int,
                   before: str | None) -> list[Delivery]:
        return Delivery.scoped(tenant_id).page(limit, before=before, newest_first=True, recipient=recipient,
                                               status=status)

    def erase_person(self, tenant_id: str, person_id: str) -> tuple[int, int]:
        """Delete a person's notifications and scrub them from others'; return (deleted, scrubbed).

        A delivery whose NotificationSent/Failed is not published yet becomes a tombstone that the
        outbox relay deletes once its event is out.
        """
        pending_events = {"outbox.0": {"$exists": True}}
        tombstoned = Delivery.scoped(tenant_id, recipient=person_id, __raw__=pending_events).update(
            set__status="skipped", set__values={}, set__subject=None, set__last_error="person erased",
            set__delete_when_published=True)
        deleted = Delivery.scoped(tenant_id, recipient=person_id, __raw__={"outbox.0": {"$exists": False}}).delete()
        scrubbed = Delivery.scoped(tenant_id, mentions=person_id).update(
            set__subject=None, set__about=None, set__names={}, pull__mentions=person_id)
        return deleted + tombstoned, scrubbed

    # -- the match projection --------------------------------------------------------------
    # Events about one match arrive on separate queues in any order; each update is an upsert that
    # commutes with the others ($max for times; an ended match stays ended).
    def match_accepted(self, tenant_id: str, match_id: str, mentor_id: str, mentee_id: str,
                       programme_id: str | None, at: datetime) -> None:
        _upsert(
            {"tenant_id": tenant_id, "match_id": match_id, "status": {"$ne": "ended"}},
            {"$set": {"status": "active", "mentor_id": mentor_id, "mentee_id": mentee_id,
                      "programme_id": programme_id, "accepted_at": at},
             "$max": {"idle_since": at}},
        )

    def match_ended(self, tenant_id: str, match_id: str, mentor_id: str, mentee_id: str, at: datetime) -> None:
        _upsert({"tenant_id": tenant_id, "match_id": match_id},
                {"$set": {"status": "ended", "ended_at": at, "mentor_id": mentor_id, "mentee_id": mentee_id}})

    def message_sent(self, tenant_id: str, match_id: str, at: datetime) -> None:
        _upsert({"tenant_id": tenant_id, "match_id": match_id},
                {"$max": {"last_message_at": at, "idle_since": at}, "$set": {"settled": False},
                 "$setOnInsert": {"status": "unknown"}})

    def match(self, tenant_id: str, match_id: str) -> MatchProjection | None:
        return MatchProjection.scoped(tenant_id, match_id=match_id).first()

    def quiet_matches(self, idle_before: datetime):
        """Active matches quiet since before `idle_before` and not settled, across organisations (the nudge job)."""
        return MatchProjection.objects.across_tenants().filter(
            status="active", settled__ne=True, idle_since__lte=idle_before).order_by("idle_since")

    def mark_nudged(self, match: MatchProjection, at: datetime) -> None:
        MatchProjection.scoped(match.tenant_id, id=match.id, idle_since=match.idle_since).update(
            set__nudged_for=match.idle_since, set__nudged_at=at)

    def mark_escalated(self, match: MatchProjection) -> None:
        MatchProjection.scoped(match.tenant_id, id=match.id, idle_since=match.idle_since).update(
            set__escalated_for=match.idle_since, set__settled=True)

    def mark_settled(self, match: MatchProjection) -> None:
        MatchProjection.scoped(match.tenant_id, id=match.id, idle_since=match.idle_since).update(set__settled=True)

    def forget_person_matches(self, tenant_id: str, person_id: str) -> int:
        return (MatchProjection.scoped(tenant_id, mentor_id=person_id).delete()
                + MatchProjection.scoped(tenant_id, mentee_id=person_id).delete())

    # -- settings -----------------------------------------------------------------------------
    def settings(self, tenant_id: str, *, cached: bool = False) -> OrganisationSettings:
        """The organisation's settings; with `cached`, possibly as read up to SETTINGS_CACHE_SECONDS ago
        (planning and sending read them for every event; only staff change them). Not to be changed:
        a change reads them afresh."""
        if cached and (hit := self._settings_cache.get(tenant_id)) is not None:
            return hit
        found = OrganisationSettings.scoped(tenant_id, id=tenant_id).first()
        found = found or OrganisationSettings(id=tenant_id, tenant_id=tenant_id, updated_at=None)
        return self._settings_cache.remember(tenant_id, found) if cached else found

    def save_settings(self, settings: OrganisationSettings) -> None:
        now = utcnow()
        settings.updated_at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as MongoDB stores it
        settings.save()
        self._settings_cache.drop(settings.tenant_id)  # this replica plans with the change at once


def _upsert(query: dict, update: dict) -> None:
    """Upsert one projection document; a lost insert race (or an excluded ended match) is retried as an update."""
    collection = MatchProjection.raw()
    try:
        collection.update_one(query, {**update, "$setOnInsert": {**update.get("$setOnInsert", {}),
                                                               "_id": new_id()}}, upsert=True)
    except DuplicateKeyError:
        collection.update_one(query, update)
