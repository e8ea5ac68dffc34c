"""A coordinator reads the insights pages in a real browser: the figures of what was seeded, a
chart drawn and its table, the range checked on the page and refused by the API in words, the
topics held back below five conversations, a CSV download, the matches at risk and the
dashboard's count of them, and how the advice library was used.

Seeded through the API: six people, three active matches, four messages in two of them. The
third match is made quiet by one MatchAccepted republished 24 days back (as the integration
tests of insights do), so its health falls below the line without waiting three weeks."""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ementor_contracts.events.matching import MatchAccepted
from playwright.sync_api import expect

from tests.support.publish import publish_event

from .browser import ARTEFACTS, DESKTOP, PHONE
from .journey_participants import invited_staff
from .pages import check_page

pytestmark = pytest.mark.e2e

MENTORS = (("Ada Okafor", ["robotics"]), ("Ben Carter", ["music"]), ("Chen Wei", ["chess"]))
MENTEES = (("Sam Rivera", ["robotics"]), ("Tia Moss", ["music"]), ("Uma Patel", ["chess"]))
TALK = ("Hello Sam, looking forward to our first chat about university!",
        "Thanks! I finished the draft of my UCAS statement.",
        "Great, I will read it tonight and send notes.")


@dataclass
class Seeded:
    slug: str
    token: str
    matches: list[dict]
    names: dict[str, str]


@pytest.fixture(scope="module")
def seeded(platform) -> Seeded:
    slug = f"insights-{uuid.uuid4().hex[:6]}"
    created = platform.call("POST", "/v1/organisations", platform.admin_token,
                            json={"slug": slug, "name": "Hillside College"}).json()
    token = platform.call("POST", "/v1/auth/token", created["api_key"]).json()["access_token"]
    programme = platform.call("POST", "/v1/programmes", token, json={"name": "University ready"}).json()

    def person(role: str, name: str, interests: list[str]) -> dict:
        return platform.call("POST", "/v1/people", token, json={
            "programme_id": programme["id"], "role": role, "name": name, "timezone": "Europe/London",
            "email": f"{name.split()[0].lower()}@{slug}.example.org", "interests": interests, "languages": ["en"],
            "vetted": role == "mentor"}).json()

    mentors = [person("mentor", n, i) for n, i in MENTORS]
    mentees = [person("mentee", n, i) for n, i in MENTEES]
    matches = []
    for mentor, mentee in zip(mentors, mentees, strict=True):
        _until_recommended(platform, token, mentee["id"], mentor["id"])
        match = platform.call("POST", "/v1/matches", token, json={
            "mentee_id": mentee["id"], "mentor_id": mentor["id"], "programme_id": programme["id"]}).json()
        for side in (mentor, mentee):
            platform.call("POST", f"/v1/matches/{match['id']}/accept", token, json={"person_id": side["id"]})
        matches.append(match)

    def as_person(p: dict) -> str:
        return platform.call("POST", "/v1/auth/token", created["api_key"], json={"person_id": p["id"]}).json()["access_token"]

    talking, opened, quiet = matches
    pair = [as_person(mentors[0]), as_person(mentees[0])]
    for n, text in enumerate(TALK):  # mentor, mentee, mentor
        _post(platform, pair[n % 2], talking["id"], text)
    _post(platform, as_person(mentors[1]), opened["id"], "Hi Tia, shall we talk about your UCAS choices?")
    # The quiet match: accepted 24 days ago, as far as insights knows (the earliest acceptance wins).
    publish_event(os.environ["EMENTOR_WEB_E2E_AMQP_URI"], MatchAccepted(
        match_id=quiet["id"], mentor_id=mentors[2]["id"], mentee_id=mentees[2]["id"], programme_id=programme["id"]),
        created["id"], time=datetime.now(UTC) - timedelta(days=24))
    # The library: all six open the CV article (one twice), three answer "Was this helpful?", two questions.
    readers = [as_person(p) for p in mentors + mentees]
    for reader in [*readers, readers[0]]:
        platform.call("GET", "/v1/articles/writing-a-cv", reader)
    for reader, helpful in zip(readers[3:], (True, True, False), strict=True):
        platform.call("POST", "/v1/articles/writing-a-cv/feedback", reader, json={"helpful": helpful})
    for question in ("how do I write a CV with no experience", "can i vote at sixteen"):
        platform.call("POST", "/v1/advice", readers[3], json={"question": question})
    names = {p["id"]: p["name"] for p in mentors + mentees}
    return Seeded(slug, token, matches, names)


def _post(platform, token: str, match_id: str, body: str, wait: float = 15.0) -> None:
    """Messaging opens a conversation on MatchAccepted: retry the 409 until it has."""
    deadline = time.monotonic() + wait
    while True:
        r = platform.call("POST", f"/v1/matches/{match_id}/messages", token, json={"body": body}, expect=(201, 409))
        if r.status_code == 201:
            assert r.json()["status"] == "delivered", r.json()
            return
        assert time.monotonic() < deadline, r.text
        time.sleep(0.1)


