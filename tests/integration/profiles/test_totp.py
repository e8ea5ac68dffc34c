"""The staff second factor (TOTP), required per organisation: enrolment, sign-in by link then a
code, replayed codes, recovery codes and the limit on wrong codes; real SMTP and RabbitMQ."""

from __future__ import annotations

import time

import pyotp
import pytest

from services.profiles.service import ProfilesService

from .accounts_support import link_token
from .conftest import mentee

pytestmark = pytest.mark.integration


@pytest.fixture
def profiles(start_services, mail_settings):
    return start_services(ProfilesService, settings_override=mail_settings.model_copy(update={
        "EMENTOR_PUBLIC_URL": "https://app.ementor.test"}))


@pytest.fixture
def org(profiles, api):
    created = api.create_organisation("northside")
    token = api.coordinator_token(created["api_key"])
    staff = api.post("/v1/staff", token, json={"name": "Priya Shah", "email": "priya@northside.org",
                                               "role": "admin"}).json()
    required = api.request("PUT", "/v1/sign-in-options/totp", token, json={"staff_required": True})
    assert required.status_code == 200 and required.json()["staff_totp_required"] is True
    return {**created, "token": token, "staff": staff}


def first_factor(api, smtp, email: str = "priya@northside.org"):
    """Sign in by emailed link: the answer to completing it."""
    before = len(smtp.messages)
    assert api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": email}).status_code == 202
    return api.post("/v1/auth/sign-in/complete", json={"token": link_token(smtp, email, after=before)})


def enrolled(api, smtp) -> tuple[pyotp.TOTP, list[str], str]:
    """Enrol Priya's authenticator: (the app, recovery codes, the code used to confirm)."""
    step = first_factor(api, smtp).json()
    enrolment = api.post("/v1/auth/totp/enrol", json={"challenge": step["challenge"]}).json()
    app = pyotp.TOTP(enrolment["secret"])
    code = app.now()
    confirmed = api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"], "code": code})
    assert confirmed.status_code == 200, confirmed.text
    return app, confirmed.json()["recovery_codes"], code


def test_staff_enrol_then_every_sign_in_asks_for_a_code_before_the_session(api, org, smtp):
    step = first_factor(api, smtp)
    assert step.status_code == 202, step.text
    assert step.json()["second_factor"] == "totp_enrolment" and "access_token" not in step.text
    assert "ementor_session" not in step.headers.get("Set-Cookie", "")
    enrolment = api.post("/v1/auth/totp/enrol", json={"challenge": step.json()["challenge"]}).json()
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/ementor:") and enrolment["secret"] in \
        enrolment["otpauth_uri"]
    app = pyotp.TOTP(enrolment["secret"])
    wrong = api.post("/v1/auth/totp/verify", json={"challenge": step.json()["challenge"], "code": "000000"
                                                   if app.now() != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "totp_code_invalid"
    confirmed = api.post("/v1/auth/totp/verify", json={"challenge": step.json()["challenge"], "code": app.now()})
    assert confirmed.status_code == 200 and len(confirmed.json()["recovery_codes"]) == 10
    assert "ementor_session=" in confirmed.headers["Set-Cookie"]
    me = api.get("/v1/me", confirmed.json()["access_token"]).json()
    assert (me["role"], me["staff_id"]) == ("admin", org["staff"]["id"])

    later = first_factor(api, smtp)
    assert later.status_code == 202 and later.json()["second_factor"] == "totp"
    signed_in = api.post("/v1/auth/totp/verify", json={"challenge": later.json()["challenge"],
                                                       "code": app.at(time.time() + 30)})
    assert signed_in.status_code == 200 and signed_in.json()["recovery_codes"] is None
    used = api.post("/v1/auth/totp/verify", json={"challenge": later.json()["challenge"],
                                                  "code": app.at(time.time() + 30)})
    assert used.status_code == 400 and used.json()["error"]["code"] == "totp_challenge_used"


def test_a_code_used_once_is_refused_the_second_time(api, org, smtp):
    app, _, code = enrolled(api, smtp)
    step = first_factor(api, smtp).json()
    replay = api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"], "code": code})
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "totp_code_used"
    assert api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"],
                                                  "code": app.at(time.time() + 30)}).status_code == 200


def test_a_recovery_code_signs_in_once(api, org, smtp):
    _, recovery, _ = enrolled(api, smtp)
    step = first_factor(api, smtp).json()
    assert api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"],
                                                  "recovery_code": recovery[0]}).status_code == 200
    step = first_factor(api, smtp).json()
    again = api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"], "recovery_code": recovery[0]})
    assert again.status_code == 400 and again.json()["error"]["code"] == "totp_recovery_code_invalid"


def test_wrong_codes_are_limited_even_for_the_right_one_after(api, org, smtp):
    app, _, _ = enrolled(api, smtp)
    step = first_factor(api, smtp).json()
    right = app.at(time.time() + 30)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(5):
        refused = api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"], "code": wrong})
        assert refused.status_code == 400
    limited = api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"], "code": right})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_an_admin_resets_a_lost_authenticator_and_people_are_never_asked(api, org, smtp):
    enrolled(api, smtp)
    assert api.delete(f"/v1/staff/{org['staff']['id']}/totp", org["token"]).status_code == 204
    assert first_factor(api, smtp).json()["second_factor"] == "totp_enrolment"
    api.post("/v1/people", org["token"], json=mentee())
    assert first_factor(api, smtp, "jamie@example.org").status_code == 200, "mentors and mentees: no second factor"
    api.request("PUT", "/v1/sign-in-options/totp", org["token"], json={"staff_required": False})
    assert first_factor(api, smtp).status_code == 200
