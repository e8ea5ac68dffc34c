"""Oracle: the `standardwebhooks` reference package verifies ementor's webhook signatures, and ementor its."""

import json
import time
from datetime import UTC, datetime

import pytest
from ementor_contracts import ProfileCreated, to_cloudevent
from ementor_contracts.catalogue import example_event
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.integrations import domain
from services.integrations.sender import WebhookSender

pytestmark = pytest.mark.unit


def delivery_body() -> bytes:
    """A webhook body as the sender posts it: a CloudEvent, here with non-ASCII text in it."""
    event = example_event(ProfileCreated).model_copy(update={"interests": ["música", "robotics"]})
    return to_cloudevent(event, "org-1").model_dump_json(exclude_none=True).encode()


def ementor_headers(secret: str, body: bytes, message_id: str = "evt-1") -> dict[str, str]:
    sender = WebhookSender(repo=None, post=None, policy=None)  # only signing is used here
    return sender.headers(secret, message_id, body)


def test_the_reference_package_verifies_what_ementor_sends():
    secret, body = domain.new_secret(), delivery_body()
    payload = Webhook(secret).verify(body, ementor_headers(secret, body))
    assert payload == json.loads(body)


def test_the_reference_package_refuses_a_changed_body_id_or_secret():
    secret, body = domain.new_secret(), delivery_body()
    headers = ementor_headers(secret, body)
    for verifier, sent, content in (
        (Webhook(secret), headers, body.replace(b"robotics", b"robotic")),
        (Webhook(secret), {**headers, "webhook-id": "evt-2"}, body),
        (Webhook(domain.new_secret()), headers, body),
    ):
        with pytest.raises(WebhookVerificationError):
            verifier.verify(content, sent)


def test_ementor_verifies_what_the_reference_package_signs():
    secret, body = domain.new_secret(), delivery_body()
    now = datetime.now(UTC).replace(microsecond=0)
    signature = Webhook(secret).sign("evt-9", now, body.decode())
    headers = {"webhook-id": "evt-9", "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}
    domain.verify(secret, headers, body, now=time.time())
    with pytest.raises(domain.InvalidSignature):
        domain.verify(secret, {**headers, "webhook-id": "evt-10"}, body, now=time.time())
