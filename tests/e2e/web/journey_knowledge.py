"""Advice without a human, in a real browser: a mentee asks in their own words and reads the article
a passage comes from; asks what the library cannot answer and sends it to their mentor; the mentor
shares an article into the conversation and the mentee sees it as a card; a coordinator writes and
publishes an article that the mentee then finds, and sees which of its articles are past their
review date. Every new page is checked with axe at 360 and
1280 px and photographed (artefacts/web/)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from . import seed
from .browser import DESKTOP, PHONE
from .journey_participants import invited_staff, sign_in
from .pages import check_page

pytestmark = pytest.mark.e2e

STATEMENT = "Writing your UCAS personal statement"
UNANSWERABLE = "what is the best telescope to buy for looking at saturn"
CLUB = "Riverside robotics club"
STALE = "Half-term revision sessions"  # published with a review date that has passed
CLUB_BODY = ("Everyone is welcome, from complete beginners to builders.\n\n"
             "## When the robotics club meets\n"
             "The robotics club meets every Thursday after school in the design technology room, from 3.30 to 5 pm. "
             "Bring <b>your</b> school lanyard so the caretaker can let you in.\n\n"
             "## What you need\n- Nothing but curiosity\n- A notebook")


@pytest.fixture(scope="module")
def org(platform):
    org = seed.organisation(platform)
    # Sam's guardian agrees (the emailed link's token, posted as the consent page posts it) and
    # Sam and Ada are matched: "ask my mentor" and sharing need an active conversation.
    link = platform.emailed_link(org.guardian_email, "/guardian/consent")
    token = parse_qs(urlparse(link).query)["token"][0]
    platform.call("POST", "/v1/guardian-consents/complete", json={"token": token, "decision": "grant"})
    deadline = time.monotonic() + 20  # matching hears of the consent by an event
    while True:
        proposed = platform.call("POST", "/v1/matches", org.token, expect=(201, 409),
                                 json={"mentee_id": org.mentee["id"], "mentor_id": org.mentor["id"]})
        if proposed.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert proposed.status_code == 201, proposed.text
    match = proposed.json()
    for person in (org.mentee, org.mentor):
        platform.call("POST", f"/v1/matches/{match['id']}/accept", org.token, json={"person_id": person["id"]})
    org.match_id = match["id"]
    # A goal of the pair: recommended reading follows it (matching sends its topic labels, not its title).
    platform.call("POST", f"/v1/matches/{match['id']}/goals", org.token, expect=(201,),
                  json={"title": "Get an apprenticeship by September"})
    _until_knowledge_knows_the_match(platform, org)
    return org


def _until_knowledge_knows_the_match(platform, org, wait: float = 20.0) -> None:
    """Knowledge learns matches from events: until then it offers no mentor (usually well under 1 s)."""
    sam = platform.call("POST", "/v1/auth/token", org.api_key, json={"person_id": org.mentee["id"]}).json()["access_token"]
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        advice = platform.call("POST", "/v1/advice", sam, json={"question": "which telescope should I buy"}).json()
        assert not advice["answered"]
        if advice["ask_mentor"]:
            # A second question about telescopes: with the mentee's own in the browser, three
            # unanswered questions share the word, so the staff's statistics name it as a theme.
            platform.call("POST", "/v1/advice", sam, json={"question": "can I see the rings of saturn with a small telescope"})
            break
        time.sleep(0.1)
    else:
        raise AssertionError("knowledge never learnt the match")
    while time.monotonic() < deadline:
        items = platform.call("GET", "/v1/articles/recommended", sam).json()["items"]
        if any(r["kind"] == "goal" for a in items for r in a["reasons"]):
            return
        time.sleep(0.1)
    raise AssertionError("knowledge never learnt the pair's goal")


def ask(page, question: str) -> None:
    page.get_by_label("Ask a question in your own words").fill(question)
    page.get_by_role("button", name="Find answers").click()


def test_a_mentee_gets_answers_at_night_asks_their_mentor_and_finds_what_staff_wrote(platform, browser, org):
    mentee = browser.new_context(viewport=PHONE, timezone_id="Europe/London").new_page()
    sign_in(platform, mentee, org, org.mentee["email"])
    mentee.get_by_role("navigation").get_by_role("link", name="Advice").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Advice")
    expect(mentee.get_by_role("heading", name="Browse the library")).to_be_visible()
    expect(mentee.get_by_role("status").filter(has_text="articles")).to_be_visible()
    recommended = mentee.get_by_role("region", name="Recommended for you")
    expect(recommended.get_by_role("listitem").first).to_contain_text("For a goal you are working on:")
    check_page(mentee, "advice")

    # A question in their own words: passages quoted from the right article, with a link to it.
    ask(mentee, "how do I write a personal statement")
    answers = mentee.get_by_role("list", name="What the library says").get_by_role("listitem")
    expect(answers.first).to_contain_text(STATEMENT)
    expect(answers.first.locator("blockquote")).to_contain_text("statement")
    quoted = answers.first.locator("blockquote").inner_text()
    check_page(mentee, "advice-answered")
    answers.first.get_by_role("link", name=f"Read “{STATEMENT}”").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text(STATEMENT)
    expect(mentee.locator(".article-body")).to_contain_text(quoted[:200])  # quoted as written, not made up
    expect(mentee.get_by_role("heading", name="The three questions from 2026 entry")).to_be_visible()
    expect(mentee.get_by_role("link", name="UCAS — Writing a personal statement")).to_have_attribute(
        "href", "https://www.ucas.com/undergraduate/applying-to-university/writing-personal-statement")
    expect(mentee.get_by_text("Due for review by")).to_be_visible()
    mentee.get_by_role("button", name="Yes").click()
    expect(mentee.get_by_role("status")).to_have_text("Thank you. We are glad it helped.")
    check_page(mentee, "article")
    # One answer per reader: a later visit shows it, and a change of mind replaces it (counted once below).
    mentee.reload()
    expect(mentee.get_by_role("status")).to_have_text("You said this helped. You can change your answer.")
    expect(mentee.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    mentee.get_by_role("button", name="No").click()
    expect(mentee.get_by_role("status")).to_contain_text("Thank you for telling us.")
    expect(mentee.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "true")
    mentee.get_by_role("button", name="Yes").click()
    expect(mentee.get_by_role("status")).to_have_text("Thank you. We are glad it helped.")
    check_page(mentee, "article-answered")

    # Something the library cannot answer: said kindly, and sent to the mentor instead.
    mentee.get_by_role("link", name="Back to advice").click()
    ask(mentee, UNANSWERABLE)
    expect(mentee.get_by_role("heading", name="No good answer in the library yet")).to_be_visible()
    expect(mentee.get_by_text("it may be checked by a coordinator first")).to_be_visible()
    check_page(mentee, "advice-unanswered")
    mentee.get_by_role("button", name="Send this question to my mentor").click()
    expect(mentee.get_by_role("status").filter(has_text="Sent")).to_be_visible()

    # The mentor reads it in the conversation and shares an article back, as a card.
    mentor = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Paris").new_page()
    sign_in(platform, mentor, org, org.mentor["email"])
    mentor.goto(f"{platform.base}/matches/{org.match_id}/conversation")
    expect(mentor.get_by_test_id("messages").get_by_text(UNANSWERABLE)).to_be_visible()
    mentor.get_by_role("button", name="Share an article").click()
    mentor.get_by_label("Search the library").fill("exam stress")
    mentor.get_by_role("button", name="Find", exact=True).click()
    first = mentor.locator(".share-results li").first
    title = first.get_by_role("link").inner_text()
    first.get_by_role("button", name=f"Share: {title}").click()
    expect(mentor.get_by_role("status").filter(has_text="Shared")).to_contain_text(title)
    card = mentor.get_by_test_id("messages").get_by_role("link", name=title)
    expect(card).to_be_visible()
    check_page(mentor, "conversation-share")

    mentee.goto(f"{platform.base}/matches/{org.match_id}/conversation")
    shared = mentee.get_by_test_id("messages").get_by_role("listitem").filter(has_text="Shared an article")
    expect(shared.get_by_role("link", name=title)).to_be_visible()
    expect(mentee.get_by_role("button", name="Share an article")).to_have_count(0)  # mentors share
    check_page(mentee, "conversation-card")
    shared.get_by_role("link", name=title).click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text(title)

    # A coordinator sees the questions in aggregate, writes an article, previews and publishes it.
    stale = platform.call("POST", "/v1/articles", org.token, json={
        "title": STALE, "body": "## When\nThe library opens for revision every morning of the October half-term.",
        "review_by": (date.today() - timedelta(days=30)).isoformat()}).json()
    platform.call("POST", f"/v1/articles/{stale['id']}/publish", org.token)
    coordinator = invited_staff(platform, browser, org, "Chris Moyo", "coordinator")
    coordinator.get_by_role("navigation").get_by_role("link", name="Articles").click()
    asked = coordinator.get_by_role("listitem").filter(has_text="questions asked")
    expect(asked).not_to_contain_text("Loading")
    assert int(asked.locator(".figure").inner_text()) >= 3
    expect(coordinator.get_by_role("listitem").filter(has_text="answered from the library")).to_contain_text("1")
    expect(coordinator.get_by_role("region", name="Questions asked in the last 30 days")).to_contain_text("“telescope”:")
    expect(coordinator.get_by_role("row", name=STALE)).to_contain_text("Past its review date")
    expect(coordinator.get_by_text("1 of your articles is past its review date.", exact=False)).to_be_visible()
    check_page(coordinator, "staff-articles")
    coordinator.get_by_label("Filter by title").fill("personal statement")
    expect(coordinator.get_by_role("row", name=STATEMENT)).to_contain_text("1 yes, 0 no")  # the mentee's last answer, once
    coordinator.get_by_label("Filter by title").fill("Budgeting basics")
    coordinator.get_by_role("row", name="Budgeting basics").get_by_role("button", name="Hide: Budgeting basics").click()
    expect(coordinator.get_by_role("status")).to_have_text("“Budgeting basics” is hidden from your readers.")
    expect(coordinator.get_by_role("row", name="Budgeting basics")).to_contain_text("Hidden")

    coordinator.get_by_role("link", name="Write an article").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Write an article")
    coordinator.get_by_label("Title").fill(CLUB)
    coordinator.get_by_label("Summary").fill("When and where the school's robotics club meets.")
    coordinator.get_by_label("Study skills").check()
    coordinator.get_by_label("Review by").fill("2027-07-31")
    coordinator.get_by_label("The article (Markdown)").fill(CLUB_BODY)
    coordinator.get_by_role("button", name="Preview").click()
    preview = coordinator.get_by_role("region", name="Preview")
    expect(preview.get_by_role("heading", name="When the robotics club meets")).to_be_visible()
    expect(preview.get_by_text("Bring <b>your</b> school lanyard", exact=False)).to_be_visible()
    coordinator.get_by_role("button", name="Save draft").click()
    expect(coordinator.get_by_role("status").filter(has_text="Draft saved")).to_have_text(
        "Draft saved. Readers do not see it until you publish.")
    expect(coordinator.get_by_role("region", name="Published versions")).to_contain_text("Not published yet.")
    check_page(coordinator, "staff-article-edit")
    coordinator.get_by_role("button", name="Publish").click()
    expect(coordinator.get_by_role("status").filter(has_text="Published")).to_have_text(
        "Published as version 1. Readers can find it now.")
    expect(coordinator.get_by_role("region", name="Published versions")).to_contain_text(f"Version 1: “{CLUB}”")
    coordinator.get_by_role("link", name="Back to articles").click()
    expect(coordinator.get_by_role("row", name=CLUB)).to_contain_text("Published (version 1)")
    expect(coordinator.get_by_role("row", name=CLUB)).to_contain_text("July 31, 2027")  # not overdue: a plain date
    coordinator.get_by_role("link", name=CLUB).click()  # the saved article opens for editing again
    expect(coordinator.get_by_label("Title")).to_have_value(CLUB)
    expect(coordinator.get_by_label("Review by")).to_have_value("2027-07-31")
    expect(coordinator.get_by_label("Study skills")).to_be_checked()

    # The mentee finds it by asking; raw HTML in it shows as text, never as markup.
    mentee.goto(platform.base + "/advice")
    ask(mentee, "when does the robotics club meet")
    answers = mentee.get_by_role("list", name="What the library says").get_by_role("listitem")
    club = answers.filter(has_text=CLUB)
    expect(club.first).to_contain_text("every Thursday after school")
    club.first.get_by_role("link", name=f"Read “{CLUB}”").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text(CLUB)
    expect(mentee.get_by_text("Bring <b>your</b> school lanyard", exact=False)).to_be_visible()
    assert mentee.locator(".article-body b").count() == 0
    expect(mentee.get_by_text("Written by your organisation.", exact=False)).to_be_visible()
    check_page(mentee, "article-own")

    # The advice page in Spanish; the hidden article is gone from the mentee's library.
    mentee.get_by_role("link", name="Back to advice").click()
    expect(mentee.get_by_role("link", name="Building confidence")).to_be_visible()  # the list is there
    expect(mentee.get_by_role("link", name="Budgeting basics")).to_have_count(0)  # hidden by the coordinator
    mentee.get_by_label("Search articles").fill("budget money")
    mentee.get_by_role("button", name="Search", exact=True).click()
    hits = mentee.get_by_role("list", name="Passages about “budget money”").get_by_role("listitem")
    expect(hits.first).to_be_visible()
    expect(hits.filter(has_text="Budgeting basics")).to_have_count(0)
    mentee.get_by_label("Language").select_option("es")
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Consejos")
    expect(mentee.get_by_label("Haz una pregunta con tus propias palabras")).to_be_visible()
    check_page(mentee, "advice-es")
