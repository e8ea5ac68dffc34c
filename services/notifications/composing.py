"""Composing: one claimed delivery rendered as an email envelope or an SMS request.

Raises `Skip` when the delivery should not go out at all (preferences, an erased person) and
`Defer` when it should go out later (quiet hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ementor_contracts import COORDINATOR

from ementor.platform.settings import NotificationsSettings

from . import domain, emails, templates, templates_es
from .documents import Delivery, OrganisationSettings
from .smtp_pool import Envelope

TIME_VALUES = ("starts_at", "ends_at", "previous_starts_at")


@dataclass
class Outbound:
    """What the sender needs for one organisation in one round."""

    tenant_id: str
    contacts: dict
    organisation: OrganisationSettings
    organisation_name: str
    policy: domain.SmsPolicy


class Skip(Exception):
    """The delivery is not wanted: `code` (documents.SKIP_CODES) says why to people, in their language."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


class Defer(Exception):
    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


def recipient_of(outbound: Outbound, delivery: Delivery) -> dict:
    if delivery.recipient == COORDINATOR:
        if not outbound.organisation.coordinator_email:
            raise Skip("no_coordinator_email", "no coordinator_email in the organisation's notification settings")
        return {"name": None, "email": outbound.organisation.coordinator_email, "timezone": "UTC", "role": None,
                "channels": {"email": True, "sms": False}}
    contact = outbound.contacts.get(delivery.recipient)
    if contact is None:
        raise Skip("unknown_or_erased", "person unknown or erased")
    return contact


def template_values(settings: NotificationsSettings, outbound: Outbound, delivery: Delivery, contact: dict) -> dict:
    tz = contact.get("timezone") or "UTC"
    spanish = templates.language_of(contact.get("locale")) == "es"
    values = {key: value for key, value in (delivery.values or {}).items()}
    for key in TIME_VALUES:
        if values.get(key):
            values[key] = local_time(values[key], tz, contact.get("locale"))
    values.update(recipient_name=contact.get("name") or "coordinator", organisation=outbound.organisation_name,
                  app_url=settings.EMENTOR_PUBLIC_URL.rstrip("/"))
    spec = templates.KINDS[delivery.kind]
    if spec.about_other:
        other = outbound.contacts.get(delivery.about or "") or {}
        role = values.get("other_role") or {"mentor": "mentee", "mentee": "mentor"}.get(contact.get("role"), "match")
        if spanish:
            role = templates_es.ROLES_ES.get(role, role)
        values["other_role"] = role
        values["other_name"] = other.get("name") or (templates_es.YOUR_ES.format(role=role) if spanish else f"your {role}")
    for value_name, person_id in (delivery.names or {}).items():
        values[value_name] = (outbound.contacts.get(person_id) or {}).get("name") or "a former member"
    return values


def local_time(iso: str, tz: str, locale: str | None = None) -> str:
    """'Tue 4 Mar 2025, 16:00 GMT' (or 'martes 4 de marzo de 2025, 16:00 CET') in the person's own time zone
    and language."""
    moment = datetime.fromisoformat(iso).astimezone(domain.zone(tz))
    if templates.language_of(locale) == "es":
        day, month = templates_es.DAYS_ES[moment.weekday()], templates_es.MONTHS_ES[moment.month - 1]
        return f"{day} {moment.day} de {month} de {moment.year}, {moment:%H:%M} {moment.tzname()}"
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} {moment.tzname()}"


def compose_email(settings: NotificationsSettings, outbound: Outbound, delivery: Delivery, now: datetime) -> tuple[Envelope, str]:
    contact = recipient_of(outbound, delivery)
    if delivery.recipient != COORDINATOR and not ((contact.get("channels") or {}).get("email") and contact.get("email")):
        raise Skip("email_off", "the person turned email notifications off")
    values = template_values(settings, outbound, delivery, contact)
    overrides = overrides_of(outbound.organisation, delivery.kind)
    locale = contact.get("locale")
    rendered = templates.render_email(delivery.kind, values, overrides, outbound.organisation.sign_off, locale)
    from_display, from_address = emails.sender_address(settings.SMTP_FROM)
    spec = templates.KINDS[delivery.kind]
    calendar = None
    if spec.calendar:
        raw = delivery.values
        calendar = emails.calendar_invite(
            session_id=raw["session_id"], sequence=int(raw.get("sequence") or 0), method=spec.calendar,
            starts_at=datetime.fromisoformat(raw["starts_at"]),
            ends_at=datetime.fromisoformat(raw["ends_at"]) if raw.get("ends_at") else None,
            summary=(templates_es.SESSION_WITH_ES.format(name=values["other_name"])
                     if templates.language_of(locale) == "es" else f"Mentoring session with {values['other_name']}"),
            description=(templates_es.SESSION_DESCRIPTION_ES.format(organisation=outbound.organisation_name,
                                                                     app_url=values["app_url"])
                         if templates.language_of(locale) == "es"
                         else f"Your {outbound.organisation_name} mentoring session. Open ementor to join: {values['app_url']}"),
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


def compose_sms(settings: NotificationsSettings, outbound: Outbound, delivery: Delivery, now: datetime) -> dict:
    if outbound.policy is None or not outbound.policy.configured:
        raise domain.SendFailure("SMS is not configured on this deployment (Twilio credentials and a sender)",
                                 permanent=True)
    contact = recipient_of(outbound, delivery)
    if not domain.sms_allowed(contact, outbound.policy):
        if contact.get("is_minor"):
            raise Skip("minors_sms_off", "SMS to people under 18 is not allowed by the organisation")
        raise Skip("sms_off", "the person turned SMS notifications off or has no phone number")
    quiet = contact.get("quiet_hours") or {}
    until = domain.quiet_hours_end(now, contact.get("timezone"), quiet.get("start", "00:00"), quiet.get("end", "00:00"))
    if until is not None:
        raise Defer(until)
    values = template_values(settings, outbound, delivery, contact)
    body = templates.render_sms(delivery.kind, values, overrides_of(outbound.organisation, delivery.kind),
                                contact.get("locale"))
    callback = (f"{settings.EMENTOR_PUBLIC_URL.rstrip('/')}/v1/notifications/twilio/status"
                f"?tenant={delivery.tenant_id}&notification={delivery.id}")
    return {"to": contact["phone"], "body": body, "from_number": outbound.organisation.sms_from
            or settings.TWILIO_FROM_NUMBER, "messaging_service_sid": outbound.organisation.messaging_service_sid,
            "status_callback": callback}


def overrides_of(organisation: OrganisationSettings, kind: str) -> dict:
    override = (organisation.templates or {}).get(kind)
    if override is None:
        return {}
    return {part: getattr(override, part) for part in templates.PARTS if getattr(override, part, None)}
