"""The notifications use cases: plain functions over the repository, called by the entrypoints.

Two halves. Planning (in the event consumers and the nudge job) decides who hears what on which
channel and stores one delivery per (cause, recipient, channel): a unique index makes a second
delivery of the same event plan nothing new. Sending (in the delivery loop of every replica)
claims due deliveries atomically, asks profiles for contact details at that moment, renders,
sends, and stores the outcome with its NotificationSent/NotificationFailed in one write.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from string import Template

from ementor_contracts import COORDINATOR, CloudEvent, Event, NotificationFailed, NotificationSent
from eventlet.greenpool import GreenPool
from prometheus_client import Counter

from ementor.platform.http.auth import Principal
from ementor.platform.http.errors import Forbidden, NotFound, Unprocessable
from ementor.platform.settings import Settings

from . import domain, emails, schemas, templates
from .documents import Delivery, OrganisationSettings, TemplateOverride, utcnow
from .mailer import Mailer
from .repository import LostClaim, NotificationsRepository
from .sms import SmsGateway
from .smtp_pool import Envelope

log = logging.getLogger(__name__)

NOTIFICATIONS = Counter("ementor_notifications_total", "Notification delivery outcomes", ["channel", "outcome"])

BATCH = 100  # deliveries claimed per round of the delivery loop
LEASE_SECONDS = 300.0  # a claimed delivery whose sender vanished is picked up again after this
SMS_CONCURRENCY = 10
ORGANISATION_NAME_TTL = 60.0
TIME_VALUES = ("starts_at", "ends_at", "previous_starts_at")


# -- planning -----------------------------------------------------------------------------------
def sms_policy(settings: Settings, organisation: OrganisationSettings, gateway: SmsGateway | None) -> domain.SmsPolicy:
    has_sender = bool(organisation.sms_from or organisation.messaging_service_sid or settings.TWILIO_FROM_NUMBER)
    return domain.SmsPolicy(configured=gateway is not None and has_sender,
                            allow_minors=bool(organisation.allow_sms_to_minors))


def notify(repo: NotificationsRepository, profiles, settings: Settings, gateway: SmsGateway | None,
           event: Event, envelope: CloudEvent) -> list[Delivery]:
    """Plan the notifications an event causes; return the new deliveries stored."""
    match_people = None
    if event.type_name() == "GoalCompleted":
        match = repo.match(envelope.tenantid, event.match_id)
        if match is not None and match.mentor_id and match.mentee_id:
            match_people = (match.mentor_id, match.mentee_id)
    notices = domain.notices_for(event, match_people)
    return plan(repo, profiles, settings, gateway, envelope.tenantid, envelope.id, envelope.type, notices)


def plan(repo: NotificationsRepository, profiles, settings: Settings, gateway: SmsGateway | None, tenant_id: str,
         cause_id: str, cause_type: str, notices: list[domain.Notice]) -> list[Delivery]:
    """Store one delivery per recipient and channel; return those that did not exist yet."""
    if not notices:
        return []
    people = sorted({n.recipient for n in notices if not n.to_coordinator})
    contacts = profiles.get_contacts(tenant_id, people) if people else {}
    organisation = repo.settings(tenant_id)
    policy = sms_policy(settings, organisation, gateway)
    now = utcnow()
    created = []
    for notice in notices:
        if notice.to_coordinator:
            if not organisation.coordinator_email:
                log.warning("dropping %s of %s %s: organisation %s has no coordinator_email in its notification "
                            "settings", notice.kind, cause_type, cause_id, tenant_id)
                continue
            channels = [domain.EMAIL]
        else:
            contact = contacts.get(notice.recipient)
            if contact is None:
                log.warning("dropping %s of %s %s for person %s: unknown or erased", notice.kind, cause_type,
                            cause_id, notice.recipient)
                continue
            channels = domain.channels_for(contact, templates.KINDS[notice.kind].sms is not None, policy)
            if not channels:
                log.info("no channel for %s of %s %s to person %s (preferences)", notice.kind, cause_type,
                         cause_id, notice.recipient)
        for channel in channels:
            delivery = Delivery(
                tenant_id=tenant_id, cause_event_id=cause_id, cause_event_type=cause_type,
                recipient=notice.recipient, channel=channel, kind=notice.kind, about=notice.about,
                names=dict(notice.names), mentions=notice.mentions, values=dict(notice.values),
                status="pending", next_attempt_at=now,
            )
            if repo.add_delivery(delivery):
                created.append(delivery)
            else:
                log.info("%s of %s %s to %s by %s exists already: not planned twice", notice.kind, cause_type,
                         cause_id, notice.recipient, channel)
    return created


# -- the match projection and nudges -------------------------------------------------------------
def nudge_quiet_matches(repo: NotificationsRepository, profiles, settings: Settings, gateway: SmsGateway | None,
                        now: datetime | None = None) -> list[Delivery]:
    """One run of the nudge job: nudge quiet matches, tell coordinators of those still quiet after."""
    now = now or utcnow()
    organisations: dict[str, OrganisationSettings] = {}
    planned: list[Delivery] = []
    for match in repo.quiet_matches(idle_before=now - timedelta(days=1)):
        organisation = organisations.get(match.tenant_id) or organisations.setdefault(
            match.tenant_id, repo.settings(match.tenant_id))
        state = domain.IdleMatch(idle_since=_aware(match.idle_since), nudged_for=_aware(match.nudged_for),
                                 nudged_at=_aware(match.nudged_at), escalated_for=_aware(match.escalated_for))
        step = domain.nudge_step(state, now, organisation.nudge_after_days, organisation.escalate_after_days)
        idle_days = (now - state.idle_since).days
        if step == "nudge":
            notices = domain.pair_notices("nudge", match.mentor_id, match.mentee_id,
                                          {"match_id": match.match_id, "idle_days": idle_days})
            planned += plan(repo, profiles, settings, gateway, match.tenant_id,
                            domain.nudge_cause_id(match.match_id, state.idle_since), domain.NUDGE_CAUSE, notices)
            repo.mark_nudged(match, now)
        elif step == "escalate":
            notice = domain.Notice(
                COORDINATOR, "nudge_escalation", names={"mentor_name": match.mentor_id, "mentee_name": match.mentee_id},
                values={"match_id": match.match_id, "idle_days": idle_days,
                        "nudged_days_ago": (now - state.nudged_at).days})
            planned += plan(repo, profiles, settings, gateway, match.tenant_id,
                            domain.nudge_cause_id(match.match_id, state.idle_since, escalation=True),
                            domain.ESCALATION_CAUSE, [notice])
            repo.mark_escalated(match)
        elif state.escalated_for == state.idle_since:
            repo.mark_settled(match)  # a late, older message reopened a spell already dealt with
    return planned


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def erase_person(repo: NotificationsRepository, tenant_id: str, person_id: str) -> None:
    removed, scrubbed = repo.erase_person(tenant_id, person_id)
    forgotten = repo.forget_person_matches(tenant_id, person_id)
    log.info("erased person %s: %d notifications removed, %d others scrubbed of their name, %d matches forgotten",
             person_id, removed, scrubbed, forgotten)


# -- sending ------------------------------------------------------------------------------------
@dataclass
class Outbound:
    """What the sender needs for one organisation in one round."""

    tenant_id: str
    contacts: dict
    organisation: OrganisationSettings
    organisation_name: str
    policy: domain.SmsPolicy


class _Skip(Exception):
    pass


class _Defer(Exception):
    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


_names: dict[str, tuple[str, float]] = {}


def organisation_name(profiles, tenant_id: str) -> str:
    cached = _names.get(tenant_id)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    organisation = profiles.get_organisation(tenant_id) or {}
    name = organisation.get("name") or "ementor"
    _names[tenant_id] = (name, time.monotonic() + ORGANISATION_NAME_TTL)
    return name


def send_due(repo: NotificationsRepository, profiles, settings: Settings, mailer: Mailer, gateway: SmsGateway | None,
             policy: domain.RetryPolicy, fresh: list[tuple[str, str]] = (), scan: bool = False,
             batch: int = BATCH) -> bool:
    """One round of the delivery loop: send the `fresh` deliveries and, with `scan`, whatever else is
    due. True when the scan found a full batch (more may be waiting)."""
    now = utcnow()
    claimed = [d for d in (repo.claim_fresh(tenant_id, delivery_id, now, LEASE_SECONDS)
                           for tenant_id, delivery_id in fresh) if d is not None]
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
            outbound = _outbound(repo, profiles, settings, gateway, tenant_id, deliveries)
        except Exception as exc:  # noqa: BLE001 - profiles away or slow: try these again shortly
            log.warning("cannot prepare %d notifications of organisation %s: %r", len(deliveries), tenant_id, exc)
            for delivery in deliveries:
                _retry_later(repo, delivery, policy, f"contact details unavailable: {exc}", now)
            continue
        for delivery in deliveries:
            pool.spawn_n(_deliver, repo, settings, mailer, gateway, policy, outbound, delivery)
    pool.waitall()
    return scanned == batch


def _outbound(repo, profiles, settings, gateway, tenant_id: str, deliveries: list[Delivery]) -> Outbound:
    people = sorted({p for d in deliveries for p in [d.recipient, *d.mentions] if p != COORDINATOR})
    contacts = profiles.get_contacts(tenant_id, people) if people else {}
    organisation = repo.settings(tenant_id)
    name = organisation.organisation_name or organisation_name(profiles, tenant_id)
    return Outbound(tenant_id, contacts, organisation, name, sms_policy(settings, organisation, gateway))


def _deliver(repo, settings: Settings, mailer: Mailer, gateway, policy, outbound: Outbound, delivery: Delivery):
    """Compose and send one claimed delivery, then store its outcome."""
    now = utcnow()
    try:
        if delivery.channel == domain.EMAIL:
            envelope, subject = _compose_email(settings, outbound, delivery, now)
            delivery.subject = subject
            reply = mailer.send(envelope)
            _sent(delivery, provider_id=emails.message_id(delivery.id, envelope.sender), detail=reply)
        else:
            options = _compose_sms(settings, outbound, delivery, now)
            result = gateway.send(**options)
            _sent(delivery, provider_id=result.sid, detail=result.status)
    except _Skip as skip:
        delivery.status, delivery.last_error = "skipped", str(skip)
        log.info("skipped %s %s to %s: %s", delivery.channel, delivery.kind, delivery.recipient, skip)
        NOTIFICATIONS.labels(delivery.channel, "skipped").inc()
    except _Defer as defer:
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
    try:
        repo.finish(delivery)
    except LostClaim:
        log.warning("notification %s was claimed by another sender meanwhile; its outcome here is dropped",
                    delivery.id)


def _retry_later(repo, delivery: Delivery, policy: domain.RetryPolicy, reason: str, now: datetime) -> None:
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
    delivery.record(NotificationSent(**_identity(delivery)))
    NOTIFICATIONS.labels(delivery.channel, "sent").inc()
    log.info("sent %s %s to %s (%s)", delivery.channel, delivery.kind, delivery.recipient, detail)


def _failed(delivery: Delivery, failure: domain.SendFailure, policy: domain.RetryPolicy, now: datetime) -> None:
    delivery.attempts += 1
    gives_up = not failure.permanent and policy.gives_up_after(delivery.attempts)
    permanent = failure.permanent or gives_up
    message = f"gave up after {delivery.attempts} attempts: {failure.message}" if gives_up else failure.message
    delivery.last_error = message
    if permanent:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = now + timedelta(seconds=policy.delay(delivery.attempts))
    delivery.record(NotificationFailed(**_identity(delivery), error=message, permanent=permanent))
    NOTIFICATIONS.labels(delivery.channel, "failed" if permanent else "retrying").inc()
    log.warning("%s %s to %s failed (attempt %d, %s): %s", delivery.channel, delivery.kind, delivery.recipient,
                delivery.attempts, "permanent" if permanent else "will retry", message)


def _identity(delivery: Delivery) -> dict:
    return {"notification_id": delivery.id, "person_id": delivery.recipient, "channel": delivery.channel,
            "cause_event_id": delivery.cause_event_id, "cause_event_type": delivery.cause_event_type}


# -- composing ----------------------------------------------------------------------------------
def _recipient(outbound: Outbound, delivery: Delivery) -> dict:
    if delivery.recipient == COORDINATOR:
        if not outbound.organisation.coordinator_email:
            raise _Skip("no coordinator_email in the organisation's notification settings")
        return {"name": None, "email": outbound.organisation.coordinator_email, "timezone": "UTC", "role": None,
                "channels": {"email": True, "sms": False}}
    contact = outbound.contacts.get(delivery.recipient)
    if contact is None:
        raise _Skip("person unknown or erased")
    return contact


def _values(settings: Settings, outbound: Outbound, delivery: Delivery, contact: dict) -> dict:
    tz = contact.get("timezone") or "UTC"
    values = {key: value for key, value in (delivery.values or {}).items()}
    for key in TIME_VALUES:
        if values.get(key):
            values[key] = local_time(values[key], tz)
    values.update(recipient_name=contact.get("name") or "coordinator", organisation=outbound.organisation_name,
                  app_url=settings.EMENTOR_PUBLIC_URL.rstrip("/"))
    spec = templates.KINDS[delivery.kind]
    if spec.about_other:
        other = outbound.contacts.get(delivery.about or "") or {}
        role = values.get("other_role") or {"mentor": "mentee", "mentee": "mentor"}.get(contact.get("role"), "match")
        values["other_role"] = role
        values["other_name"] = other.get("name") or f"your {role}"
    for value_name, person_id in (delivery.names or {}).items():
        values[value_name] = (outbound.contacts.get(person_id) or {}).get("name") or "a former member"
    return values


def local_time(iso: str, tz: str) -> str:
    """'Tue 4 Mar 2025, 16:00 GMT' in the person's own time zone."""
    moment = datetime.fromisoformat(iso).astimezone(domain.zone(tz))
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} {moment.tzname()}"


