"""Escalation with a clock the test moves: email and SMS (real SMTP server, real twilio client against a
local endpoint) to the first contact, then the next when nobody acknowledges in time, then the operator."""

from __future__ import annotations

import uuid

import pytest

from ementor.platform.http.auth import issue_token
from ementor.platform.schedule import leased_timer
from services.safeguarding.service import SafeguardingService
from tests.integration.safeguarding.world import Clock
from tests.support.events import eventually
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.smtp import SmtpServer
from tests.support.twilio_fake import TwilioServer

pytestmark = pytest.mark.integration

CLOCK = Clock()
SAM = {"name": "Sam Lee", "email": "sam@northside.org", "phone": "+447700900101", "staff_id": "lead-1"}
KIM = {"name": "Kim Roe", "email": "kim@northside.org", "phone": "+447700900102"}
OPERATOR = ("ops@ementor.example", "+447700900199")


class ClockedSafeguarding(SafeguardingService):
    """The real service, reading the test's clock, its escalation job ticking fast."""

    clock = staticmethod(CLOCK.now)

    @leased_timer(interval=0.1)
    def escalate(self):
        super().escalate()


@pytest.fixture
def mail():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def sms():
    server = TwilioServer().start()
    yield server
    server.stop()


@pytest.fixture
def org(start_services, settings, mail, sms, api):
    start_services(ClockedSafeguarding, settings_override=settings.model_copy(update={
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.port, "TWILIO_ACCOUNT_SID": sms.account_sid,
        "TWILIO_AUTH_TOKEN": sms.auth_token, "TWILIO_BASE_URL": sms.base_url, "TWILIO_FROM_NUMBER": "+15005550006",
        "EMENTOR_PUBLIC_URL": "https://ementor.example.org", "EMENTOR_SAFEGUARDING_OPERATOR_EMAIL": OPERATOR[0],
        "EMENTOR_SAFEGUARDING_OPERATOR_PHONE": OPERATOR[1]}))
    tenant = uuid.uuid4().hex[:24]
    lead = issue_token(TEST_JWT_SECRET, tenant_id=tenant, role="safeguarding_lead", staff_id="lead-1")
    put = api.request("PUT", "/v1/settings/safeguarding", lead,
                      json={"contacts": [SAM, KIM], "acknowledge_within_minutes": 10})
    assert put.status_code == 200, put.text
    return tenant, lead


def raise_concern(api, tenant: str, category: str = "worried_about_me") -> str:
    mentee = issue_token(TEST_JWT_SECRET, tenant_id=tenant, role="mentee", person_id=uuid.uuid4().hex[:24])
    raised = api.post("/v1/concerns", mentee, json={"category": category, "details": "I keep thinking of hurting myself"})
    assert raised.status_code == 201, raised.text
    return raised.json()["id"]


def alerted(mail, sms, address: str, phone: str, concern_id: str) -> tuple[list, list]:
    emails = [m for m in mail.to(address) if concern_id in m.message.get_content()]
    texts = [s for s in sms.messages if s.to == phone and concern_id in s.body]
    return emails, texts


def barrier(api, tenant, mail, sms) -> None:
    """Wait for one tick of the escalation job after the clock moved: a new concern's first alert."""
    concern_id = raise_concern(api, tenant)
    eventually(lambda: _both(alerted(mail, sms, SAM["email"], SAM["phone"], concern_id)))


def _both(found):
    emails, texts = found
    assert len(emails) == 1 and len(texts) == 1, found
    return found


def _none(found):
    assert found == ([], []), found


