"""One webhook delivery attempt and what follows from its outcome. No nameko here.

The attempt is signed afresh (new timestamp, same webhook-id); 2xx finishes the delivery, 410
disables the endpoint, anything else (an error status, a timeout, a refused connection, a
target that now resolves to a private address) schedules the next retry, and running out of
retries disables the endpoint too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter, Histogram

from . import domain
from .documents import ACTIVE, CANCELLED, FAILED, PENDING, SUCCEEDED, Delivery, Webhook, utcnow
from .repository import IntegrationsRepository

log = logging.getLogger(__name__)

ATTEMPTS = Counter("ementor_webhook_attempts_total", "Webhook delivery attempts by outcome", ["outcome"])
ATTEMPT_SECONDS = Histogram(
    "ementor_webhook_attempt_seconds",
    "Duration of webhook delivery attempts",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DISABLED_ENDPOINTS = Counter("ementor_webhooks_disabled_total", "Webhook endpoints disabled", ["reason"])

USER_AGENT = "ementor-webhooks/1 (+https://www.standardwebhooks.com)"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status_code: int
    retry_after: str | None = None


class TransportError(Exception):
    """No HTTP answer: timeout, refused connection, TLS failure. The message is shown in the log."""


# post(url, body, headers) -> Response, raising TransportError
Post = Callable[[str, bytes, dict[str, str]], Response]


class WebhookSender:
    def __init__(
        self,
        repo: IntegrationsRepository,
        post: Post,
        policy: domain.TargetPolicy,
        *,
        schedule: tuple[timedelta, ...] = domain.RETRY_SCHEDULE,
        resolver: domain.Resolver = domain.resolve,
        clock: Callable[[], datetime] = utcnow,
        unix_time: Callable[[], float] = time.time,
    ):
        self.repo = repo
        self.post = post
        self.policy = policy
        self.schedule = schedule
        self.resolver = resolver
        self.clock = clock
        self.unix_time = unix_time

    def headers(self, secret: str, message_id: str, body: bytes) -> dict[str, str]:
        timestamp = int(self.unix_time())
        return {
            "content-type": CONTENT_TYPE,
            "user-agent": USER_AGENT,
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": domain.sign(secret, message_id, timestamp, body),
        }

    def attempt(self, delivery: Delivery, webhook: Webhook | None) -> str:
        """Make one attempt to `webhook` (as read when the delivery was claimed; None when it was
        deleted); return the delivery's status afterwards."""
        if webhook is None or webhook.status != ACTIVE:
            self.repo.cancel_delivery(delivery, "endpoint deleted or disabled", self.clock())
            return CANCELLED
        body = delivery.body.encode()
        started = time.monotonic()
        status_code, error, retry_after = None, None, None
        try:
            domain.check_target(webhook.url, self.policy, self.resolver)
            response = self.post(webhook.url, body, self.headers(webhook.secret, delivery.event_id, body))
            status_code, retry_after = response.status_code, domain.parse_retry_after(response.retry_after)
        except domain.InvalidWebhook as exc:
            error = f"refused target: {exc}"
        except TransportError as exc:
            error = str(exc)
        duration = time.monotonic() - started
        duration_ms = int(duration * 1000)
        ATTEMPT_SECONDS.observe(duration)
        now = self.clock()
        if error is None and not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
        result = domain.outcome(status_code)
        record = {"at": now, "status_code": status_code, "error": error, "duration_ms": duration_ms}
        ATTEMPTS.labels(_metric_outcome(result, error)).inc()
        if result == domain.SUCCEEDED:
            self.repo.record_attempt(delivery, **record, next_attempt_at=None, status=SUCCEEDED)
            return SUCCEEDED
        if result == domain.GONE:
            self.repo.record_attempt(delivery, **record, next_attempt_at=None, status=FAILED)
            self.repo.disable_webhook(
                delivery.tenant_id,
                delivery.webhook_id,
                "the receiver answered 410 Gone: it no longer accepts deliveries",
                now,
            )
            DISABLED_ENDPOINTS.labels("gone").inc()
            log.info("webhook %s of %s disabled: 410 Gone", delivery.webhook_id, delivery.tenant_id)
            return FAILED
        attempts_made = delivery.attempts + 1
        delay = domain.retry_delay(attempts_made, self.schedule, retry_after=retry_after)
        if delay is None:
            self.repo.record_attempt(delivery, **record, next_attempt_at=None, status=FAILED)
            reason = f"{attempts_made} attempts to deliver event {delivery.event_id} failed (last: {error})"
            self.repo.disable_webhook(delivery.tenant_id, delivery.webhook_id, reason, now)
            DISABLED_ENDPOINTS.labels("failing").inc()
            log.info("webhook %s of %s disabled: %s", delivery.webhook_id, delivery.tenant_id, reason)
            return FAILED
        self.repo.record_attempt(delivery, **record, next_attempt_at=now + delay, status=PENDING)
        return PENDING


def _metric_outcome(result: str, error: str | None) -> str:
    if result != domain.RETRY:
        return result
    return "timeout" if error and error.startswith("timed out") else "failed"
