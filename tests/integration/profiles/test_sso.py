"""Single sign-on with OpenID Connect, against a real OpenID Provider (panva/oidc-provider) that
the tests start locally, and the real RabbitMQ."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests

from services.profiles.documents import Staff
from services.profiles.service import ProfilesService

from .conftest import mentee
from .sso_support import SECRETS, callback, configure, error_code, provider, round_trip, start

pytestmark = pytest.mark.integration


@pytest.fixture
def profiles(start_services, mail_settings):
    # The web app and the API share one origin (the cookies need it): the callback is on the public URL.
    return start_services(ProfilesService, settings_override=mail_settings.model_copy(update={
        "EMENTOR_PUBLIC_URL": f"http://{mail_settings.EMENTOR_HTTP_ADDRESS}"}))


@pytest.fixture
def op(api):
    with provider(api.base_url) as running:
        yield running


@pytest.fixture
def northside(profiles, api, op):
    created = api.create_organisation("northside")
    token = api.coordinator_token(created["api_key"])
    assert configure(api, token, op, "northside").status_code == 200
    assert api.post("/v1/people", token, json=mentee(email="jamie@example.org")).status_code == 201
    assert api.post("/v1/people", token, json=mentee(email="sam@example.org", name="Sam")).status_code == 201
    return {**created, "token": token}


def test_the_client_secret_is_stored_but_never_shown(api, northside, op):
    options = api.get("/v1/sign-in-options", northside["token"])
    assert options.status_code == 200
    shown = options.json()["sso"]
    assert shown["issuer"] == op.issuer and shown["client_id"] == "northside-app" and shown["client_secret_set"]
    assert shown["redirect_uri"] == f"{api.base_url}/v1/auth/sso/callback"
    assert SECRETS["northside"] not in options.text
    unreachable = api.request("PUT", "/v1/sign-in-options/sso", northside["token"], json={
        "issuer": "http://127.0.0.1:9", "client_id": "x", "client_secret": "y"})
    assert unreachable.status_code == 422 and error_code(unreachable) == "sso_issuer_unreachable"
    plain_http = api.request("PUT", "/v1/sign-in-options/sso", northside["token"], json={
        "issuer": "http://idp.example.org", "client_id": "x", "client_secret": "y"})
    assert plain_http.status_code == 422 and "https" in plain_http.text


def test_a_mentee_signs_in_through_the_provider_and_lands_in_the_web_app(api, northside, op):
    started = start(api, "northside", return_to="/matches?tab=current")
    sent = parse_qs(urlsplit(started.authorisation_url).query)
    assert started.authorisation_url.startswith(op.issuer)
    assert sent["code_challenge_method"] == ["S256"] and sent["state"] and sent["nonce"]
    landed = callback(op.sign_in(started.authorisation_url, "jamie", f"{api.base_url}/v1/auth/sso/callback"),
                      started.browser)
    assert landed.status_code == 302, landed.text
    assert landed.headers["Location"] == f"{api.base_url}/matches?tab=current"
    cookies = landed.headers["Set-Cookie"]
    assert "ementor_session=" in cookies and "ementor_csrf=" in cookies and "HttpOnly" in cookies
    me = api.get("/v1/me", landed.cookies["ementor_session"]).json()
    assert me["role"] == "mentee" and me["person_id"] and me["name"] == "Jamie"
    again = round_trip(api, op, "northside", "jamie")  # the second time the provider account is known by its sub
    assert again.status_code == 302 and api.get("/v1/me", again.cookies["ementor_session"]).json() == me


def test_a_member_of_staff_signs_in_and_is_named(api, northside, op):
    invited = api.post("/v1/staff", northside["token"], json={"name": "Priya Shah", "email": "priya@northside.org",
                                                              "role": "coordinator"}).json()
    landed = round_trip(api, op, "northside", "priya")
    assert landed.status_code == 302, landed.text
    me = api.get("/v1/me", landed.cookies["ementor_session"]).json()
    assert (me["role"], me["staff_id"], me["name"]) == ("coordinator", invited["id"], "Priya Shah")
    assert Staff.scoped(northside["id"], id=invited["id"]).first().status == "active", "signing in accepts"
    assert configure(api, northside["token"], op, "northside", staff_enabled=False).status_code == 200
    refused = round_trip(api, op, "northside", "priya")
    assert refused.status_code == 403 and error_code(refused) == "sso_not_enabled_for_staff"


def test_an_email_the_provider_has_not_verified_is_refused(api, northside, op):
    refused = round_trip(api, op, "northside", "sam")
    assert refused.status_code == 403 and error_code(refused) == "sso_email_not_verified"
    assert "sam@example.org" in refused.json()["error"]["message"]


def test_an_unknown_email_is_refused_and_nobody_is_created(api, northside, op):
    before = api.get("/v1/people", northside["token"]).json()["items"]
    refused = round_trip(api, op, "northside", "stranger")
    assert refused.status_code == 403 and error_code(refused) == "sso_account_unknown"
    assert "ask a coordinator to add you" in refused.json()["error"]["message"]
    assert api.get("/v1/people", northside["token"]).json()["items"] == before
    started = start(api, "northside")
    page = callback(op.sign_in(started.authorisation_url, "stranger", f"{api.base_url}/v1/auth/sso/callback"),
                    started.browser, accept="text/html,application/xhtml+xml")
    assert page.status_code == 403 and page.headers["Content-Type"].startswith("text/html")
    assert "We could not sign you in" in page.text and "stranger@example.org has no account" in page.text


def test_a_callback_without_this_browsers_state_is_refused(api, northside, op):
    started = start(api, "northside")
    url = op.sign_in(started.authorisation_url, "jamie", f"{api.base_url}/v1/auth/sso/callback")
    other_browser = callback(url, start(api, "northside").browser)
    assert other_browser.status_code == 400 and error_code(other_browser) == "sso_state_mismatch"
    forged = callback(url.replace("state=", "state=forged"), started.browser)
    assert forged.status_code == 400 and error_code(forged) == "sso_state_invalid"
    assert callback(url, started.browser).status_code == 302, "the real browser still completes"


def test_a_replayed_callback_is_refused(api, northside, op):
    started = start(api, "northside")
    url = op.sign_in(started.authorisation_url, "jamie", f"{api.base_url}/v1/auth/sso/callback")
    assert callback(url, started.browser).status_code == 302
    replayed = callback(url, started.browser)
    assert replayed.status_code == 400 and error_code(replayed) == "sso_state_used"


def test_an_id_token_with_another_nonce_is_refused(api, northside, op):
    started = start(api, "northside")
    sent = parse_qs(urlsplit(started.authorisation_url).query)["nonce"][0]
    tampered = started.authorisation_url.replace(f"nonce={sent}", "nonce=attacker-chosen-nonce")
    refused = callback(op.sign_in(tampered, "jamie", f"{api.base_url}/v1/auth/sso/callback"), started.browser)
    assert refused.status_code == 400 and error_code(refused) == "sso_nonce_mismatch"


def test_another_organisations_code_is_refused(api, northside, op):
    southside = api.create_organisation("southside")
    assert configure(api, api.coordinator_token(southside["api_key"]), op, "southside").status_code == 200
    at_north, at_south = start(api, "northside"), start(api, "southside")
    south_url = op.sign_in(at_south.authorisation_url, "jamie", f"{api.base_url}/v1/auth/sso/callback")
    north_state = parse_qs(urlsplit(at_north.authorisation_url).query)["state"][0]
    south_state = parse_qs(urlsplit(south_url).query)["state"][0]
    refused = callback(south_url.replace(south_state, north_state), at_north.browser)
    assert refused.status_code == 400 and error_code(refused) == "sso_code_refused"


def test_return_to_is_a_path_of_this_site_only(api, northside):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = requests.get(f"{api.base_url}/v1/auth/sso/northside/start", params={"return_to": target},
                                allow_redirects=False, timeout=10)
        assert response.status_code == 400 and error_code(response) == "return_to_invalid", target
    unknown = requests.get(f"{api.base_url}/v1/auth/sso/nowhere/start", allow_redirects=False, timeout=10)
    assert unknown.status_code == 404 and error_code(unknown) == "sso_not_configured"


def test_staff_who_must_add_a_second_factor_are_sent_to_it_before_any_session(api, northside, op):
    api.post("/v1/staff", northside["token"], json={"name": "Priya Shah", "email": "priya@northside.org",
                                                    "role": "admin"})
    api.request("PUT", "/v1/sign-in-options/totp", northside["token"], json={"staff_required": True})
    sent = round_trip(api, op, "northside", "priya", return_to="/staff")
    assert sent.status_code == 302 and "ementor_session" not in sent.cookies
    target = urlsplit(sent.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{api.base_url}/sign-in/second-factor"
    step = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert step["second_factor"] == "totp_enrolment" and step["return_to"] == "/staff"
    secret = api.post("/v1/auth/totp/enrol", json={"challenge": step["challenge"]}).json()["secret"]
    signed_in = api.post("/v1/auth/totp/verify", json={"challenge": step["challenge"],
                                                       "code": pyotp.TOTP(secret).now()})
    assert signed_in.status_code == 200 and api.get("/v1/me", signed_in.json()["access_token"]).json()["role"] == "admin"


def test_the_sign_in_page_may_ask_whether_an_organisation_offers_single_sign_on(api, northside):
    assert api.get("/v1/auth/sso/northside").json() == {"organisation": "northside", "sso": True}
    assert api.get("/v1/auth/sso/NorthSide").json()["sso"] is True
    assert api.get("/v1/auth/sso/no-such-place").json() == {"organisation": "no-such-place", "sso": False}
    assert api.delete("/v1/sign-in-options/sso", northside["token"]).status_code == 204
    assert api.get("/v1/auth/sso/northside").json()["sso"] is False
