"""Twilio's status callbacks: a sent SMS later reported delivered, undelivered or failed."""

from __future__ import annotations

import logging

from ementor_contracts import NotificationFailed

from ementor.platform.errors import Forbidden, NotFound
from ementor.platform.settings import NotificationsSettings

from . import domain
from .delivery import NOTIFICATIONS, identity
from .repository import NotificationsRepository
from .sms import SmsGateway

log = logging.getLogger(__name__)


def twilio_status(repo: NotificationsRepository, settings: NotificationsSettings, gateway: SmsGateway | None, request) -> None:
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
    new_status = domain.after_sms_report(delivery.status, delivery.provider_status, status)
    if new_status is None:
        return  # an older status arriving late
    delivery.provider_status = status
    if new_status == "failed" and delivery.status != "failed":
        error_code = params.get("ErrorCode")
        delivery.last_error = f"Twilio reported the SMS {status}" + (f" (error {error_code})" if error_code else "")
        delivery.record(NotificationFailed(**identity(delivery), error=delivery.last_error, permanent=True))
        NOTIFICATIONS.labels(delivery.channel, "undelivered").inc()
    delivery.status = new_status
    repo.save(delivery)
