"""Guardian consent end to end: a real SMTP server, the real broker, profiles + matching + messaging + video."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.matching.service import MatchingService
from services.messaging.service import MessagingService
from services.profiles.guardian_documents import GuardianLink
from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.support.events import eventually
from tests.support.smtp import SmtpServer

PUBLIC_URL = "https://app.ementor.test"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/guardian/(consent|withdraw)\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture
def platform(start_services, mail_settings):
    configured = mail_settings.model_copy(update={"EMENTOR_PUBLIC_URL": PUBLIC_URL})
    return start_services(ProfilesService, MatchingService, MessagingService, VideoService,
                          settings_override=configured)


class Org:
    def __init__(self, api):
        self.api = api
        created = api.create_organisation(f"school-{uuid.uuid4().hex[:8]}", name="Northside School")
        self.id, self.key = created["id"], created["api_key"]
        self.token = api.coordinator_token(self.key)
        programme = api.post("/v1/programmes", self.token, json={"name": "Careers", "description": "Year 10"})
        assert programme.status_code == 201, programme.text
        self.programme_id = programme.json()["id"]

    def person(self, name: str, role: str, **extra) -> dict:
        body = {"role": role, "name": name, "email": f"{uuid.uuid4().hex[:8]}@example.org",
                "timezone": "Europe/London", "interests": ["robotics"], "programme_id": self.programme_id, **extra}
        if role == "mentor":
            body.update(capacity=2, vetted=True)
        response = self.api.post("/v1/people", self.token, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def minor(self, name: str = "Jamie Fisher") -> tuple[dict, str]:
        guardian = f"guardian-{uuid.uuid4().hex[:8]}@families.example.org"
        return self.person(name, "mentee", is_minor=True, guardian={"name": "Helen Fisher", "email": guardian}), guardian


def link_in(smtp: SmtpServer, address: str, kind: str) -> str:
    def emailed():
        for mail in reversed(smtp.to(address)):
            found = LINK.search(mail.message.get_body(("plain",)).get_content())
            if found and found.group(1) == kind:
                return found.group(2)
        raise AssertionError(f"no {kind} link emailed to {address} yet")

    return eventually(emailed)


def propose(org: Org, mentee: dict, mentor: dict):
    return org.api.post("/v1/matches", org.token, json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]})


def code_of(response) -> str:
    return response.json()["error"]["code"]


def test_a_minor_waits_for_the_guardian_who_consents_by_the_emailed_link_and_can_withdraw(platform, api, smtp):
    org = Org(api)
    mentor = org.person("Amara Okafor", "mentor")
    minor, guardian = org.minor()
    assert minor["guardian_consent"] == "pending"
    assert minor["guardian_consent_detail"]["guardian"]["email"] == guardian  # staff see the guardian
    mentee_token = api.person_token(org.key, minor["id"])
    own = api.get(f"/v1/people/{minor['id']}", mentee_token).json()
    assert own["guardian_consent"] == "pending" and own["guardian_consent_detail"]["guardian"] is None

    def refused_before_consent():
        response = propose(org, minor, mentor)
        assert response.status_code == 409 and code_of(response) == "guardian_consent_required", response.text
        return response.json()["error"]["message"]

    assert "guardian" in eventually(refused_before_consent)

    token = link_in(smtp, guardian, "consent")
    page = api.get(f"/v1/guardian-consents/{token}")
    assert page.status_code == 200, page.text
    shown = page.json()
    assert (shown["mentee_first_name"], shown["organisation"], shown["programme"], shown["state"]) == (
        "Jamie", "Northside School", "Careers", "pending")
    assert any("moderated" in line for line in shown["supervision"])
    assert "Fisher" not in page.text and guardian not in page.text

    granted = api.post("/v1/guardian-consents/complete", json={"token": token, "decision": "grant"})
    assert granted.status_code == 200, granted.text
    assert granted.json()["state"] == "granted"
    reused = api.post("/v1/guardian-consents/complete", json={"token": token, "decision": "decline"})
    assert reused.status_code == 409 and code_of(reused) == "consent_link_used"

    def proposed():
        response = propose(org, minor, mentor)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    match_id = eventually(proposed)
    for side in (minor["id"], mentor["id"]):
        accepted = api.post(f"/v1/matches/{match_id}/accept", org.token, json={"person_id": side})
        assert accepted.status_code == 200, accepted.text

    def message(expect: int):
        response = api.post(f"/v1/matches/{match_id}/messages", mentee_token, json={"body": "Hello!"})
        assert response.status_code == expect, response.text
        return response

    starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def schedule(expect: int):
        response = api.post(f"/v1/matches/{match_id}/sessions", mentee_token,
                            json={"starts_at": starts_at.isoformat(), "duration_minutes": 30})
        assert response.status_code == expect, response.text
        return response

    eventually(lambda: message(201))
    eventually(lambda: schedule(201))

    withdraw_token = link_in(smtp, guardian, "withdraw")
    withdrawn = api.post("/v1/guardian-consents/withdraw", json={"token": withdraw_token})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn", withdrawn.text

    paused = eventually(lambda: message(409))
    assert code_of(paused) == "guardian_consent_required"
    assert "consent" in paused.json()["error"]["message"]
    starts_at += timedelta(hours=2)
    assert code_of(eventually(lambda: schedule(409))) == "guardian_consent_required"

    def match_paused():
        match = api.get(f"/v1/matches/{match_id}", org.token).json()
        assert (match["status"], match["paused_for"]) == ("active", ["guardian_consent"])

    eventually(match_paused)

    # The organisation collects consent again on paper: a named member of staff records it.
    offline = api.post(f"/v1/people/{minor['id']}/guardian-consent", org.token,
                       json={"decision": "grant", "evidence": "signed paper form, handed to the office"})
    assert offline.status_code == 200, offline.text
    eventually(lambda: message(201))
    record = offline.json()
    assert record["consent"]["state"] == "granted" and record["consent"]["method"] == "offline"
    steps = [(e["action"], e["method"], e["actor"]) for e in record["history"]]
    assert steps == [("requested", "request", "system"), ("grant", "link", "guardian"),
                     ("withdraw", "link", "guardian"), ("grant", "offline", f"integration:{org.key.split('_')[1]}")]
    assert all(e["ip_hash"] for e in record["history"] if e["method"] == "link")
    assert record["history"][-1]["evidence"] == "signed paper form, handed to the office"


def test_used_expired_replaced_wrong_and_unknown_links_are_clear_4xx(platform, api, smtp):
    org = Org(api)
    minor, guardian = org.minor()
    first = link_in(smtp, guardian, "consent")
    assert code_of(api.get("/v1/guardian-consents/gct_not-a-real-token-0123456789")) == "consent_link_not_found"
    assert api.get("/v1/guardian-consents/nonsense").status_code == 404

    resent = api.post(f"/v1/people/{minor['id']}/guardian-consent/requests", org.token)
    assert resent.status_code == 202, resent.text

    def second_link():
        token = link_in(smtp, guardian, "consent")
        assert token != first
        return token

    second = eventually(second_link)
    replaced = api.post("/v1/guardian-consents/complete", json={"token": first, "decision": "grant"})
    assert replaced.status_code == 409 and code_of(replaced) == "consent_link_replaced"

    GuardianLink.objects.across_tenants().filter(token_hash__exists=True, person_id=minor["id"],
                                                 revoked_at=None).update(
        set__expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = api.post("/v1/guardian-consents/complete", json={"token": second, "decision": "grant"})
    assert expired.status_code == 409 and code_of(expired) == "consent_link_expired"
    assert "new one" in expired.json()["error"]["message"]

    bad = api.post("/v1/guardian-consents/complete", json={"token": second, "decision": "maybe"})
    assert bad.status_code == 422


def test_a_minor_needs_a_guardian_or_consent_recorded_offline(platform, api):
    org = Org(api)
    body = {"role": "mentee", "name": "Kit", "email": f"{uuid.uuid4().hex[:8]}@example.org",
            "timezone": "Europe/London", "is_minor": True}
    refused = api.post("/v1/people", org.token, json=body)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "guardian"
    recorded = api.post("/v1/people", org.token, json={
        **body, "consent_recorded_offline": {"decision": "grant", "evidence": "school consent form 2026"}})
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["guardian_consent"] == "granted"
    adult = org.person("Ada", "mentee")
    assert adult["guardian_consent"] == "not_required"


def test_a_link_and_the_staff_endpoints_of_one_organisation_do_nothing_at_another(platform, api, smtp):
    a, b = Org(api), Org(api)
    minor_a, guardian_a = a.minor()
    minor_b, _ = b.minor("Robin Lee")
    token_a = link_in(smtp, guardian_a, "consent")

    for path in (f"/v1/people/{minor_a['id']}/guardian-consent", f"/v1/people/{minor_a['id']}/guardian-consent/requests"):
        foreign = api.post(path, b.token, json={"decision": "grant", "evidence": "not ours"} if path.endswith("consent")
                           else None)
        assert foreign.status_code == 404, foreign.text
    assert api.get(f"/v1/people/{minor_a['id']}/guardian-consent", b.token).status_code == 404

    assert api.post("/v1/guardian-consents/complete", json={"token": token_a, "decision": "grant"}).status_code == 200
    assert api.get(f"/v1/people/{minor_a['id']}", a.token).json()["guardian_consent"] == "granted"
    assert api.get(f"/v1/people/{minor_b['id']}", b.token).json()["guardian_consent"] == "pending"


def test_staff_change_the_guardian_and_the_new_guardian_is_asked_the_minor_cannot(platform, api, smtp, events):
    org = Org(api)
    adult = org.person("Robin Lee", "mentee")
    mentee_token = api.person_token(org.key, adult["id"])
    needs_guardian = api.patch(f"/v1/people/{adult['id']}", org.token, json={"is_minor": True})
    assert needs_guardian.status_code == 422 and "guardian" in needs_guardian.json()["error"]["message"]

    first = f"first-{uuid.uuid4().hex[:8]}@families.example.org"
    became_minor = api.patch(f"/v1/people/{adult['id']}", org.token,
                             json={"is_minor": True, "guardian": {"name": "Kim Lee", "email": first}})
    assert became_minor.status_code == 200 and became_minor.json()["guardian_consent"] == "pending"
    first_link = link_in(smtp, first, "consent")

    own_guardian = api.patch(f"/v1/people/{adult['id']}", mentee_token,
                             json={"guardian": {"name": "Me", "email": "me@example.org"}})
    assert own_guardian.status_code == 403  # a minor cannot name themself as their guardian

    second = f"second-{uuid.uuid4().hex[:8]}@families.example.org"
    changed = api.patch(f"/v1/people/{adult['id']}", org.token, json={"guardian": {"name": "Sam Lee", "email": second}})
    assert changed.status_code == 200, changed.text
    second_link = link_in(smtp, second, "consent")
    assert code_of(api.get(f"/v1/guardian-consents/{first_link}")) == "consent_link_replaced"
    assert api.get(f"/v1/guardian-consents/{second_link}").json()["state"] == "pending"

    published = events.wait_for("GuardianConsentChanged", lambda e: e.subject == adult["id"])
    assert published[0].data == {"person_id": adult["id"], "state": "pending"}  # no guardian details, ever
