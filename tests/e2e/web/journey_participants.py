"""A mentee, a mentor, a guardian and a coordinator use the web app in a real browser (Debian's
Chromium), against the platform as `make run` starts it, with emails read from a real SMTP server.
Every page is checked with axe-core and photographed at 360 and 1280 px (artefacts/web/)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.events import eventually

from . import seed
from .browser import DESKTOP, PHONE
from .pages import check_page

pytestmark = pytest.mark.e2e
LIVE_SECONDS = 2.0  # "within about a second": the bound asserted, with room for a loaded CI machine


@pytest.fixture(scope="module")
def org(platform):
    org = seed.organisation(platform)
    # Notice windows of a day, so the journey's messages to the mentee share one (unless it crosses
    # midnight UTC): the first is told at once, a later one waits for the next window's notice.
    platform.call("PUT", "/v1/settings/notifications", org.token, json={"message_notice_minutes": 1440})
    return org


def sign_in(platform, page, org, email: str) -> None:
    page.goto(platform.base + "/")
    expect(page).to_have_url(f"{platform.base}/sign-in?next=%2F")
    asked = time.time()
    page.get_by_label("Organisation").fill(org.slug)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(platform.emailed_link(email, "/sign-in/complete", after=asked))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")


def test_a_guardian_consents_then_a_mentee_and_mentor_meet_talk_and_book(platform, browser, org):
    # The guardian opens the emailed consent link: who, how supervised, and grants.
    guardian = browser.new_context(viewport=DESKTOP).new_page()
    guardian.goto(platform.emailed_link(org.guardian_email, "/guardian/consent"))
    expect(guardian.get_by_role("heading", level=1)).to_have_text("Consent for Sam to take part")
    expect(guardian.get_by_text("Riverside School would like Sam to take part in Science mentoring.")).to_be_visible()
    check_page(guardian, "guardian-consent")
    granted_at = time.time()
    guardian.get_by_role("button", name="I give consent").click()
    expect(guardian.get_by_role("status")).to_contain_text("Consent is granted")
    guardian.goto(platform.emailed_link(org.guardian_email, "/guardian/withdraw", after=granted_at - 1))
    expect(guardian.get_by_role("button", name="Withdraw consent")).to_be_visible()
    check_page(guardian, "guardian-withdraw")

    # The mentee signs in from the emailed link and sees the kind explanation on their profile.
    mentee = browser.new_context(viewport=PHONE, timezone_id="Europe/London").new_page()
    check_page_after(mentee, lambda: mentee.goto(platform.base + "/sign-in"), "sign-in")
    sign_in(platform, mentee, org, org.mentee["email"])
    check_page(mentee, "home-mentee")
    mentee.get_by_role("link", name="My profile").click()
    expect(mentee.get_by_role("heading", name="Keeping you safe")).to_be_visible()
    mentee.get_by_label("About me").fill("I build small robots and watch the stars.")
    mentee.get_by_label("Languages I speak").fill("Englsh, Spanish")  # names, not codes; a typo is said
    mentee.get_by_role("button", name="Save my profile").click()
    expect(mentee.get_by_role("alert")).to_have_text(
        "We do not know the language “Englsh”. Write its name, for example Polish, or its code, for example pl.")
    mentee.get_by_label("Languages I speak").fill("English, spanish")
    mentee.get_by_role("button", name="Save my profile").click()
    expect(mentee.get_by_text("Saved.")).to_be_visible()
    assert platform.call("GET", f"/v1/people/{org.mentee['id']}", org.token).json()["languages"] == ["en", "es"]
    mentee.reload()
    expect(mentee.get_by_label("Languages I speak")).to_have_value("English, Spanish")
    check_page(mentee, "profile")

    # Recommendations with their reasons in plain words; the mentee asks Ada.
    mentee.get_by_role("link", name="Find a mentor").click()
    ada = mentee.get_by_role("listitem").filter(has_text="Ada Okafor")
    expect(ada.get_by_text("You both like")).to_contain_text("robotics")
    expect(ada.get_by_text("You are 1 hour apart.")).to_be_visible()
    check_page(mentee, "mentors")
    mentee.get_by_role("button", name="Ask Ada Okafor to mentor me").click()
    expect(mentee.get_by_text("You accepted. Waiting for Ada Okafor.")).to_be_visible()
    expect(mentee.locator(".badge")).to_have_text("Waiting for Ada Okafor to accept")  # not "both of you"
    match_url = mentee.url
    check_page(mentee, "match-proposed")

    # The mentor signs in (another browser) and accepts.
    mentor = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Paris").new_page()
    sign_in(platform, mentor, org, org.mentor["email"])
    check_page(mentor, "home-mentor")
    proposal = mentor.get_by_role("listitem").filter(has=mentor.get_by_role("link", name="With Sam Rivera"))
    expect(proposal.locator(".badge")).to_have_text("Sam Rivera has accepted: waiting for your answer")
    mentor.get_by_role("link", name="With Sam Rivera").click()  # a matched mentor sees the name
    check_page(mentor, "match-to-accept")
    mentor.get_by_role("button", name="Accept").click()
    expect(mentor.get_by_text("Active")).to_be_visible()

    # The "match confirmed" email links to the conversation; opened signed out (on another phone), it
    # goes through sign-in to that page, not to home.
    link = platform.emailed(org.mentee["email"], r"http\S+/matches/\w+/conversation")
    assert link == match_url + "/conversation"
    other_phone = browser.new_context(viewport=PHONE).new_page()
    other_phone.goto(link)
    expect(other_phone).to_have_url(re.compile(r"/sign-in\?next=%2Fmatches%2F\w+%2Fconversation$"))
    asked = time.time()
    other_phone.get_by_label("Organisation").fill(org.slug)
    other_phone.get_by_label("Email address").fill(org.mentee["email"])
    other_phone.get_by_role("button", name="Email me a sign-in link").click()
    other_phone.goto(platform.emailed_link(org.mentee["email"], "/sign-in/complete", after=asked))
    expect(other_phone).to_have_url(link)
    expect(other_phone.get_by_role("heading", level=1)).to_have_text("Messages with Ada Okafor")
    other_phone.context.close()

    # Both open the conversation: messages appear live in the other browser.
    mentee.goto(match_url + "/conversation")
    mentor.get_by_role("link", name="Messages").click()
    for page in (mentee, mentor):
        expect(page.get_by_text("No messages yet. Say hello!")).to_be_visible()
    check_page(mentee, "conversation-empty")
    live(mentee, mentor, "Hello Ada! I saw your telescope photos.")
    live(mentor, mentee, "Hi Sam, welcome. What are you building at the moment?")

    # A message with a phone number is held: the mentee is told honestly, the mentor sees nothing.
    send(mentee, "Text me on 07700 900123 if that is easier")
    held = mentee.locator("li.bubble[data-status=held]")
    expect(held).to_contain_text("Waiting for a moderator: Ada Okafor will see it once a coordinator has checked it.")
    check_page(mentee, "conversation-held")

    # A coordinator, invited by email, signs in from the invitation (a third browser) and approves it.
    coordinator = invited_staff(platform, browser, org, "Chris Moyo", "coordinator")
    nav = coordinator.get_by_role("navigation")
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    expect(nav.get_by_role("link", name="Staff", exact=True)).to_have_count(0)  # manage_staff only
    nav.get_by_role("link", name="Moderation").click()
    card = coordinator.get_by_role("listitem").filter(has_text="Text me on 07700 900123 if that is easier")
    expect(card).to_contain_text("From Sam Rivera to Ada Okafor")
    expect(card).to_contain_text("Held because: it seems to share contact details")
    check_page(coordinator, "staff-moderation")
    card.get_by_label("Reason for your decision").fill("the mentee's own school phone")
    approved = time.monotonic()
    card.get_by_role("button", name="Approve").click()
    expect(coordinator.get_by_role("status")).to_have_text("Approved: Ada Okafor can see the message now.")
    expect(mentor.get_by_text("Text me on 07700 900123 if that is easier")).to_be_visible(timeout=LIVE_SECONDS * 1000)
    expect(held).to_have_count(0, timeout=LIVE_SECONDS * 1000)  # the mentee's copy turns delivered, live too
    assert time.monotonic() - approved < LIVE_SECONDS + 1
    check_page(mentor, "conversation")
    coordinator.goto(platform.base + "/staff/staff")  # an admin's page: a sentence, not refused requests
    expect(coordinator.get_by_role("alert")).to_have_text(
        "This page is for staff whose role allows it. Ask an administrator if you need it.")

    # A video session: booked, listed with the slot rule, and the invite downloaded.
    mentee.goto(match_url + "/sessions")
    expect(mentee.get_by_text("No sessions booked yet.")).to_be_visible()
    mentee.get_by_label("Length (minutes)").select_option("45")
    mentee.get_by_role("button", name="Book", exact=True).click()
    expect(mentee.get_by_role("status")).to_contain_text("Booked for")
    expect(mentee.get_by_text("The link works only in this session's slot")).to_be_visible()
    mentee.get_by_role("button", name="Book", exact=True).click()  # the same slot again: a 409, as a sentence
    expect(mentee.get_by_role("alert")).to_have_text("That time is already booked. Please choose another.")
    with mentee.expect_download() as download:
        mentee.get_by_role("link", name="Add to my calendar (.ics)").click()
    invite = Path(download.value.path()).read_text()
    assert invite.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in invite
    check_page(mentee, "sessions")

    # A message that arrives while the mentee is elsewhere is new on their home page until they read it.
    send(mentor, "See you on Thursday, Sam!")
    expect(mentor.get_by_test_id("messages")).to_contain_text("See you on Thursday, Sam!")
    mentee.get_by_role("link", name="Home").click()
    new = mentee.get_by_role("listitem").filter(has_text="With Ada Okafor").get_by_role("link", name="1 new message")
    expect(new).to_be_visible()
    check_page(mentee, "home-unread")
    with mentee.expect_response(lambda r: r.url.endswith("/messages/read") and r.ok):
        new.click()
    expect(mentee.locator("[data-testid=new-divider] + li")).to_contain_text("See you on Thursday, Sam!")
    expect(mentee.get_by_test_id("new-divider")).to_have_text("New messages")  # where the new ones start
    check_page(mentee, "conversation-new")
    mentee.get_by_role("link", name="Home").click()
    expect(mentee.get_by_role("link", name="With Ada Okafor")).to_be_visible()
    expect(mentee.get_by_text("new message")).to_have_count(0)
    # Read in the app, that message's email (waiting for the next window) is never sent: every notice
    # of the conversation went, or was dropped as read; at most one went (the first message's, unless
    # the mentee, watching, read that one first too).
    def told_at_most_once():
        notices = [d for d in platform.call("GET", f"/v1/notifications?person_id={org.mentee['id']}", org.token)
                   .json()["items"] if d["kind"] in ("message_received", "more_messages_received")]
        assert notices and all(d["status"] == "sent" or d["skip_code"] == "read_in_app" for d in notices), notices
        assert sum(d["status"] == "sent" for d in notices) <= 1, notices
    eventually(told_at_most_once, timeout=10)

    # Notification preferences and quiet hours; my data.
    mentee.get_by_role("link", name="Notifications").click()
    mentee.get_by_label("From").fill("20:30")
    mentee.get_by_role("button", name="Save").click()
    expect(mentee.get_by_text("Saved.")).to_be_visible()
    check_page(mentee, "settings")
    person = platform.call("GET", f"/v1/people/{org.mentee['id']}", org.token).json()
    assert person["quiet_hours"]["start"] == "20:30"
    # My data: the platform gathers the copy (every service adds its part), the page says how far it has got
    # and offers the archive once ready; the archive holds the conversation and a plain-words summary.
    mentee.get_by_role("link", name="My data").click()
    mentee.get_by_role("button", name="Ask for a copy of my data").click()
    expect(mentee.get_by_text(re.compile(r"Gathering your copy: \d of 9 parts|Your copy is ready"))).to_be_visible()
    expect(mentee.get_by_role("status")).to_contain_text("Your copy is ready", timeout=30_000)
    with mentee.expect_download() as download:
        mentee.get_by_role("link", name="Download my data (.zip)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        assert "Hello Ada! I saw your telescope photos." in archive.read("messaging.json").decode()
        assert "Everything ementor holds about you" in archive.read("summary.html").decode()
    check_page(mentee, "my-data")
    mentee.reload()  # the ready copy is still offered on a later visit
    expect(mentee.get_by_role("link", name="Download my data (.zip)")).to_be_visible()
    expect(mentee.get_by_role("button", name="Ask for a new copy")).to_be_visible()


def invited_staff(platform, browser, org, name: str, role: str):
    """A member of staff invited through the API, signed in from the emailed invitation link."""
    email = f"{name.split()[0].lower()}@{org.slug}.example.org"
    invited = time.time()
    platform.call("POST", "/v1/staff", org.token, json={"name": name, "email": email, "role": role})
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(platform.emailed_link(email, "/invitations/accept", after=invited - 1))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
    return page


def check_page_after(page, action, name: str) -> None:
    action()
    check_page(page, name)


def send(page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def live(sender, receiver, text: str) -> None:
    """The receiver's page shows the message within LIVE_SECONDS, without reloading."""
    send(sender, text)
    started = time.monotonic()
    expect(receiver.get_by_text(text)).to_be_visible(timeout=LIVE_SECONDS * 1000)
    assert time.monotonic() - started < LIVE_SECONDS


def test_the_app_speaks_spanish_to_a_spanish_browser_and_explains_a_bad_link(platform, browser):
    page = browser.new_context(viewport=PHONE, locale="es-ES").new_page()
    page.goto(platform.base + "/sign-in/complete?token=not-a-real-token")
    expect(page.get_by_role("heading", level=1)).to_have_text("Este enlace no ha podido iniciar tu sesión")
    expect(page.get_by_role("alert")).to_contain_text("Pide uno nuevo.")
    check_page(page, "bad-link-es")
    page.get_by_role("link", name="Pedir un enlace nuevo").click()
    expect(page.get_by_role("button", name="Envíame un enlace para entrar")).to_be_visible()


def test_the_server_serves_the_app_with_a_strict_policy_and_never_shadows_the_api(platform):
    page = platform.call("GET", "/matches/abc/conversation")
    assert page.headers["Content-Type"].startswith("text/html") and '<div id="app">' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
    missing = platform.call("GET", "/v1/no-such-endpoint", expect=404).json()
    assert missing["error"]["code"] == "not_found"
    assert platform.call("GET", "/health/live").json() == {"status": "ok"}