def _compose_email(settings: Settings, outbound: Outbound, delivery: Delivery, now: datetime) -> tuple[Envelope, str]:
    contact = _recipient(outbound, delivery)
    if delivery.recipient != COORDINATOR and not ((contact.get("channels") or {}).get("email") and contact.get("email")):
        raise _Skip("the person turned email notifications off")
    values = _values(settings, outbound, delivery, contact)
    overrides = _overrides(outbound.organisation, delivery.kind)
    rendered = templates.render_email(delivery.kind, values, overrides, outbound.organisation.sign_off)
    from_display, from_address = emails.sender_address(settings.SMTP_FROM)
    spec = templates.KINDS[delivery.kind]
    calendar = None
    if spec.calendar:
        raw = delivery.values
        calendar = emails.calendar_invite(
            session_id=raw["session_id"], sequence=int(raw.get("sequence") or 0), method=spec.calendar,
            starts_at=datetime.fromisoformat(raw["starts_at"]),
            ends_at=datetime.fromisoformat(raw["ends_at"]) if raw.get("ends_at") else None,
            summary=f"Mentoring session with {values['other_name']}",
            description=f"Your {outbound.organisation_name} mentoring session. Open ementor to join: {values['app_url']}",
            organizer=(outbound.organisation_name, from_address), attendee=(contact.get("name"), contact["email"]),
            stamp=now,
        )
    data = emails.build_email(
        from_name=f"{outbound.organisation_name} via {from_display or 'ementor'}", from_address=from_address,
        to_name=contact.get("name"), to_address=contact["email"], subject=rendered.subject, text=rendered.text,
        html=rendered.html, message_id=emails.message_id(delivery.id, from_address),
        headers={"X-Ementor-Notification": delivery.id, "X-Ementor-Event": delivery.cause_event_id},
        calendar=calendar, calendar_method=spec.calendar, date=now,
    )
    return Envelope(sender=from_address, recipient=contact["email"], data=data), rendered.subject


