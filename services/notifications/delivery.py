"""Delivery: one round of the delivery loop, run by every replica.

It claims due deliveries atomically, takes contact details from the planning read handed over
with fresh ones or asks profiles at that moment, composes (composing.py), sends, and stores each
outcome with its NotificationSent/NotificationFailed in one write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from ementor_contracts import COORDINATOR, NotificationFailed, NotificationSent
from eventlet.greenpool import GreenPool
from prometheus_client import Counter

from ementor.platform.outbox import HANDOVER_LEASE
from ementor.platform.settings import NotificationsSettings

from . import domain, emails, templates
from .composing import Defer, Outbound, Skip, compose_email, compose_sms
from .documents import Delivery, utcnow
from .mailer import Mailer
from .planning import PlanningRead, sms_policy
from .repository import LostClaim, NotificationsRepository
from .sms import SmsGateway

log = logging.getLogger(__name__)

NOTIFICATIONS = Counter("ementor_notifications_total", "Notification delivery outcomes", ["channel", "outcome"])

BATCH = 100  # deliveries claimed per round of the delivery loop
LEASE_SECONDS = 300.0  # a claimed delivery whose sender vanished is picked up again after this
SMS_CONCURRENCY = 10
ORGANISATION_NAME_TTL = 60.0
# What was read to plan a delivery (contact details, the organisation's settings) serves its sending
# when that follows within this many seconds; a retry, a deferral or a backlog reads them again.
HANDED_READ_SECONDS = 5.0


_names: dict[str, tuple[str, float]] = {}


def organisation_name(profiles, tenant_id: str) -> str:
    cached = _names.get(tenant_id)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    organisation = profiles.get_organisation(tenant_id) or {}
    name = organisation.get("name") or "ementor"
    _names[tenant_id] = (name, time.monotonic() + ORGANISATION_NAME_TTL)
    return name


def send_due(repo: NotificationsRepository, profiles, settings: NotificationsSettings, mailer: Mailer, gateway: SmsGateway | None,
             policy: domain.RetryPolicy, fresh: list[tuple[str, str, PlanningRead | None]] = (), scan: bool = False,
             batch: int = BATCH, hand_over: Callable | None = None) -> bool:
    """One round of the delivery loop: send the `fresh` deliveries and, with `scan`, whatever else is
    due. True when the scan found a full batch (more may be waiting). Each outcome's event goes to
    `hand_over` (the outbox's) when given: published at once, no search for it."""
    now = utcnow()
    claimed = [d for d in (repo.claim_fresh(tenant_id, delivery_id, now, LEASE_SECONDS)
                           for tenant_id, delivery_id, _ in fresh) if d is not None]
    handed = handed_reads(fresh)
    scanned = 0
    while scan and scanned < batch:
        delivery = repo.claim_due(now, LEASE_SECONDS)
        if delivery is None:
            break
        claimed.append(delivery)
        scanned += 1
    if not claimed:
        return False
    by_tenant: dict[str, list[Delivery]] = {}
    for delivery in claimed:
        by_tenant.setdefault(delivery.tenant_id, []).append(delivery)
    pool = GreenPool(SMS_CONCURRENCY + len(claimed))
    for tenant_id, deliveries in by_tenant.items():
        try:
            outbound = outbound_for(repo, profiles, settings, gateway, tenant_id, deliveries, handed.get(tenant_id))
        except Exception as exc:  # noqa: BLE001 - profiles away or slow: try these again shortly
            log.warning("cannot prepare %d notifications of organisation %s: %r", len(deliveries), tenant_id, exc)
            for delivery in deliveries:
                retry_later(repo, delivery, policy, f"contact details unavailable: {exc}", now)
            continue
        for delivery in deliveries:
            pool.spawn_n(deliver, repo, settings, mailer, gateway, policy, outbound, delivery, hand_over)
    pool.waitall()
    return scanned == batch


def handed_reads(fresh) -> dict[str, PlanningRead]:
    """What was read moments ago to plan the fresh deliveries, by organisation (their contacts merged)."""
    oldest = time.monotonic() - HANDED_READ_SECONDS
    latest: dict[str, PlanningRead] = {}
    contacts: dict[str, dict[str, dict]] = {}
    for tenant_id, _, read in fresh:
        if read is not None and read.at >= oldest:
            latest[tenant_id] = read
            contacts.setdefault(tenant_id, {}).update(read.contacts)
    return {tenant_id: read._replace(contacts=contacts[tenant_id]) for tenant_id, read in latest.items()}


def outbound_for(repo, profiles, settings, gateway, tenant_id: str, deliveries: list[Delivery],
                 read: PlanningRead | None = None) -> Outbound:
    """What sending these deliveries needs; what planning `read` moments ago is not read again."""
    people = {p for d in deliveries for p in [d.recipient, *d.mentions] if p != COORDINATOR}
    known = read.contacts if read is not None else {}
    contacts = {p: known[p] for p in people if p in known}
    unknown = sorted(people - contacts.keys())
    if unknown:
        contacts.update(profiles.get_contacts(tenant_id, unknown))
    organisation = read.organisation if read is not None else repo.settings(tenant_id, cached=True)
    name = organisation.organisation_name or organisation_name(profiles, tenant_id)
    return Outbound(tenant_id, contacts, organisation, name, sms_policy(settings, organisation, gateway))


def deliver(repo, settings: NotificationsSettings, mailer: Mailer, gateway, policy, outbound: Outbound, delivery: Delivery,
            hand_over: Callable | None = None):
    """Compose and send one claimed delivery, then store its outcome (and hand its event over)."""
    now = utcnow()
    try:
        if delivery.channel == domain.EMAIL:
            envelope, subject = compose_email(settings, outbound, delivery, now)
            delivery.subject = subject
            reply = mailer.send(envelope)
            _sent(delivery, provider_id=emails.message_id(delivery.id, envelope.sender), detail=reply)
        else:
            options = compose_sms(settings, outbound, delivery, now)
            result = gateway.send(**options)
            _sent(delivery, provider_id=result.sid, detail=result.status)
    except Skip as skip:
        delivery.status, delivery.last_error, delivery.skip_code = "skipped", str(skip), skip.code
        log.info("skipped %s %s to %s: %s", delivery.channel, delivery.kind, delivery.recipient, skip)
        NOTIFICATIONS.labels(delivery.channel, "skipped").inc()
    except Defer as defer:
        delivery.status, delivery.next_attempt_at = "deferred", defer.until
        delivery.last_error = "quiet hours"
        NOTIFICATIONS.labels(delivery.channel, "deferred").inc()
    except templates.TemplateError as exc:
        _failed(delivery, domain.SendFailure(f"template error: {exc}", permanent=True), policy, now)
    except domain.SendFailure as failure:
        _failed(delivery, failure, policy, now)
    except Exception as exc:
        log.exception("unexpected error sending notification %s", delivery.id)
        _failed(delivery, domain.SendFailure(f"internal error: {type(exc).__name__}", permanent=False), policy, now)
    events = delivery.recorded() if hand_over is not None else []
    try:
        repo.finish(delivery, outbox_lease_until=utcnow() + HANDOVER_LEASE if events else None)
    except LostClaim:
        log.warning("notification %s was claimed by another sender meanwhile; its outcome here is dropped",
                    delivery.id)
        return
    if events:
        hand_over(Delivery, delivery.tenant_id, delivery.id, events)


def retry_later(repo, delivery: Delivery, policy: domain.RetryPolicy, reason: str, now: datetime) -> None:
    delivery.status = "pending"
    delivery.next_attempt_at = now + timedelta(seconds=policy.delay(max(1, delivery.attempts)))
    delivery.last_error = domain.redact(reason)
    try:
        repo.finish(delivery)
    except LostClaim:
        pass


def _sent(delivery: Delivery, *, provider_id: str, detail: str) -> None:
    delivery.attempts += 1
    delivery.status, delivery.sent_at, delivery.last_error = "sent", utcnow(), None
    delivery.provider_id = provider_id  # Twilio's status callbacks fill in provider_status
    delivery.next_attempt_at = None
    delivery.record(NotificationSent(**identity(delivery)))
    NOTIFICATIONS.labels(delivery.channel, "sent").inc()
    log.info("sent %s %s to %s (%s)", delivery.channel, delivery.kind, delivery.recipient, detail)


def _failed(delivery: Delivery, failure: domain.SendFailure, policy: domain.RetryPolicy, now: datetime) -> None:
    delivery.attempts += 1
    outcome = domain.after_failure(delivery.attempts, failure, policy, now)
    delivery.status, delivery.next_attempt_at, delivery.last_error = outcome.status, outcome.next_attempt_at, outcome.error
    delivery.record(NotificationFailed(**identity(delivery), error=outcome.error, permanent=outcome.permanent))
    NOTIFICATIONS.labels(delivery.channel, "failed" if outcome.permanent else "retrying").inc()
    log.warning("%s %s to %s failed (attempt %d, %s): %s", delivery.channel, delivery.kind, delivery.recipient,
                delivery.attempts, "permanent" if outcome.permanent else "will retry", outcome.error)


def identity(delivery: Delivery) -> dict:
    return {"notification_id": delivery.id, "person_id": delivery.recipient, "channel": delivery.channel,
            "cause_event_id": delivery.cause_event_id, "cause_event_type": delivery.cause_event_type}
