"""One delivery attempt (to the webhook read when it was claimed) and its consequences, with a fake
repository and a fake HTTP client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.integrations import domain
from services.integrations.documents import ACTIVE, DISABLED, Delivery, Webhook
from services.integrations.sender import Response, TransportError, WebhookSender

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
LAB = domain.TargetPolicy(allow_private=True, allow_http=True)
PRODUCTION = domain.TargetPolicy(allow_private=False, allow_http=False)


class FakeRepository:
    def __init__(self, webhook: Webhook | None):
        self.hook = webhook
        self.attempts: list[dict] = []
        self.cancelled: list[str] = []

    def record_attempt(self, delivery, **attempt):
        self.attempts.append(attempt)

    def cancel_delivery(self, delivery, reason, now):
        self.cancelled.append(reason)

    def disable_webhook(self, tenant_id, webhook_id, reason, now):
        self.hook.status, self.hook.disabled_reason = DISABLED, reason


class FakeReceiver:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.posts: list[tuple[str, bytes, dict]] = []

    def __call__(self, url, body, headers):
        self.posts.append((url, body, headers))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def webhook(url="https://hooks.example.org/in") -> Webhook:
    return Webhook(id="wh1", tenant_id="org1", url=url, event_types=["*"], secret=SECRET, status=ACTIVE)


def delivery(attempts: int = 0) -> Delivery:
    return Delivery(
        id="d1",
        tenant_id="org1",
        webhook_id="wh1",
        event_id="evt-1",
        event_type="MatchAccepted",
        body='{"id":"evt-1"}',
        attempts=attempts,
    )


def sender(repo, receiver, policy=LAB, dns=("93.184.215.14",)) -> WebhookSender:
    return WebhookSender(
        repo,
        receiver,
        policy,
        resolver=lambda host, port: list(dns),
        clock=lambda: NOW,
        unix_time=lambda: 1614265330,
    )


def test_a_delivery_is_posted_signed_and_recorded():
    repo, receiver = FakeRepository(webhook()), FakeReceiver(Response(204))
    assert sender(repo, receiver).attempt(delivery(), repo.hook) == "succeeded"
    [(url, body, headers)] = receiver.posts
    assert url == "https://hooks.example.org/in" and body == b'{"id":"evt-1"}'
    assert headers["webhook-id"] == "evt-1" and headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-signature"] == domain.sign(SECRET, "evt-1", 1614265330, body)
    assert repo.attempts[0]["status"] == "succeeded" and repo.attempts[0]["next_attempt_at"] is None


def test_a_failed_attempt_is_retried_later_and_a_timeout_says_so():
    repo = FakeRepository(webhook())
    receiver = FakeReceiver(Response(500), TransportError("timed out after 10s"))
    send = sender(repo, receiver)
    assert send.attempt(delivery(0), repo.hook) == "pending"
    assert send.attempt(delivery(1), repo.hook) == "pending"
    first, second = repo.attempts
    assert first["error"] == "HTTP 500" and timedelta(seconds=4) <= first[
        "next_attempt_at"
    ] - NOW <= timedelta(seconds=6)
    assert second["error"] == "timed out after 10s" and second["status_code"] is None
    assert second["next_attempt_at"] - NOW >= timedelta(minutes=4)
    assert repo.hook.status == ACTIVE


def test_the_last_failed_retry_disables_the_endpoint():
    repo = FakeRepository(webhook())
    last = delivery(attempts=domain.max_attempts() - 1)
    assert sender(repo, FakeReceiver(Response(502))).attempt(last, repo.hook) == "failed"
    assert repo.attempts[0]["status"] == "failed"
    assert repo.hook.status == DISABLED and "10 attempts" in repo.hook.disabled_reason


def test_410_gone_disables_the_endpoint_at_once():
    repo = FakeRepository(webhook())
    assert sender(repo, FakeReceiver(Response(410))).attempt(delivery(), repo.hook) == "failed"
    assert repo.hook.status == DISABLED and "410" in repo.hook.disabled_reason


def test_a_name_re_pointed_at_a_private_address_is_not_contacted():
    repo, receiver = FakeRepository(webhook()), FakeReceiver()
    result = sender(repo, receiver, policy=PRODUCTION, dns=("10.0.0.8",)).attempt(delivery(), repo.hook)
    assert result == "pending" and receiver.posts == []
    assert "refused target" in repo.attempts[0]["error"]


def test_a_delivery_of_a_deleted_or_disabled_webhook_is_cancelled_unsent():
    receiver = FakeReceiver()
    repo = FakeRepository(None)
    assert sender(repo, receiver).attempt(delivery(), repo.hook) == "cancelled"
    disabled = webhook()
    disabled.status = DISABLED
    repo = FakeRepository(disabled)
    assert sender(repo, receiver).attempt(delivery(), repo.hook) == "cancelled"
    assert receiver.posts == []