def _compose_sms(settings: Settings, outbound: Outbound, delivery: Delivery, now: datetime) -> dict:
    if outbound.policy is None or not outbound.policy.configured:
        raise domain.SendFailure("SMS is not configured on this deployment (Twilio credentials and a sender)",
                                 permanent=True)
    contact = _recipient(outbound, delivery)
    if not domain.sms_allowed(contact, outbound.policy):
        reason = ("SMS to people under 18 is not allowed by the organisation" if contact.get("is_minor")
                  else "the person turned SMS notifications off or has no phone number")
        raise _Skip(reason)
    quiet = contact.get("quiet_hours") or {}
    until = domain.quiet_hours_end(now, contact.get("timezone"), quiet.get("start", "00:00"), quiet.get("end", "00:00"))
    if until is not None:
        raise _Defer(until)
    values = _values(settings, outbound, delivery, contact)
    body = templates.render_sms(delivery.kind, values, _overrides(outbound.organisation, delivery.kind))
    callback = (f"{settings.EMENTOR_PUBLIC_URL.rstrip('/')}/v1/notifications/twilio/status"
                f"?tenant={delivery.tenant_id}&notification={delivery.id}")
    return {"to": contact["phone"], "body": body, "from_number": outbound.organisation.sms_from
            or settings.TWILIO_FROM_NUMBER, "messaging_service_sid": outbound.organisation.messaging_service_sid,
            "status_callback": callback}