def test_nobody_acknowledges_so_the_next_contact_then_the_operator_is_alerted(org, api, mail, sms, events):
    tenant, lead = org
    concern_id = raise_concern(api, tenant)
    [email], [text] = eventually(lambda: _both(alerted(mail, sms, SAM["email"], SAM["phone"], concern_id)))
    assert "safeguarding concern" in email.subject and "something worrying about me" in email.subject
    assert f"https://ementor.example.org/safeguarding/concerns/{concern_id}" in email.message.get_content()
    assert "hurting" not in email.message.get_content() and "hurting" not in text.body  # details stay inside
    assert text.from_ == "+15005550006"

    CLOCK.advance(minutes=9)
    barrier(api, tenant, mail, sms)
    _none(alerted(mail, sms, KIM["email"], KIM["phone"], concern_id))

    CLOCK.advance(minutes=2)  # 11 minutes: Sam did not acknowledge within 10
    eventually(lambda: _both(alerted(mail, sms, KIM["email"], KIM["phone"], concern_id)))
    _none(alerted(mail, sms, *OPERATOR, concern_id))

    CLOCK.advance(minutes=10)
    [to_operator], _ = eventually(lambda: _both(alerted(mail, sms, *OPERATOR, concern_id)))
    assert "no contact of the organisation acknowledged it in time" in to_operator.message.get_content()

    steps = api.get(f"/v1/concerns/{concern_id}", lead).json()["escalation"]
    assert [(s["step"], s["contact_name"], s["to_operator"]) for s in steps] == [
        (0, "Sam Lee", False), (1, "Kim Roe", False), (2, "ementor platform operator", True)]
    assert all(s["email"] == "sent" and s["sms"].startswith("sent (SM") for s in steps), steps
    escalated = events.wait_for("ConcernEscalated", lambda e: e.data["concern_id"] == concern_id, count=3)
    assert sorted(e.data["step"] for e in escalated) == [0, 1, 2]
    assert all("@" not in e.model_dump_json() and "+44" not in e.model_dump_json() for e in escalated)
    assert api.get(f"/v1/concerns/{concern_id}", lead).json()["next_alert_at"] is None  # nobody left


def test_an_acknowledgement_stops_the_clock(org, api, mail, sms):
    tenant, lead = org
    concern_id = raise_concern(api, tenant)
    eventually(lambda: _both(alerted(mail, sms, SAM["email"], SAM["phone"], concern_id)))
    acknowledged = api.post(f"/v1/concerns/{concern_id}/acknowledge", lead, json={})
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_by"] == "staff:lead-1"

    CLOCK.advance(minutes=30)
    barrier(api, tenant, mail, sms)
    _none(alerted(mail, sms, KIM["email"], KIM["phone"], concern_id))
    _none(alerted(mail, sms, *OPERATOR, concern_id))
    assert len(api.get(f"/v1/concerns/{concern_id}", lead).json()["escalation"]) == 1


def test_contacts_and_the_time_to_acknowledge_are_checked(org, api):
    tenant, lead = org
    for body, field in (({"contacts": [], "acknowledge_within_minutes": 10}, "contacts"),
                        ({"contacts": [SAM], "acknowledge_within_minutes": 0}, "acknowledge_within_minutes"),
                        ({"contacts": [SAM], "acknowledge_within_minutes": 100_000}, "acknowledge_within_minutes"),
                        ({"contacts": [{"name": "X"}], "acknowledge_within_minutes": 5}, "email or a phone"),
                        ({"contacts": [{"name": "X", "phone": "0770"}], "acknowledge_within_minutes": 5}, "phone")):
        refused = api.request("PUT", "/v1/settings/safeguarding", lead, json=body)
        assert refused.status_code == 422 and field in refused.text, refused.text
    mentee = issue_token(TEST_JWT_SECRET, tenant_id=tenant, role="mentee", person_id="p1")
    assert api.get("/v1/settings/safeguarding", mentee).status_code == 403
    assert api.get("/v1/settings/safeguarding", lead).json()["contacts"][0]["name"] == "Sam Lee"


def test_a_mail_server_outage_is_recorded_and_the_ladder_goes_on(org, api, mail, sms):
    tenant, lead = org
    mail.down()
    concern_id = raise_concern(api, tenant)

    def first_step():
        steps = api.get(f"/v1/concerns/{concern_id}", lead).json()["escalation"]
        assert len(steps) == 1 and steps[0]["email"] != "sending" and steps[0]["sms"] != "sending", steps
        return steps[0]
    step = eventually(first_step)
    assert step["email"].startswith("failed") and step["sms"].startswith("sent")  # the SMS still reached Sam
    mail.up()
    CLOCK.advance(minutes=11)
    eventually(lambda: _both(alerted(mail, sms, KIM["email"], KIM["phone"], concern_id)))
