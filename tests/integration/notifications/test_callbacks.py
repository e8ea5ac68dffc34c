"""Twilio's status callbacks update the delivery log, and only when Twilio really signed them."""

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted
from twilio.request_validator import RequestValidator

from tests.integration.notifications._publish import publish
from tests.integration.notifications.conftest import PUBLIC_URL

pytestmark = pytest.mark.integration


def test_status_callbacks_need_a_valid_signature(org, amqp_uri, events, twilio, api):
    mentor, mentee = org.person("Ada Lovelace", "mentor", sms=True), org.person("Bob Smith")
    publish(amqp_uri, MatchAccepted(match_id=str(ObjectId()), mentor_id=mentor["id"], mentee_id=mentee["id"]), org.id)
    events.wait_for("NotificationSent", lambda e: e.data["channel"] == "sms")
    [sms] = twilio.to(mentor["phone"])
    # Twilio calls the public URL (behind the proxy); the request reaches the service's own address.
    assert sms.status_callback.startswith(PUBLIC_URL)
    path = sms.status_callback[len(PUBLIC_URL):]
    validator = RequestValidator(twilio.auth_token)

    def callback(status: str, signature: str | None = None, signed_params: dict | None = None, **extra):
        params = {"AccountSid": twilio.account_sid, "MessageSid": sms.sid, "MessageStatus": status,
                  "To": sms.to, "From": sms.from_, **extra}
        if signature is None:
            signature = validator.compute_signature(sms.status_callback, signed_params or params)
        return api.post(path, data=params, headers={"X-Twilio-Signature": signature} if signature else {})

    def entry() -> dict:
        [found] = [d for d in org.log(mentor["id"]) if d["channel"] == "sms"]
        return found

    forged = callback("delivered", signature="bm90IHR3aWxpbw==")
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "invalid_signature"
    assert callback("delivered", signature="").status_code == 403  # no signature at all
    tampered = callback("delivered", signed_params={"MessageSid": sms.sid, "MessageStatus": "queued"})
    assert tampered.status_code == 403
    assert (entry()["status"], entry()["provider_status"]) == ("sent", None)

    assert callback("delivered").status_code == 204
    assert (entry()["status"], entry()["provider_status"]) == ("delivered", "delivered")
    assert callback("sent").status_code == 204  # an older status arriving late changes nothing
    assert entry()["provider_status"] == "delivered"

    # A carrier failure reported afterwards fails the notification, once, permanently.
    assert callback("undelivered", ErrorCode="30003").status_code == 204
    failed = events.wait_for("NotificationFailed")
    assert failed[0].data["permanent"] is True and "error 30003" in failed[0].data["error"]
    assert (entry()["status"], entry()["last_error"]) == ("failed", "Twilio reported the SMS undelivered (error 30003)")