def _overrides(organisation: OrganisationSettings, kind: str) -> dict:
    override = (organisation.templates or {}).get(kind)
    if override is None:
        return {}
    return {part: getattr(override, part) for part in templates.PARTS if getattr(override, part, None)}


# -- Twilio status callbacks --------------------------------------------------------------------
STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3,
               "failed": 3, "canceled": 3, "read": 4}


def twilio_status(repo: NotificationsRepository, settings: Settings, gateway: SmsGateway | None, request) -> None:
    """Apply a status callback from Twilio after checking it really comes from Twilio."""
    if gateway is None:
        raise NotFound("SMS is not configured on this deployment")
    url = settings.EMENTOR_PUBLIC_URL.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    params = request.form.to_dict()
    if not gateway.signature_valid(url, params, request.headers.get("X-Twilio-Signature")):
        raise Forbidden("the X-Twilio-Signature does not match this request", code="invalid_signature")
    tenant_id, notification_id = request.args.get("tenant"), request.args.get("notification")
    delivery = repo.delivery(tenant_id, notification_id) if tenant_id and notification_id else None
    sid, status = params.get("MessageSid"), (params.get("MessageStatus") or "").lower()
    if delivery is None or delivery.channel != domain.SMS:
        log.info("Twilio status %s for unknown notification %s (erased?)", status, notification_id)
        return
    if delivery.provider_id != sid:
        log.warning("Twilio status %s for %s names message %s, but the notification holds %s", status,
                    notification_id, sid, delivery.provider_id)
        return
    if STATUS_RANK.get(status, -1) < STATUS_RANK.get(delivery.provider_status or "queued", 0):
        return  # an older status arriving late
    delivery.provider_status = status
    if status in ("delivered", "read") and delivery.status == "sent":
        delivery.status = "delivered"
    elif status in ("undelivered", "failed") and delivery.status in ("sent", "delivered"):
        error_code = params.get("ErrorCode")
        delivery.status = "failed"
        delivery.last_error = f"Twilio reported the SMS {status}" + (f" (error {error_code})" if error_code else "")
        delivery.record(NotificationFailed(**_identity(delivery), error=delivery.last_error, permanent=True))
        NOTIFICATIONS.labels(delivery.channel, "undelivered").inc()
    repo.save(delivery)


