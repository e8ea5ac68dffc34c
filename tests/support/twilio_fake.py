"""A local HTTP server that answers like Twilio's Messages API, for the real twilio client.

    twilio = TwilioServer(account_sid, auth_token).start()
    settings: TWILIO_BASE_URL=twilio.base_url, TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN as given
    twilio.fail_next(500)               # the next request gets a 500, the one after a 201
    twilio.reject_to("+447700900999")   # 400, Twilio error 21610: a permanent failure
    twilio.messages                     # what was accepted: to, from_, body, status_callback, form
    twilio.requests                     # every request: path, form fields, basic-auth user, answer
    twilio.send_status(sid, "delivered")  # a signed status callback, as Twilio posts it

It checks HTTP basic auth (401 otherwise), the path, and the form fields Twilio requires. The
server is ementor.devtools.catchers.TwilioFake (also the development stand-in).
"""

from __future__ import annotations

from ementor.devtools.catchers import FakeSms, TwilioFake, TwilioRequest

__all__ = ["FakeSms", "TwilioRequest", "TwilioServer"]

TEST_ACCOUNT_SID = "AC" + "1" * 32
TEST_AUTH_TOKEN = "test-twilio-auth-token-0123456789"


class TwilioServer(TwilioFake):
    def __init__(self, account_sid: str = TEST_ACCOUNT_SID, auth_token: str = TEST_AUTH_TOKEN, **kwargs):
        super().__init__(account_sid, auth_token, **kwargs)
