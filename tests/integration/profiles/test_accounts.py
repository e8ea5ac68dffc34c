"""Staff accounts and sign-in by emailed link, against a real SMTP server and RabbitMQ."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from services.profiles.documents import SignInLink
from services.profiles.service import ProfilesService

from .accounts_support import link_token, sign_in
from .conftest import mentee

PUBLIC_URL = "https://app.ementor.test"


@pytest.fixture
def profiles(start_services, mail_settings):
    return start_services(ProfilesService, settings_override=mail_settings.model_copy(update={
        "EMENTOR_PUBLIC_URL": PUBLIC_URL}))


def invite(api, org, **body):
    response = api.post("/v1/staff", org["token"], json={"name": "Priya Shah", "email": "priya@northside.org",
                                                         "role": "admin", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_invited_member_of_staff_signs_in_from_the_email_and_is_named(api, org, smtp):
    before = len(smtp.messages)
    staff = invite(api, org)
    assert (staff["status"], staff["invited_by"]) == ("invited", f"integration:{org['api_key'].split('_')[1]}")
    token = link_token(smtp, "priya@northside.org", after=before)
    mail = next(m for m in smtp.messages[before:] if "priya@northside.org" in m.recipients)
    assert f"{PUBLIC_URL}/invitations/accept?token={token}" in mail.text()

    completed = api.post("/v1/auth/sign-in/complete", json={"token": token})
    assert completed.status_code == 200, completed.text
    tokens = completed.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900 and tokens["refresh_token"]
    cookies = completed.headers["Set-Cookie"]
    assert "ementor_session=" in cookies and "HttpOnly" in cookies and "SameSite=Lax" in cookies
    assert "Secure" in cookies  # the test environment is not development

    me = api.get("/v1/me", tokens["access_token"]).json()
    assert me == {"role": "admin", "organisation_id": org["id"], "staff_id": staff["id"], "person_id": None,
                  "name": "Priya Shah", "locale": None, "permissions": ["audit_log", "coordinator", "manage_staff"]}
    listed = api.get("/v1/staff", tokens["access_token"]).json()["items"]
    assert [(s["id"], s["status"]) for s in listed] == [(staff["id"], "active")]
    # The admin coordinates too: they can register a person.
    assert api.post("/v1/people", tokens["access_token"], json=mentee()).status_code == 201


def test_a_member_of_staff_invited_in_spanish_gets_their_emails_in_spanish(api, org, smtp):
    before = len(smtp.messages)
    staff = invite(api, org, name="Lucía Gómez", email="lucia@northside.org", role="coordinator", locale="es")
    assert staff["locale"] == "es"
    link_token(smtp, "lucia@northside.org", after=before)
    invitation = next(m for m in smtp.messages[before:] if "lucia@northside.org" in m.recipients)
    assert invitation.subject == "Te invitan a Northside en ementor"
    assert "Te han dado de alta en Northside como coordinador/a." in invitation.text()

    later = len(smtp.messages)
    sign_in(api, smtp, "northside", "lucia@northside.org")
    assert next(m for m in smtp.messages[later:] if "lucia@northside.org" in m.recipients).subject == (
        "Entra en Northside en ementor")
    unknown = api.post("/v1/staff", org["token"], json={"name": "Jean", "email": "jean@northside.org",
                                                        "role": "coordinator", "locale": "fr"})
    assert unknown.status_code == 422 and "locale" in unknown.text, unknown.text


def test_a_member_of_staff_chooses_their_own_language_and_their_next_sign_in_email_speaks_it(api, org, smtp):
    invite(api, org, name="Marta Ruiz", email="marta@northside.org", role="coordinator")  # invited in English
    marta = sign_in(api, smtp, "northside", "marta@northside.org")["access_token"]

    chosen = api.patch("/v1/me", marta, json={"locale": "es"})
    assert chosen.status_code == 200, chosen.text
    assert (chosen.json()["name"], chosen.json()["locale"]) == ("Marta Ruiz", "es")
    assert api.get("/v1/me", marta).json()["locale"] == "es", "the web app starts in it next time"
    later = len(smtp.messages)
    sign_in(api, smtp, "northside", "marta@northside.org")
    assert next(m for m in smtp.messages[later:] if "marta@northside.org" in m.recipients).subject == (
        "Entra en Northside en ementor")

    assert api.patch("/v1/me", marta, json={"locale": None}).json()["locale"] is None  # back to English
    refused = api.patch("/v1/me", marta, json={"locale": "fr"})
    assert refused.status_code == 422 and "locale" in refused.text, refused.text
    by_key = api.patch("/v1/me", org["token"], json={"locale": "es"})  # the organisation's API key is nobody
    assert by_key.status_code == 409 and by_key.json()["error"]["code"] == "not_a_member_of_staff", by_key.text
    assert api.post("/v1/people", org["token"], json=mentee()).status_code == 201
    jamie = sign_in(api, smtp, "northside", "jamie@example.org")["access_token"]
    assert api.patch("/v1/me", jamie, json={"locale": "es"}).status_code == 403, "a mentee's is on their profile"


def test_staff_roles_hold_their_permissions_only(api, org, smtp):
    invite(api, org, name="Sam Lee", email="sam@northside.org", role="safeguarding_lead")
    lead = sign_in(api, smtp, "northside", "sam@northside.org")["access_token"]
    refused = api.post("/v1/people", lead, json=mentee())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_not_allowed"
    assert api.get("/v1/staff", lead).status_code == 403
    invite(api, org, name="Chris Doe", email="chris@northside.org", role="coordinator")
    coordinator = sign_in(api, smtp, "northside", "chris@northside.org")["access_token"]
    assert api.post("/v1/people", coordinator, json=mentee()).status_code == 201
    assert api.post("/v1/staff", coordinator, json={"name": "X", "email": "x@northside.org",
                                                    "role": "admin"}).status_code == 403


def test_inviting_the_same_address_twice_is_a_conflict_and_removed_staff_lose_access(api, org, smtp):
    staff = invite(api, org)
    again = api.post("/v1/staff", org["token"], json={"name": "P", "email": "PRIYA@northside.org", "role": "admin"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "staff_exists"
    tokens = sign_in(api, smtp, "northside", "priya@northside.org")
    assert api.delete(f"/v1/staff/{staff['id']}", org["token"]).status_code == 204
    assert api.get("/v1/staff", org["token"]).json()["items"] == []
    refreshed = api.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401 and refreshed.json()["error"]["code"] == "session_ended"
    assert api.delete(f"/v1/staff/{staff['id']}", org["token"]).status_code == 404


def test_a_mentee_signs_in_by_link_and_the_link_works_once(api, org, smtp):
    person = api.post("/v1/people", org["token"], json=mentee()).json()
    before = len(smtp.messages)
    assert api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "Jamie@Example.org"}
                    ).status_code == 202
    token = link_token(smtp, "jamie@example.org", after=before)
    completed = api.post("/v1/auth/sign-in/complete", json={"token": token})
    me = api.get("/v1/me", completed.json()["access_token"]).json()
    assert (me["role"], me["person_id"], me["name"], me["permissions"]) == ("mentee", person["id"], "Jamie",
                                                                            ["mentee"])
    reused = api.post("/v1/auth/sign-in/complete", json={"token": token})
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "link_used"
    unknown = api.post("/v1/auth/sign-in/complete", json={"token": "x" * 43})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "link_invalid"


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(api, org, smtp):
    api.post("/v1/people", org["token"], json=mentee())
    before = len(smtp.messages)
    known = api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "jamie@example.org"})
    unknown = api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "nobody@example.org"})
    no_org = api.post("/v1/auth/sign-in", json={"organisation": "nowhere", "email": "jamie@example.org"})
    assert known.status_code == unknown.status_code == no_org.status_code == 202
    assert known.json() == unknown.json() == no_org.json()
    link_token(smtp, "jamie@example.org", after=before)
    assert all("nobody@example.org" not in m.recipients for m in smtp.messages[before:])


def test_a_link_of_one_organisation_is_refused_at_another(api, org, smtp):
    api.create_organisation("southside")
    api.post("/v1/people", org["token"], json=mentee())
    before = len(smtp.messages)
    api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "jamie@example.org"})
    token = link_token(smtp, "jamie@example.org", after=before)
    foreign = api.post("/v1/auth/sign-in/complete", json={"token": token, "organisation": "southside"})
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "link_for_another_organisation"


def test_an_expired_link_is_refused(api, org, smtp):
    api.post("/v1/people", org["token"], json=mentee())
    before = len(smtp.messages)
    api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "jamie@example.org"})
    token = link_token(smtp, "jamie@example.org", after=before)
    SignInLink.objects.across_tenants().update(set__expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = api.post("/v1/auth/sign-in/complete", json={"token": token})
    assert expired.status_code == 400 and expired.json()["error"]["code"] == "link_expired"


def test_sign_in_is_rate_limited_per_address(api, org):
    for _ in range(5):
        assert api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "a@example.org"}
                        ).status_code == 202
    limited = api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "a@example.org"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "b@example.org"}
                    ).status_code == 202
    metrics = requests.get(f"{api.base_url}/metrics", timeout=10).text
    assert 'ementor_auth_failures_total{endpoint="sign-in",reason="rate_limited",service="profiles"}' in metrics


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(api, org, smtp):
    api.post("/v1/people", org["token"], json=mentee())
    first = sign_in(api, smtp, "northside", "jamie@example.org")
    second = api.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    stolen = api.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert stolen.status_code == 401
    after = api.post("/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
    assert after.status_code == 401 and after.json()["error"]["code"] == "session_ended"


def test_the_cookie_session_needs_the_csrf_token_for_changes(api, org, smtp):
    api.post("/v1/people", org["token"], json=mentee())
    before = len(smtp.messages)
    api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "jamie@example.org"})
    token = link_token(smtp, "jamie@example.org", after=before)
    browser = requests.Session()
    completed = browser.post(f"{api.base_url}/v1/auth/sign-in/complete", json={"token": token}, timeout=10)
    csrf = completed.json()["csrf_token"]
    # the test server is plain HTTP and the cookies are Secure, so send the access cookie by hand
    cookies = {"ementor_session": completed.json()["access_token"], "ementor_csrf": csrf}
    me = requests.get(f"{api.base_url}/v1/me", cookies=cookies, timeout=10)
    assert me.status_code == 200 and me.json()["role"] == "mentee"
    forged = requests.post(f"{api.base_url}/v1/auth/sign-out", cookies=cookies, timeout=10)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    signed_out = requests.post(f"{api.base_url}/v1/auth/sign-out", cookies=cookies,
                               headers={"X-CSRF-Token": csrf}, timeout=10)
    assert signed_out.status_code == 204


def test_an_api_key_token_is_an_integration_and_a_read_only_key_only_reads(api, org):
    assert api.get("/v1/me", org["token"]).json()["role"] == "integration"
    key = api.post(f"/v1/organisations/{org['id']}/api-keys", api.admin_token, json={"read_only": True}).json()
    reader = api.coordinator_token(key["api_key"])
    assert api.get("/v1/people", reader).status_code == 200
    refused = api.post("/v1/people", reader, json=mentee())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only_key"
    assert api.post("/v1/people", org["token"], json=mentee()).status_code == 201  # the main key still works


def test_the_web_app_refreshes_with_the_refresh_cookie_and_the_csrf_header(api, org, smtp):
    api.post("/v1/people", org["token"], json=mentee())
    tokens = sign_in(api, smtp, "northside", "jamie@example.org")
    cookies = {"ementor_refresh": tokens["refresh_token"], "ementor_csrf": tokens["csrf_token"]}
    forged = requests.post(f"{api.base_url}/v1/auth/refresh", cookies=cookies, json={}, timeout=10)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    refreshed = requests.post(f"{api.base_url}/v1/auth/refresh", cookies=cookies, json={},
                              headers={"X-CSRF-Token": tokens["csrf_token"]}, timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    assert "ementor_refresh=" in refreshed.headers["Set-Cookie"]
    assert api.get("/v1/me", refreshed.json()["access_token"]).json()["role"] == "mentee"


def test_a_person_whose_profile_locale_is_spanish_gets_the_sign_in_email_in_spanish(api, org, smtp):
    assert api.post("/v1/people", org["token"], json=mentee(email="ana@example.org", name="Ana",
                                                              locale="es")).status_code == 201
    assert api.post("/v1/people", org["token"], json=mentee(email="ben@example.org", name="Ben")).status_code == 201
    for email in ("ana@example.org", "ben@example.org"):
        assert api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": email}).status_code == 202
    link_token(smtp, "ben@example.org")
    spanish = next(m for m in reversed(smtp.messages) if "ana@example.org" in m.recipients)
    english = next(m for m in reversed(smtp.messages) if "ben@example.org" in m.recipients)
    assert spanish.subject == "Entra en Northside en ementor"
    assert spanish.text().startswith("Hola, Ana:") and "funciona una vez, durante 15 minutos" in spanish.text()
    assert english.subject == "Sign in to Northside on ementor" and english.text().startswith("Hello Ben,")


def test_the_emailed_link_opens_the_page_that_asked_and_only_a_page_of_this_site(api, org, smtp):
    api.post("/v1/people", org["token"], json=mentee())
    before = len(smtp.messages)
    asked = api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "jamie@example.org",
                                               "return_to": "/matches/m1/conversation"})
    assert asked.status_code == 202
    link_token(smtp, "jamie@example.org", after=before)
    mail = [m for m in smtp.messages[before:] if "jamie@example.org" in m.recipients][-1]
    assert "&next=%2Fmatches%2Fm1%2Fconversation" in mail.text()  # the web app goes there once signed in

    for elsewhere in ("https://evil.example/", "//evil.example/x", "matches/m1"):
        refused = api.post("/v1/auth/sign-in", json={"organisation": "northside", "email": "nobody@example.org",
                                                     "return_to": elsewhere})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "return_to_invalid", elsewhere