def _until_recommended(platform, token: str, mentee_id: str, mentor_id: str, wait: float = 20.0) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = platform.call("GET", f"/v1/people/{mentee_id}/recommendations", token, expect=(200, 404))
        if found.status_code == 200 and any(r["mentor_id"] == mentor_id for r in found.json()["items"]):
            return
        time.sleep(0.1)
    raise AssertionError("matching never learnt the seeded people")


def _until_insights_counted(platform, seeded: Seeded, wait: float = 20.0) -> dict:
    """Insights learns from events: wait until it has every message and the quiet match at risk."""
    deadline = time.monotonic() + wait
    while True:
        overview = platform.call("GET", "/v1/insights/overview", seeded.token).json()
        at_risk = platform.call("GET", "/v1/insights/matches?health=at_risk", seeded.token).json()["items"]
        counted = overview["reading"]["articles_read"] == 6 and overview["reading"]["questions_asked"] == 2
        if overview["totals"]["messages"] == 4 and overview["totals"]["active_matches_now"] == 3 and at_risk and counted:
            return overview
        assert time.monotonic() < deadline, (overview["totals"], at_risk)
        time.sleep(0.2)


def test_a_coordinator_reads_the_insights_downloads_a_table_and_finds_the_match_at_risk(platform, browser, seeded):
    overview = _until_insights_counted(platform, seeded)
    registered = overview["funnel"][0]
    assert (registered["mentees"], registered["mentors"]) == (3, 3)
    assert overview["topics"] == [] and overview["topics_suppressed"] >= 1  # two conversations: below k = 5

    page = invited_staff(platform, browser, seeded, "Cleo Hart", "coordinator")
    page.get_by_role("navigation").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")

    # The headline figures are what was seeded.
    funnel = page.get_by_role("list", name="From registration to the end of a match")
    expect(funnel.get_by_role("listitem").filter(has_text="people registered")).to_contain_text("6")
    expect(funnel.get_by_role("listitem").filter(has_text="people registered")).to_contain_text("Mentees: 3 · mentors: 3")
    expect(page.get_by_role("listitem").filter(has_text="messages a week on average")).to_contain_text("4 messages in all")
    expect(page.get_by_role("listitem").filter(has_text="messages held for moderation")).to_contain_text("0 waiting now")

    # Charts are drawn (a canvas each), with a sentence and a table that say the same.
    for chart in ("funnel", "weekly", "replies"):
        expect(page.locator(f'[data-chart="{chart}"] canvas').first).to_be_attached()
    expect(page.get_by_text("6 people registered,")).to_be_visible()
    expect(page.get_by_text("4 messages over")).to_be_visible()
    page.get_by_text("From registration to the end of a match: the figures as a table").click()
    table = page.get_by_role("table", name="From registration to the end of a match")
    expect(table.get_by_role("row", name="Registered")).to_contain_text("3")
    expect(table.get_by_role("columnheader", name="Mentors: average days in the stage")).to_be_visible()
    # On a phone each row is a block of "heading: figure" lines, one under another, and no table needs
    # a sideways scroll (five and seven columns did).
    page.set_viewport_size(PHONE)
    page.get_by_text("Messages each week: the figures as a table").click()
    for name in ("From registration to the end of a match", "Messages each week"):
        shown = page.get_by_role("table", name=name)
        table_px, card_px = shown.evaluate("t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]")
        assert table_px <= card_px, f"the table {name!r} ({table_px} px) overflows its card ({card_px} px) at 360 px"
    lines = table.get_by_role("row", name="Registered").get_by_role("cell").evaluate_all(
        "cells => cells.map(c => [getComputedStyle(c, '::before').content, c.innerText, c.getBoundingClientRect().top])")
    assert [(label, figure) for label, figure, _ in lines[:2]] == [('"Mentees"', "3"), ('"Mentors"', "3")], lines
    assert len({top for _, _, top in lines}) == len(lines), f"the row's figures share a line at 360 px: {lines}"
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTEFACTS / "staff-insights-tables-360.png"))
    # At desktop width the whole table fits its card: no column hidden behind a scroll bar.
    page.set_viewport_size(DESKTOP)
    table_px, card_px = table.evaluate("t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]")
    assert table_px <= card_px, f"the funnel table ({table_px} px) overflows its card ({card_px} px)"
    # Each drawn chart can be saved as a picture for a report: a PNG with the chart on it.
    with page.expect_download() as picture:
        page.get_by_role("button", name="Save “Messages each week” as an image (PNG)").click()
    assert picture.value.suggested_filename == "ementor-chart-weekly.png"
    png = Path(picture.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2_000, len(png)
    # Topics: too few conversations, said in words rather than drawn.
    expect(page.get_by_text("Too few conversations to show topics")).to_be_visible()
    # The advice library: six first opens (a second open is not another reader), two of three found it
    # helpful, and the article is named because six people read it.
    library = page.get_by_role("region", name="The advice library")
    expect(library.get_by_role("listitem").filter(has_text="articles opened for the first time")).to_contain_text("6")
    expect(library.get_by_role("listitem").filter(has_text="found it helpful")).to_contain_text("67%")
    asked = library.get_by_role("listitem").filter(has_text="questions asked of the library")
    expect(asked).to_contain_text("2")
    expect(asked).to_contain_text("50% answered by an article")  # the library said it had no good answer once
    expect(page.get_by_text("The most read article is “Writing your first CV”, opened by 6 people.")).to_be_visible()
    page.get_by_text("Most read articles: the figures as a table").click()
    expect(page.get_by_role("table", name="Most read articles").get_by_role("row", name="Writing your first CV")
           ).to_contain_text("6")
    check_page(page, "staff-insights")

    # A CSV of every match's health, downloaded with the session's cookie.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download “Every match's health” as CSV").click()
    assert info.value.suggested_filename.startswith("ementor-insights-matches-")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert {"match_id", "score", "at_risk", "reasons", "reason_codes", "messages"} <= set(rows[0])
    assert sorted(int(r["messages"]) for r in rows) == [0, 1, 3]
    quiet_row = next(r for r in rows if r["match_id"] == seeded.matches[2]["id"])
    # Quiet since it began; the nudge job may have reminded the pair already (then reminders_unanswered follows).
    assert quiet_row["reason_codes"].split("; ")[0] == "quiet_since_start", quiet_row["reason_codes"]

    # The range: checked on the page, and the API's refusal said in words.
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-02-01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("The start date is after the end date.")).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_have_attribute("aria-invalid", "true")
    page.goto(platform.base + "/staff/insights?from=2015-01-01&to=2025-01-01")
    expect(page.get_by_role("alert")).to_contain_text("That range is longer than five years. Choose a shorter range.")

    # The matches at risk: the quiet one, its score and why, linking to the match.
    page.get_by_role("link", name="See the matches at risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matches at risk")
    quiet = seeded.matches[2]
    pair = f"{seeded.names[quiet['mentee_id']]} and {seeded.names[quiet['mentor_id']]}"
    card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=pair))
    expect(card).to_contain_text("No message since the match started 24 days ago")
    expect(card).to_contain_text("out of 100")
    expect(page.get_by_role("status")).to_have_text("Matches at risk now: 1")
    check_page(page, "staff-insights-at-risk")
    card.get_by_role("link", name=pair).click()
    expect(page).to_have_url(f"{platform.base}/matches/{quiet['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(seeded.names[quiet["mentor_id"]])

    # The dashboard counts them too; and the insights page speaks Spanish.
    page.get_by_role("navigation").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("listitem").filter(has_text="matches at risk")).to_contain_text("1")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("navigation").get_by_role("link", name="Estadísticas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estadísticas")
    expect(page.get_by_text("4 mensajes en total")).to_be_visible()
    expect(page.locator('[data-chart="funnel"] canvas').first).to_be_attached()
    check_page(page, "staff-insights-es")
    # Why a match is at risk, said in Spanish from the API's reason codes.
    page.get_by_role("link", name="Ver las parejas en riesgo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parejas en riesgo")
    expect(page.locator(".reasons")).to_contain_text("Ningún mensaje desde que empezó la mentoría hace 24 días")
    check_page(page, "staff-insights-at-risk-es")


