"""Standard Webhooks signatures: the published test vector, and what a receiver checks."""

from __future__ import annotations

import base64

import pytest

from services.integrations import domain

pytestmark = pytest.mark.unit

# The test vector published with the Standard Webhooks reference libraries.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(signature: str, timestamp: int = VECTOR_TIMESTAMP, message_id: str = VECTOR_ID) -> dict:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_the_standard_webhooks_test_vector_is_reproduced_exactly():
    assert domain.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_the_signed_content_is_id_dot_timestamp_dot_body():
    assert domain.signed_content(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == (
        b'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}'
    )


def test_a_receiver_accepts_the_vector_and_rejects_any_change():
    domain.verify(VECTOR_SECRET, headers(VECTOR_SIGNATURE), VECTOR_BODY, now=VECTOR_TIMESTAMP + 10)
    # Several signatures may be sent (key rotation): one match is enough.
    domain.verify(
        VECTOR_SECRET, headers("v1,bm9wZQ== " + VECTOR_SIGNATURE), VECTOR_BODY, now=VECTOR_TIMESTAMP
    )
    tampered = [
        (VECTOR_SECRET, headers(VECTOR_SIGNATURE), b'{"test": 2432232315}'),
        (VECTOR_SECRET, headers(VECTOR_SIGNATURE, message_id="msg_other"), VECTOR_BODY),
        (VECTOR_SECRET, headers(VECTOR_SIGNATURE, timestamp=VECTOR_TIMESTAMP + 1), VECTOR_BODY),
        (domain.new_secret(), headers(VECTOR_SIGNATURE), VECTOR_BODY),
    ]
    for secret, sent, body in tampered:
        with pytest.raises(domain.InvalidSignature):
            domain.verify(secret, sent, body, now=VECTOR_TIMESTAMP)


def test_a_replayed_old_delivery_is_rejected_by_its_timestamp():
    with pytest.raises(domain.InvalidSignature, match="away from now"):
        domain.verify(VECTOR_SECRET, headers(VECTOR_SIGNATURE), VECTOR_BODY, now=VECTOR_TIMESTAMP + 301)


def test_new_secrets_are_whsec_base64_of_32_random_bytes():
    first, second = domain.new_secret(), domain.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert domain.secret_key(first) == base64.b64decode(first[len("whsec_") :])