# -- the delivery log ---------------------------------------------------------------------------
def list_deliveries(repo: NotificationsRepository, auth: Principal, query: schemas.DeliveryQuery) -> schemas.DeliveryList:
    recipient = query.person_id
    if auth.is_person:
        if recipient is None:
            recipient = auth.person_id
        elif recipient != auth.person_id:
            raise Forbidden("a person may only see their own notifications", code="not_your_notifications")
    items = repo.deliveries(auth.tenant_id, recipient=recipient, status=query.status, limit=query.limit + 1,
                            before=query.cursor)
    page, next_cursor = items[: query.limit], (items[query.limit - 1].id if len(items) > query.limit else None)
    return schemas.DeliveryList(items=[delivery_view(d) for d in page], next_cursor=next_cursor)


def delivery_view(delivery: Delivery) -> schemas.DeliveryView:
    return schemas.DeliveryView(
        id=delivery.id, person_id=delivery.recipient, channel=delivery.channel, kind=delivery.kind,
        status=delivery.status, subject=delivery.subject, cause_event_id=delivery.cause_event_id,
        cause_event_type=delivery.cause_event_type, attempts=delivery.attempts, last_error=delivery.last_error,
        provider_status=delivery.provider_status, created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if delivery.status in ("pending", "deferred") else None,
        sent_at=delivery.sent_at,
    )