def test_a_new_organisation_with_its_first_mentee_sees_the_empty_states_in_words(platform, browser):
    slug = f"empty-{uuid.uuid4().hex[:6]}"
    created = platform.call("POST", "/v1/organisations", platform.admin_token, json={"slug": slug, "name": "New Org"}).json()
    org = Seeded(slug, platform.call("POST", "/v1/auth/token", created["api_key"]).json()["access_token"], [], {})
    programme = platform.call("POST", "/v1/programmes", org.token, json={"name": "First steps"}).json()
    platform.call("POST", "/v1/people", org.token, json={
        "programme_id": programme["id"], "role": "mentee", "name": "Noor Haddad", "timezone": "Europe/London",
        "email": f"noor@{slug}.example.org"})
    deadline = time.monotonic() + 20
    while platform.call("GET", "/v1/insights/overview", org.token).json()["funnel"][0]["mentees"] != 1:
        assert time.monotonic() < deadline, "insights never counted the first mentee"
        time.sleep(0.2)
    page = invited_staff(platform, browser, org, "Dev Lane", "coordinator")
    page.goto(platform.base + "/staff/insights")
    # One person is a singular, in the sentence and under the figure.
    expect(page.get_by_text("1 person registered, 0 were matched,")).to_be_visible()
    registered = page.get_by_role("list", name="From registration to the end of a match").get_by_role("listitem").first
    expect(registered.locator(".figure")).to_have_text("1")
    expect(registered).to_contain_text("person registered")
    expect(page.get_by_text("No messages were sent in these weeks.")).to_be_visible()
    expect(page.get_by_text("No topics yet in these weeks.")).to_be_visible()
    expect(page.locator('[data-chart="weekly"] canvas').first).to_be_attached()
    page.get_by_role("link", name="See the matches at risk").click()
    expect(page.get_by_text("No match is at risk just now.")).to_be_visible()
    check_page(page, "staff-insights-at-risk-empty")
