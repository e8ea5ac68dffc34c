"""More of a mentor's and a mentee's journey (issue 14): the mentor sees their mentee's name and
profile, they set and complete goals, reschedule a session in their own time zones, and a profile's
language changes the app's. Every page is checked with axe-core and photographed (artefacts/web/)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest
from playwright.sync_api import expect

from tests.support.events import eventually
from tests.support.oidc_provider import OpenIdProvider

from .browser import DESKTOP, PHONE
from .pages import check_page

pytestmark = pytest.mark.e2e


@dataclass
class World:
    slug: str
    api_key: str
    token: str  # the coordinator's
    mentor: dict
    mentee: dict
    match_id: str


@pytest.fixture(scope="module")
def world(platform) -> World:
    """An organisation with an adult mentee and a mentor in an active match, made through the API."""
    slug = f"hillside-{uuid.uuid4().hex[:6]}"
    created = platform.call("POST", "/v1/organisations", platform.admin_token,
                            json={"slug": slug, "name": "Hillside College"}).json()
    key = created["api_key"]
    token = platform.call("POST", "/v1/auth/token", key).json()["access_token"]
    mentor = platform.call("POST", "/v1/people", token, json={
        "role": "mentor", "name": "Priya Shah", "email": f"priya@{slug}.example.org", "timezone": "America/New_York",
        "interests": ["biology", "chess"], "languages": ["en"], "vetted": True, "bio": "Lab scientist."}).json()
    mentee = platform.call("POST", "/v1/people", token, json={
        "role": "mentee", "name": "Jo Lee", "email": f"jo@{slug}.example.org", "timezone": "Europe/Madrid",
        "interests": ["biology", "football"], "languages": ["en", "es"],
        "bio": "First-year student who wants to work in a lab."}).json()
    mentee_token = platform.call("POST", "/v1/auth/token", key, json={"person_id": mentee["id"]}).json()["access_token"]
    deadline = time.monotonic() + 20
    while True:  # matching learns people from events
        proposed = platform.call("POST", "/v1/matches", mentee_token, expect=(201, 404, 422),
                                 json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]})
        if proposed.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert proposed.status_code == 201, proposed.text
    match_id = proposed.json()["id"]
    for person_id in (mentor["id"], mentee["id"]):
        platform.call("POST", f"/v1/matches/{match_id}/accept", token, json={"person_id": person_id})
    return World(slug, key, token, mentor, mentee, match_id)


def sign_in(platform, browser, world: World, person: dict, **context):
    """A browser signed in as the person through the emailed link."""
    page = browser.new_context(**context).new_page()
    asked = time.time()
    platform.call("POST", "/v1/auth/sign-in", json={"organisation": world.slug, "email": person["email"]})
    page.goto(platform.emailed_link(person["email"], "/sign-in/complete", after=asked - 1))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")
    return page


@pytest.fixture(scope="module")
def mentor_page(platform, browser, world):
    # The browser's clock is in Tokyo, the profile says New York: the app uses the profile's.
    return sign_in(platform, browser, world, world.mentor, viewport=DESKTOP, timezone_id="Asia/Tokyo")


@pytest.fixture(scope="module")
def mentee_page(platform, browser, world):
    return sign_in(platform, browser, world, world.mentee, viewport=PHONE, timezone_id="Europe/Madrid")


def test_a_mentor_sees_their_mentee_s_name_and_public_profile(platform, world, mentor_page):
    page = mentor_page
    page.goto(platform.base + "/")
    page.get_by_role("link", name="With Jo Lee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your match with Jo Lee")
    about = page.get_by_role("region", name="About Jo Lee")
    expect(about).to_contain_text("First-year student who wants to work in a lab.")
    expect(about).to_contain_text("biology and football")
    expect(about).to_contain_text("Europe/Madrid")
    expect(about).not_to_contain_text("@")  # never contact details
    check_page(page, "more-match-mentor")
    page.get_by_role("link", name="Messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages with Jo Lee")


def test_a_goal_is_set_by_the_mentee_and_marked_done_by_the_mentor(platform, world, mentee_page, mentor_page):
    page = mentee_page
    page.goto(f"{platform.base}/matches/{world.match_id}")
    page.get_by_role("link", name="Goals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Goals with Priya Shah")
    expect(page.get_by_text("No goals yet. Agree on a first one together and add it below.")).to_be_visible()
    check_page(page, "more-goals-empty")
    page.get_by_label("Goal", exact=True).fill("Read two papers on cell biology")
    page.get_by_label("Finish by (optional)").fill("2030-05-01")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("status")).to_have_text("Added “Read two papers on cell biology”.")
    goal = page.get_by_role("listitem").filter(has_text="Read two papers on cell biology")
    expect(goal).to_contain_text("Set by you on")
    expect(goal).to_contain_text("Aim to finish by May 1, 2030")

    mentor = mentor_page
    mentor.goto(f"{platform.base}/matches/{world.match_id}/goals")
    expect(mentor.get_by_role("heading", level=1)).to_have_text("Goals with Jo Lee")
    mine = mentor.get_by_role("listitem").filter(has_text="Read two papers on cell biology")
    expect(mine).to_contain_text("Set by Jo Lee on")
    mine.get_by_role("button", name="Mark as done: Read two papers on cell biology").click()
    expect(mentor.get_by_role("status")).to_have_text("Well done! “Read two papers on cell biology” is done.")
    expect(mentor.get_by_text("Every goal is done. Time to set a new one?")).to_be_visible()
    check_page(mentor, "more-goals-done")

    page.reload()
    done = page.get_by_role("region", name="Done").get_by_role("listitem")
    expect(done).to_contain_text("Marked done by Priya Shah on")
    goals = platform.call("GET", f"/v1/matches/{world.match_id}/goals", world.token).json()["items"]
    assert [(g["title"], g["completed_by"]) for g in goals] == [("Read two papers on cell biology", world.mentor["id"])]


def test_a_session_is_rescheduled_in_the_mentor_s_own_time_zone_with_a_sentence_for_each_refusal(
        platform, world, mentor_page):
    new_york = ZoneInfo("America/New_York")
    day = (datetime.now(new_york) + timedelta(days=3)).date()
    at = lambda hour, minute=0: datetime(day.year, day.month, day.day, hour, minute, tzinfo=new_york)
    mentor_token = platform.call("POST", "/v1/auth/token", world.api_key, json={"person_id": world.mentor["id"]}).json()
    book = lambda start: platform.call("POST", f"/v1/matches/{world.match_id}/sessions", mentor_token["access_token"],
                                       json={"starts_at": start.isoformat(), "duration_minutes": 30}).json()
    first, second = book(at(10)), book(at(15))

    page = mentor_page
    page.goto(f"{platform.base}/matches/{world.match_id}/sessions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Video sessions with Jo Lee")
    expect(page.get_by_text("Times are in your time zone, America/New York")).to_contain_text(
        "Jo Lee sees them in theirs, Europe/Madrid.")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="10:00 AM"))
    expect(card.get_by_text("The link works only in this session's slot: from 9:50 AM")).to_contain_text(
        "until 10:30 AM. Outside it the call will not open.")

    card.get_by_role("button", name="Change the time").click()
    when = card.get_by_label("New date and time")
    expect(when).to_be_focused()
    expect(when).to_have_value(f"{day.isoformat()}T10:00")  # New York's wall clock, not Tokyo's
    when.fill(f"{day.isoformat()}T15:00")  # the other session's slot: a 409, as a sentence
    card.get_by_role("button", name="Save the new time").click()
    expect(card.get_by_role("alert")).to_have_text("That time is already booked. Please choose another.")
    when.fill(f"{(day - timedelta(days=5)).isoformat()}T09:00")  # the past: a 422, as a sentence
    card.get_by_role("button", name="Save the new time").click()
    expect(card.get_by_role("alert")).to_have_text("That time has passed. Please choose a time in the future.")
    when.fill(f"{day.isoformat()}T11:30")
    card.get_by_label("Length (minutes)").select_option("45")
    card.get_by_role("button", name="Save the new time").click()
    expect(page.get_by_role("status")).to_contain_text("Moved to")
    expect(page.get_by_role("status")).to_contain_text("11:30 AM. Jo Lee is told")
    expect(page.get_by_role("heading", name="11:30 AM (45 minutes)")).to_be_visible()
    check_page(page, "more-sessions-rescheduled")

    moved = platform.call("GET", f"/v1/sessions/{first['id']}?timezone=UTC", world.token).json()
    assert datetime.fromisoformat(moved["starts_at"]) == at(11, 30) and moved["duration_minutes"] == 45
    assert moved["sequence"] == first["sequence"] + 1
    assert platform.call("GET", f"/v1/sessions/{second['id']}", world.token).json()["status"] == "scheduled"


def test_the_profile_s_language_and_availability_change_the_app_and_what_the_mentor_sees(
        platform, world, mentee_page, mentor_page):
    page = mentee_page  # an English browser
    page.goto(platform.base + "/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    page.get_by_label("When I am usually free").fill("Weekday evenings after 6pm")
    page.get_by_label("Language for ementor and its emails").select_option("es")
    check_page(page, "more-profile-en")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi perfil")  # at once, in Spanish
    expect(page.get_by_role("status")).to_have_text("Guardado.")
    page.reload()  # the profile's language, not this browser's
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi perfil")
    expect(page.get_by_role("link", name="Buscar mentor")).to_be_visible()
    check_page(page, "more-profile-es")
    saved = platform.call("GET", f"/v1/people/{world.mentee['id']}", world.token).json()
    assert (saved["locale"], saved["availability"]) == ("es", "Weekday evenings after 6pm")

    mentor_page.goto(f"{platform.base}/matches/{world.match_id}")
    about = mentor_page.get_by_role("region", name="About Jo Lee")
    expect(about).to_contain_text("Usually free")
    expect(about).to_contain_text("Weekday evenings after 6pm")


def test_a_mentee_answers_their_programme_s_questions_on_their_profile(platform, browser, world):
    programme = platform.call("POST", "/v1/programmes", world.token, json={"name": "Sixth form", "custom_fields": [
        {"key": "year", "label": "School year", "type": "single_choice", "options": ["Year 12", "Year 13"]},
        {"key": "goals", "label": "What you hope for", "type": "multiple_choice",
         "options": ["University", "Apprenticeship", "A job"]}]}).json()
    ria = platform.call("POST", "/v1/people", world.token, json={
        "role": "mentee", "name": "Ria Shah", "email": f"ria@{world.slug}.example.org", "timezone": "Europe/London",
        "programme_id": programme["id"]}).json()
    platform.call("POST", "/v1/people", world.token, json={
        "role": "mentor", "name": "Dev Rao", "email": f"dev@{world.slug}.example.org", "timezone": "Europe/London",
        "interests": ["astronomy"], "capacity": 1, "programme_id": programme["id"]})
    page = sign_in(platform, browser, world, ria, viewport=PHONE, timezone_id="Europe/London")
    # Nobody shares an interest with her (she has none yet): "Find a mentor" tells her what she can do.
    page.goto(platform.base + "/mentors")
    expect(page.get_by_text("No mentor shares enough of your interests yet")).to_be_visible()
    check_page(page, "more-mentors-add-interests")
    page.get_by_role("link", name="Add more of your interests on your profile").click()
    page.get_by_label("Interests").fill("astronomy, film")
    questions = page.get_by_role("group", name="The programme's questions")
    questions.get_by_label("School year (optional)").select_option("Year 13")
    questions.get_by_role("group", name="What you hope for (optional)").get_by_label("Apprenticeship").check()
    check_page(page, "more-profile-questions")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    saved = platform.call("GET", f"/v1/people/{ria['id']}", world.token).json()["custom_fields"]
    assert saved == {"year": "Year 13", "goals": ["Apprenticeship"]}
    page.reload()
    expect(questions.get_by_label("School year (optional)")).to_have_value("Year 13")

    def offered_dev():  # matching learns her interests from ProfileUpdated
        page.goto(platform.base + "/mentors")
        expect(page.get_by_role("heading", name="Dev Rao")).to_be_visible(timeout=1000)
    eventually(offered_dev, timeout=15)


def test_a_minor_sharing_a_phone_number_on_their_profile_is_told_kindly_why_not(platform, browser, world):
    minor = platform.call("POST", "/v1/people", world.token, json={
        "role": "mentee", "name": "Kit Moss", "email": f"kit@{world.slug}.example.org", "timezone": "Europe/London",
        "interests": ["chess"], "is_minor": True,
        "guardian": {"name": "Lee Moss", "email": f"lee@{world.slug}.example.org"}}).json()
    page = sign_in(platform, browser, world, minor, viewport=PHONE, timezone_id="Europe/London")
    page.goto(platform.base + "/profile")
    page.get_by_label("When I am usually free").fill("After school, or text me on 07700 900123")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("alert")).to_contain_text("that is not your fault")
    expect(page.get_by_role("alert")).to_contain_text("contact with your mentor stays on ementor")
    check_page(page, "more-profile-minor-refused")
    kept = platform.call("GET", f"/v1/people/{minor['id']}", world.token).json()
    assert kept["availability"] is None


def test_the_sign_in_page_offers_the_organisation_s_single_sign_on(platform, browser, world):
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(platform.base + "/sign-in?next=%2Fgoals")
    page.get_by_label("Organisation").fill(world.slug)
    page.wait_for_timeout(600)  # asked 300 ms after typing stops: no SSO yet, so no button
    expect(page.get_by_role("link", name="Use your organisation's sign-in (SSO)")).to_have_count(0)

    callback = "http://127.0.0.1:8000/v1/auth/sso/callback"  # the dev platform's EMENTOR_PUBLIC_URL
    with OpenIdProvider(accounts={"jo": {"email": world.mentee["email"], "email_verified": True}},
                        clients=[{"client_id": "hillside-app", "client_secret": "hillside-secret-0123456789abcdef",
                                  "redirect_uris": [callback]}]) as op:
        platform.call("PUT", "/v1/sign-in-options/sso", world.token, json={
            "issuer": op.issuer, "client_id": "hillside-app", "client_secret": "hillside-secret-0123456789abcdef"})
        page.get_by_label("Organisation").fill("")
        page.get_by_label("Organisation").fill(world.slug)
        sso = page.get_by_role("link", name="Use your organisation's sign-in (SSO)")
        expect(sso).to_be_visible()
        assert sso.get_attribute("href") == f"/v1/auth/sso/{world.slug}/start?return_to=%2Fgoals"
        check_page(page, "more-sign-in-sso")
        sso.click()  # off to the organisation's identity provider
        page.wait_for_url(op.issuer + "/**")
    platform.call("DELETE", "/v1/sign-in-options/sso", world.token)


def test_staff_whose_organisation_requires_a_second_factor_enrol_then_sign_in_with_a_recovery_code(
        platform, browser, world):
    platform.call("PUT", "/v1/sign-in-options/totp", world.token, json={"staff_required": True})
    email = f"rosa@{world.slug}.example.org"
    invited = time.time()
    platform.call("POST", "/v1/staff", world.token, json={"name": "Rosa Diaz", "email": email, "role": "coordinator"})
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(platform.emailed_link(email, "/invitations/accept", after=invited - 1))

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    check_page(page, "more-totp-enrol")
    page.get_by_label("6-digit code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That code is not right. Check the time on your phone and type the newest code.")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = page.get_by_role("list", name="Save your recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    check_page(page, "more-totp-recovery-codes")
    page.get_by_role("button", name="I have saved them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Rosa Diaz")

    # Next time: the emailed link, then a recovery code instead of the phone.
    other = browser.new_context(viewport=DESKTOP).new_page()
    asked = time.time()
    platform.call("POST", "/v1/auth/sign-in", json={"organisation": world.slug, "email": email})
    other.goto(platform.emailed_link(email, "/sign-in/complete", after=asked - 1))
    expect(other.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_page(other, "more-totp-code")
    other.get_by_role("button", name="I don't have my phone: use a recovery code").click()
    other.get_by_label("Recovery code").fill(codes[0])
    other.get_by_role("button", name="Continue").click()
    expect(other.get_by_role("alert")).to_have_count(0)
    expect(other.get_by_role("heading", level=1)).to_have_text("Hello, Rosa Diaz")
