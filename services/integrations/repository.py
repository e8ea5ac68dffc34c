"""Storage of webhooks, deliveries and AMQP access; the only module that queries MongoDB."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING
from pymongo.errors import BulkWriteError

from .documents import (
    ACTIVE,
    CANCELLED,
    DISABLED,
    LOG_RETENTION_DAYS,
    PENDING,
    AmqpAccess,
    Delivery,
    Webhook,
    new_id,
)

HISTORY_KEPT = 20
DUPLICATE_KEY = 11000  # MongoDB's error code: the webhook already has a delivery of the event


class IntegrationsRepository:
    # -- webhooks -------------------------------------------------------------------------
    def add_webhook(self, webhook: Webhook) -> None:
        webhook.save(force_insert=True)

    def webhook(self, tenant_id: str, webhook_id: str) -> Webhook | None:
        return Webhook.scoped(tenant_id, id=webhook_id).first()

    def webhooks_of(self, deliveries: list[Delivery]) -> dict[str, Webhook]:
        """The webhooks these deliveries are for, by id, in one read; a deleted one is missing."""
        ids = list({delivery.webhook_id for delivery in deliveries})
        if not ids:
            return {}
        tenant_of = {delivery.webhook_id: delivery.tenant_id for delivery in deliveries}
        found = Webhook.raw().across_tenants().find({"_id": {"$in": ids}})
        return {raw["_id"]: Webhook._from_son(raw) for raw in found if raw["tenant_id"] == tenant_of[raw["_id"]]}

    def webhooks(self, tenant_id: str, *, limit: int, after: str | None = None) -> list[Webhook]:
        return Webhook.scoped(tenant_id).page(limit, after=after)

    def count_webhooks(self, tenant_id: str) -> int:
        return Webhook.scoped(tenant_id).count()

    def active_webhooks(self, tenant_id: str) -> list[Webhook]:
        return list(Webhook.scoped(tenant_id, status=ACTIVE))

    def delete_webhook(self, tenant_id: str, webhook_id: str) -> bool:
        deleted = Webhook.scoped(tenant_id, id=webhook_id).delete()
        Delivery.scoped(tenant_id, webhook_id=webhook_id).delete()
        return deleted > 0

    def disable_webhook(self, tenant_id: str, webhook_id: str, reason: str, now: datetime) -> bool:
        """Disable an active webhook and cancel what it still had to receive; False if it was not active."""
        changed = Webhook.scoped(tenant_id, id=webhook_id, status=ACTIVE).update(
            set__status=DISABLED, set__disabled_reason=reason, set__disabled_at=now
        )
        if changed:
            Delivery.scoped(tenant_id, webhook_id=webhook_id, status=PENDING).update(
                set__status=CANCELLED,
                unset__next_attempt_at=True,
                set__last_error=f"endpoint disabled: {reason}",
                set__expire_at=now + timedelta(days=LOG_RETENTION_DAYS),
            )
        return bool(changed)

    def enable_webhook(self, tenant_id: str, webhook_id: str) -> None:
        Webhook.scoped(tenant_id, id=webhook_id).update(
            set__status=ACTIVE, unset__disabled_reason=True, unset__disabled_at=True
        )

    # -- deliveries -----------------------------------------------------------------------
    def add_deliveries(self, deliveries: list[Delivery]) -> int:
        """Store, in one write, each delivery whose webhook has none for its event yet; return how many."""
        if not deliveries:
            return 0
        try:
            return len(Delivery.raw().insert_many([d.to_mongo().to_dict() for d in deliveries], ordered=False)
                       .inserted_ids)
        except BulkWriteError as exc:
            if any(error.get("code") != DUPLICATE_KEY for error in exc.details.get("writeErrors", [])):
                raise
            return exc.details.get("nInserted", 0)

    def delivery(self, tenant_id: str, webhook_id: str, delivery_id: str) -> Delivery | None:
        return Delivery.scoped(tenant_id, webhook_id=webhook_id, id=delivery_id).first()

    def deliveries(
        self,
        tenant_id: str,
        webhook_id: str,
        *,
        limit: int,
        before: str | None = None,
        status: str | None = None,
    ) -> list[Delivery]:
        """Newest first."""
        return Delivery.scoped(tenant_id, webhook_id=webhook_id).page(limit, before=before, newest_first=True,
                                                                      status=status)

    def due_deliveries(self, now: datetime, *, limit: int, skip_webhooks: list[str]) -> list[dict]:
        """The most overdue deliveries of any organisation, oldest due first, as stored: the candidates
        of one claim."""
        query: dict = {"next_attempt_at": {"$lte": now}}
        if skip_webhooks:
            query["webhook_id"] = {"$nin": skip_webhooks}
        return list(Delivery.raw().across_tenants().find(query, sort=[("next_attempt_at", ASCENDING)], limit=limit))

    def claim(self, candidates: list[dict], now: datetime, lease: timedelta) -> list[Delivery]:
        """Take for one attempt each those of `candidates` still due; return them.

        Claiming pushes `next_attempt_at` past the attempt's longest duration, so another sender
        (another replica) leaves it alone; if this one dies mid-attempt the delivery is due again
        once the lease lapses. One write claims them all; only when another sender took some
        meanwhile does a read learn which are this one's (by the claim's token).
        """
        if not candidates:
            return []
        token, until = new_id(), now + lease
        ids = [candidate["_id"] for candidate in candidates]
        collection = Delivery.raw().across_tenants()
        taken = collection.update_many(
            {"_id": {"$in": ids}, "next_attempt_at": {"$lte": now}},
            {"$set": {"next_attempt_at": until, "claimed_by": token}},
        ).modified_count
        if taken < len(ids):
            won = {raw["_id"] for raw in collection.find({"_id": {"$in": ids}, "claimed_by": token}, {"_id": True})}
            candidates = [candidate for candidate in candidates if candidate["_id"] in won]
        return [Delivery._from_son({**candidate, "next_attempt_at": until, "claimed_by": token})
                for candidate in candidates]

    def record_attempt(
        self,
        delivery: Delivery,
        *,
        at: datetime,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
        next_attempt_at: datetime | None,
        status: str,
    ) -> None:
        attempt = {"at": at, "status_code": status_code, "error": error, "duration_ms": duration_ms}
        update: dict = {
            "$set": {
                "status": status,
                "last_attempt_at": at,
                "last_status_code": status_code,
                "last_error": error,
            },
            "$inc": {"attempts": 1},
            "$push": {"history": {"$each": [attempt], "$slice": -HISTORY_KEPT}},
        }
        if next_attempt_at is None:
            update["$unset"] = {"next_attempt_at": ""}
            update["$set"]["expire_at"] = at + timedelta(days=LOG_RETENTION_DAYS)
        else:
            update["$set"]["next_attempt_at"] = next_attempt_at
        Delivery.raw().update_one({"_id": delivery.id, "tenant_id": delivery.tenant_id}, update)

    def cancel_delivery(self, delivery: Delivery, reason: str, now: datetime) -> None:
        Delivery.scoped(delivery.tenant_id, id=delivery.id).update(
            set__status=CANCELLED,
            unset__next_attempt_at=True,
            set__last_error=reason,
            set__expire_at=now + timedelta(days=LOG_RETENTION_DAYS),
        )

    def schedule_again(self, delivery: Delivery, now: datetime) -> None:
        """A replay: a new round of attempts, starting now."""
        Delivery.scoped(delivery.tenant_id, id=delivery.id).update(
            set__status=PENDING,
            set__attempts=0,
            set__next_attempt_at=now,
            unset__expire_at=True,
        )

    # -- AMQP access ----------------------------------------------------------------------
    def amqp_access(self, tenant_id: str) -> AmqpAccess | None:
        return AmqpAccess.scoped(tenant_id, id=tenant_id).first()

    def save_amqp_access(self, access: AmqpAccess) -> None:
        access.save()

    def delete_amqp_access(self, tenant_id: str) -> None:
        AmqpAccess.scoped(tenant_id, id=tenant_id).delete()
