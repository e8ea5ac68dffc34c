"""Safeguarding in a real browser (issue 17): a mentee reports a message from the conversation, is
told it was received, who looks at it and where to get help, and finds the conversation paused; a
safeguarding lead, invited by email, finds it in the queue, reads the message in context,
acknowledges and resolves it ("resume", with a reason), and names the organisation's contacts (a bad
phone number is explained beside its field); the mentee can message again. Every new page is
checked with axe and photographed at 360 and 1280 px."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from . import seed
from .browser import PHONE
from .journey_participants import invited_staff, sign_in
from .pages import check_page

pytestmark = pytest.mark.e2e
REPORTED = "What did you think of the robotics club today?"


@pytest.fixture(scope="module")
def world(platform):
    """An active match between Sam (a minor, consent granted) and Ada, with one message from Ada."""
    org = seed.organisation(platform)
    token = platform.emailed_link(org.guardian_email, "/guardian/consent").split("token=")[1]
    platform.call("POST", "/v1/guardian-consents/complete", json={"token": token, "decision": "grant"})
    match = _eventually(lambda: _proposed(platform, org))  # matching hears of the consent by event
    for person in (org.mentee, org.mentor):
        platform.call("POST", f"/v1/matches/{match['id']}/accept", org.token, json={"person_id": person["id"]})
    ada = platform.call("POST", "/v1/auth/token", org.api_key, json={"person_id": org.mentor["id"]}).json()["access_token"]
    sent = _eventually(lambda: _sent(platform, ada, match["id"], REPORTED))
    assert sent["status"] == "delivered", sent
    return org, match["id"]


def _proposed(platform, org):
    answer = platform.call("POST", "/v1/matches", org.token, expect=(201, 409), json={
        "mentee_id": org.mentee["id"], "mentor_id": org.mentor["id"]})
    return answer.json() if answer.status_code == 201 else None


def _sent(platform, token: str, match_id: str, body: str):
    answer = platform.call("POST", f"/v1/matches/{match_id}/messages", token, json={"body": body}, expect=(201, 404, 409))
    return answer.json() if answer.status_code == 201 else None


def _eventually(probe, wait: float = 10.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {wait} s: {probe}")


def _reload_until(page, locator, wait: float = 10.0) -> None:
    """The page reads the pause once when it opens: reload (bounded) until the events have arrived."""
    deadline = time.monotonic() + wait
    while True:
        try:
            expect(locator).to_be_visible(timeout=1000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def test_a_mentee_reports_a_message_and_a_safeguarding_lead_resolves_it(platform, browser, world):
    org, match_id = world
    conversation = f"{platform.base}/matches/{match_id}/conversation"

    # The mentee, on a phone, reports Ada's message from the conversation.
    mentee = browser.new_context(viewport=PHONE, timezone_id="Europe/London").new_page()
    sign_in(platform, mentee, org, org.mentee["email"])
    expect(mentee.get_by_role("navigation").get_by_role("link", name="Report a worry")).to_be_visible()
    expect(mentee.get_by_role("main").get_by_role("link", name="Report a worry")).to_be_visible()  # home, too
    mentee.goto(conversation)
    bubble = mentee.locator("li.bubble").filter(has_text=REPORTED)
    bubble.get_by_role("link", name="Report this message from Ada Okafor").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Report a worry")
    expect(mentee.get_by_role("figure")).to_contain_text(REPORTED)
    expect(mentee.get_by_label("Who is it about?")).to_have_value(match_id)
    expect(mentee.get_by_role("link", name="Childline: call 0800 1111")).to_have_attribute("href", "tel:08001111")
    mentee.get_by_role("button", name="Send my report").click()  # nothing chosen yet: said, not sent
    expect(mentee.get_by_role("alert")).to_have_text("Please choose what it is about.")
    check_page(mentee, "report")
    mentee.get_by_label("Something made me feel uncomfortable").check()
    mentee.get_by_label("Tell us more (optional)").fill("The way Ada asks about the club makes me uneasy.")
    mentee.get_by_role("button", name="Send my report").click()
    received = mentee.get_by_role("status")
    expect(received).to_contain_text("Thank you for telling us. We have received your report.")
    expect(received).to_contain_text("A safeguarding lead at your organisation has been alerted")
    expect(received).to_contain_text("Messages and video sessions with Ada Okafor are paused")
    expect(mentee.get_by_text("If you or someone else is in danger now, call 999.")).to_be_visible()
    expect(mentee.get_by_text("Samaritans: call 116 123")).to_be_visible()
    check_page(mentee, "report-received")

    # The conversation says it is paused, in a sentence, and offers no send box that would fail.
    mentee.goto(conversation)
    _reload_until(mentee, mentee.get_by_test_id("paused"))
    expect(mentee.get_by_test_id("paused")).to_have_text(
        "Messages and video sessions are paused while a safeguarding lead looks at a report about this match. "
        "You can still read earlier messages.")
    expect(mentee.get_by_label("Your message")).to_have_count(0)
    expect(mentee.get_by_text(REPORTED)).to_be_visible()
    check_page(mentee, "conversation-paused")
    mentee.get_by_label("Language").select_option("es")  # the same sentence, in Spanish
    expect(mentee.get_by_test_id("paused")).to_contain_text("Los mensajes y las sesiones de vídeo están en pausa")
    expect(mentee.get_by_role("link", name="Contar una preocupación").first).to_be_visible()
    mentee.get_by_label("Idioma").select_option("en")
    mentee.goto(f"{platform.base}/matches/{match_id}/sessions")
    expect(mentee.get_by_test_id("paused")).to_contain_text("Messages and video sessions are paused")
    expect(mentee.get_by_role("button", name="Book", exact=True)).to_have_count(0)

    # Blocking is offered on the match page, behind a dialog that says what it does (not done here).
    mentee.goto(f"{platform.base}/matches/{match_id}")
    mentee.get_by_role("button", name="Block Ada Okafor").click()
    dialog = mentee.get_by_role("dialog", name="Block Ada Okafor?")
    expect(dialog).to_contain_text("your match ends now")
    expect(dialog).to_contain_text("you will never be matched with them again")
    check_page(mentee, "block-dialog")
    dialog.get_by_role("button", name="No, go back").click()
    expect(dialog).to_be_hidden()

    # A safeguarding lead, invited by email, finds it in the queue and reads the message in context.
    lead = invited_staff(platform, browser, org, "Lee Grant", "safeguarding_lead")
    nav = lead.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Moderation")).to_have_count(0)  # coordinators' page, not a lead's
    nav.get_by_role("link", name="Concerns").click()
    card = lead.get_by_test_id("concern").first
    expect(card).to_contain_text("Made them uncomfortable")
    expect(card).to_contain_text("Not yet acknowledged")
    expect(card).to_contain_text("Sam Rivera (mentee) and Ada Okafor (mentor)")
    check_page(lead, "staff-concerns")
    card.get_by_role("link", name="Open concern: Made them uncomfortable").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Concern: Made them uncomfortable")
    expect(lead.get_by_text("The way Ada asks about the club makes me uneasy.")).to_be_visible()
    reported = lead.get_by_test_id("context").locator("li[data-reported=true]")
    expect(reported).to_contain_text("Reported message")
    expect(reported).to_contain_text(REPORTED)
    expect(reported).to_contain_text("Ada Okafor")
    check_page(lead, "staff-concern")
    lead.get_by_role("button", name="Acknowledge").click()
    expect(lead.get_by_role("status")).to_have_text("Acknowledged. The alerts have stopped.")
    expect(lead.get_by_text("Acknowledged", exact=True).first).to_be_visible()

    # Resolve: a reason is required; then "resume" with one.
    lead.get_by_label("Resume contact: messages and sessions start again").check()
    lead.get_by_role("button", name="Resolve").click()
    expect(lead.get_by_text("Please write a reason (at least 3 characters).")).to_be_visible()
    lead.get_by_label("Reason", exact=True).fill("Spoke to both: a misunderstanding about the club. Explained the rules.")
    lead.get_by_role("button", name="Resolve").click()
    expect(lead.get_by_role("status")).to_have_text("Resolved: contact resumed.")
    expect(lead.get_by_role("button", name="Resolve")).to_have_count(0)
    check_page(lead, "staff-concern-resolved")

    # The organisation's contacts: the API's 422 is shown beside the field, then saved.
    lead.get_by_role("navigation").get_by_role("link", name="Safeguarding settings").click()
    expect(lead.get_by_text("No contacts yet")).to_be_visible()
    lead.get_by_role("button", name="Add a contact").click()
    lead.get_by_label("Name").fill("Lee Grant")
    lead.get_by_label("Mobile phone").fill("07700 900")
    lead.get_by_role("button", name="Save the settings").click()
    expect(lead.get_by_role("alert").first).to_have_text("Some of that is not quite right. See the fields marked below.")
    expect(lead.get_by_label("Mobile phone")).to_have_attribute("aria-invalid", "true")
    expect(lead.locator("#contact-0-phone-error")).to_have_text(
        "This is not a phone number in international format: start with + and the country code, "
        "for example +447700900123.")
    lead.get_by_label("Mobile phone").fill("+447700900101")
    lead.get_by_label("Email address").fill(f"lee@{org.slug}.example.org")
    lead.get_by_label("Minutes each contact has to acknowledge").fill("10")
    lead.get_by_role("button", name="Save the settings").click()
    expect(lead.get_by_role("status")).to_have_text("Saved. New concerns alert these contacts in this order.")
    saved = lead.evaluate("fetch('/v1/settings/safeguarding').then(r => r.json())")
    assert (saved["contacts"][0]["phone"], saved["acknowledge_within_minutes"]) == ("+447700900101", 10)
    expect(lead.get_by_text("The chain is whole:")).to_be_visible()
    with lead.expect_download() as download:
        lead.get_by_role("link", name="Download the verified audit (JSON)").click()
    chain = json.loads(Path(download.value.path()).read_text())
    assert chain["verified"] is True
    actions = [e["action"] for e in chain["items"]]  # moderation and consent decisions are chained beside them
    assert [a for a in actions if a.startswith("concern_")][:3] == [
        "concern_raised", "concern_acknowledged", "concern_resolved"]
    assert "guardian_consent_granted" in actions
    check_page(lead, "staff-safeguarding-settings")

    # The mentee can message again.
    mentee.goto(conversation)
    _reload_until(mentee, mentee.get_by_label("Your message"))
    expect(mentee.get_by_test_id("paused")).to_have_count(0)
    mentee.get_by_label("Your message").fill("Thanks, all sorted now. See you at the club!")
    mentee.get_by_role("button", name="Send").click()
    expect(mentee.locator("li.bubble.mine").filter(has_text="Thanks, all sorted now.")).to_have_attribute(
        "data-status", "delivered")
