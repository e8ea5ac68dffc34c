"""The notifications API's use cases: the delivery log and the organisation's settings.

The other jobs have their own modules: planning.py (who hears what), delivery.py (the delivery
loop), composing.py (email and SMS bodies), sms_callbacks.py (Twilio's status reports).
"""

from __future__ import annotations

from string import Template

from ementor.platform.errors import Forbidden, Invalid
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal

from . import schemas, templates
from .documents import Delivery, OrganisationSettings, TemplateOverride
from .repository import NotificationsRepository


def list_deliveries(repo: NotificationsRepository, auth: Principal, query: schemas.DeliveryQuery) -> schemas.DeliveryList:
    recipient = query.person_id
    if auth.is_person:
        if recipient is None:
            recipient = auth.person_id
        elif recipient != auth.person_id:
            raise Forbidden("a person may only see their own notifications", code="not_your_notifications")
    items = repo.deliveries(auth.tenant_id, recipient=recipient, status=query.status, limit=query.limit + 1,
                            before=query.cursor)
    return page_of(schemas.DeliveryList, items, query.limit, delivery_view)


def delivery_view(delivery: Delivery) -> schemas.DeliveryView:
    return schemas.DeliveryView(
        id=delivery.id, person_id=delivery.recipient, channel=delivery.channel, kind=delivery.kind,
        status=delivery.status, subject=delivery.subject, cause_event_id=delivery.cause_event_id,
        cause_event_type=delivery.cause_event_type, attempts=delivery.attempts, last_error=delivery.last_error,
        skip_code=delivery.skip_code,
        provider_status=delivery.provider_status, created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if delivery.status in ("pending", "deferred") else None,
        sent_at=delivery.sent_at,
    )


def settings_view(organisation: OrganisationSettings) -> schemas.NotificationSettingsView:
    return schemas.NotificationSettingsView(
        coordinator_email=organisation.coordinator_email, organisation_name=organisation.organisation_name,
        sign_off=organisation.sign_off, sms_from=organisation.sms_from,
        messaging_service_sid=organisation.messaging_service_sid,
        allow_sms_to_minors=organisation.allow_sms_to_minors, nudge_after_days=organisation.nudge_after_days,
        escalate_after_days=organisation.escalate_after_days, message_notice_minutes=organisation.message_notice_minutes,
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
        raise Invalid("; ".join(p["message"] for p in problems[:3]), details=problems)
    organisation = repo.settings(tenant_id)
    for field_name in ("coordinator_email", "organisation_name", "sign_off", "sms_from", "messaging_service_sid",
                       "allow_sms_to_minors", "nudge_after_days", "escalate_after_days", "message_notice_minutes"):
        setattr(organisation, field_name, getattr(body, field_name))
    organisation.templates = {
        kind: TemplateOverride(**{p: getattr(o, p) for p in templates.PARTS if getattr(o, p) is not None})
        for kind, o in body.templates.items()
    }
    repo.save_settings(organisation)
    return organisation