# -- settings -----------------------------------------------------------------------------------
def settings_view(organisation: OrganisationSettings) -> schemas.NotificationSettingsView:
    return schemas.NotificationSettingsView(
        coordinator_email=organisation.coordinator_email, organisation_name=organisation.organisation_name,
        sign_off=organisation.sign_off, sms_from=organisation.sms_from,
        messaging_service_sid=organisation.messaging_service_sid,
        allow_sms_to_minors=organisation.allow_sms_to_minors, nudge_after_days=organisation.nudge_after_days,
        escalate_after_days=organisation.escalate_after_days,
        templates={kind: schemas.TemplateOverride(**{p: getattr(o, p) for p in templates.PARTS})
                   for kind, o in (organisation.templates or {}).items()},
        updated_at=organisation.updated_at,
    )


def update_settings(repo: NotificationsRepository, tenant_id: str,
                    body: schemas.NotificationSettings) -> OrganisationSettings:
    problems = []
    for kind, override in body.templates.items():
        for part in templates.PARTS:
            source = getattr(override, part)
            if source is None:
                continue
            try:
                templates.check_override(kind, part, source)
            except templates.TemplateError as exc:
                problems.append({"field": f"templates.{kind}.{part}", "message": str(exc)})
    if body.sign_off is not None:
        sign_off = Template(body.sign_off)
        unknown = set(sign_off.get_identifiers()) - {"organisation"}
        if not sign_off.is_valid() or unknown:
            problems.append({"field": "sign_off",
                             "message": "the sign-off may use $organisation only; write $$ for a dollar sign"})
    if problems:
        raise Unprocessable("; ".join(p["message"] for p in problems[:3]), details=problems)
    organisation = repo.settings(tenant_id)
    for field_name in ("coordinator_email", "organisation_name", "sign_off", "sms_from", "messaging_service_sid",
                       "allow_sms_to_minors", "nudge_after_days", "escalate_after_days"):
        setattr(organisation, field_name, getattr(body, field_name))
    organisation.templates = {
        kind: TemplateOverride(**{p: getattr(o, p) for p in templates.PARTS if getattr(o, p) is not None})
        for kind, o in body.templates.items()
    }
    repo.save_settings(organisation)
    return organisation

