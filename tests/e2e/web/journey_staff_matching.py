"""A coordinator in a real browser: creates a programme with a custom field, runs a cohort match
for it, watches its progress, reviews the proposed pairs with their reasons (and who could not be
matched, and why) before anything is sent, publishes them, reads the moderation audit log, and
changes a matching weight (a 422 shown beside the field first); for a mentee no mentor suits, the
page says why, and one added to no programme is moved to a programme with room; the overview counts
the mentees waiting for a mentor and those with none to choose. Every new page is checked with axe at 360
and 1280 px."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.events import eventually

from .browser import ARTEFACTS, DESKTOP, PHONE
from .journey_participants import invited_staff
from .pages import check_page

pytestmark = pytest.mark.e2e


class Org:
    def __init__(self, platform):
        self.platform = platform
        self.slug = f"harbour-{uuid.uuid4().hex[:6]}"
        self.mentor: dict = {}  # the fixture's active pair: Olu and Pia
        self.mentee: dict = {}
        created = platform.call("POST", "/v1/organisations", platform.admin_token,
                                json={"slug": self.slug, "name": "Harbour College"}).json()
        self.api_key = created["api_key"]
        self.token = platform.call("POST", "/v1/auth/token", self.api_key).json()["access_token"]

    def call(self, method: str, path: str, **kwargs):
        return self.platform.call(method, path, self.token, **kwargs).json()

    def person(self, programme_id: str, role: str, name: str, interests: list[str], **fields) -> dict:
        body = {"role": role, "name": name, "email": f"{name.split()[0].lower()}@{self.slug}.example.org",
                "timezone": "Europe/London", "languages": ["en"], "interests": interests, "programme_id": programme_id,
                "custom_fields": fields}
        if role == "mentor":
            body.update(capacity=1, vetted=True)
        return self.call("POST", "/v1/people", json=body)

    def person_token(self, person_id: str) -> str:
        return self.platform.call("POST", "/v1/auth/token", self.api_key, json={"person_id": person_id}).json()["access_token"]

    def until_recommended(self, mentee_id: str, mentor_id: str, wait: float = 20.0) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            found = self.platform.call("GET", f"/v1/people/{mentee_id}/recommendations", self.token, expect=(200, 404))
            if found.status_code == 200 and any(r["mentor_id"] == mentor_id for r in found.json()["items"]):
                return
            time.sleep(0.1)
        raise AssertionError("matching never learnt the people")


@pytest.fixture(scope="module")
def org(platform):
    """An active match between adults whose message was held (the audit log's first entry)."""
    org = Org(platform)
    seed = org.call("POST", "/v1/programmes", json={"name": "Alumni circle"})
    mentor = org.person(seed["id"], "mentor", "Olu Bassey", ["sailing"])
    mentee = org.person(seed["id"], "mentee", "Pia Lund", ["sailing"])
    org.until_recommended(mentee["id"], mentor["id"])
    match = org.call("POST", "/v1/matches", json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]})
    for person in (mentee, mentor):
        org.call("POST", f"/v1/matches/{match['id']}/accept", json={"person_id": person["id"]})
    token, deadline = org.person_token(mentee["id"]), time.monotonic() + 20
    while True:  # messaging learns the match is active from MatchAccepted: usually well under 1 s
        sent = platform.call("POST", f"/v1/matches/{match['id']}/messages", token, expect=(201, 409),
                             json={"body": "Write to me at pia.lund@example.com please"})
        if sent.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sent.status_code == 201 and sent.json()["status"] == "held", sent.text
    org.call("PUT", "/v1/settings/notifications", json={"message_notice_minutes": 0})  # a notice per message
    for i in range(11):  # Olu is told of each: more notices than his page shows at first
        platform.call("POST", f"/v1/matches/{match['id']}/messages", token, json={"body": f"Thanks, part {i + 1}"})
    org.mentor, org.mentee = mentor, mentee
    return org


def test_a_coordinator_creates_a_programme_reviews_and_publishes_a_cohort_run_and_tunes_matching(platform, browser, org):
    page = invited_staff(platform, browser, org, "Cora Lind", "coordinator")
    nav = page.get_by_role("navigation")

    # Programmes: a refused form shows the problem beside the field, then a programme with a custom field.
    nav.get_by_role("link", name="Programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    expect(page.get_by_role("link", name="Alumni circle")).to_be_visible()
    page.get_by_role("button", name="Add a custom field").click()
    page.get_by_label("Question shown to people").fill("Which field do you study?")
    page.get_by_label("Short name").fill("subject")
    page.get_by_label("Kind of answer").select_option("single_choice")
    page.get_by_label("Choices").fill("Engineering, Medicine, Law")
    page.get_by_label("Required").check()
    page.get_by_role("button", name="Create the programme").click()  # no name yet
    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    expect(page.get_by_label("Programme name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#programme-name-error")).to_contain_text("at least 1 character")
    page.get_by_label("Programme name").fill("Engineering futures")
    page.get_by_label("Description (optional)").fill("First-year students meet working engineers.")
    check_page(page, "staff-programmes")
    page.get_by_role("button", name="Create the programme").click()
    expect(page.get_by_role("status")).to_contain_text("Programme Engineering futures created.")
    page.get_by_role("status").get_by_role("link", name="See Engineering futures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering futures")
    field = page.get_by_role("row", name="Which field do you study? (subject)")
    expect(field).to_contain_text("One choice from a list")
    expect(field).to_contain_text("Engineering, Medicine, Law")
    check_page(page, "staff-programme")

    # Its people arrive (as an import would make them); then a cohort run, reviewed before publishing.
    programme = next(p for p in org.call("GET", "/v1/programmes")["items"] if p["name"] == "Engineering futures")
    mentors = [org.person(programme["id"], "mentor", "Rosa Diaz", ["robotics", "bridges"], subject="Engineering"),
               org.person(programme["id"], "mentor", "Tom Okoro", ["chemistry"], subject="Engineering")]
    mentees = [org.person(programme["id"], "mentee", "Ana Silva", ["robotics", "bridges"], subject="Engineering"),
               org.person(programme["id"], "mentee", "Ben Moss", ["chemistry"], subject="Engineering"),
               org.person(programme["id"], "mentee", "Eve Park", ["golf"], subject="Engineering")]
    org.until_recommended(mentees[0]["id"], mentors[0]["id"])
    org.until_recommended(mentees[1]["id"], mentors[1]["id"])
    page.get_by_role("link", name="Match this programme").click()
    expect(page.get_by_label("Programme", exact=True)).to_have_value(programme["id"])
    page.get_by_role("button", name="Find the best pairs").click()
    progress = page.locator("progress#run-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "1")
    expect(page.get_by_text("Ready for your review: 100% done")).to_be_visible()
    expect(page.get_by_role("heading", name="Review the proposed pairs")).to_be_visible()
    pairs = page.get_by_role("list", name="Proposed pairs (2), best first").locator(":scope > li")
    expect(pairs).to_have_count(2)
    expect(pairs.nth(0)).to_contain_text("Ana Silva with Rosa Diaz")
    expect(pairs.nth(0)).to_contain_text(re.compile(r"They both like (robotics and bridges|bridges and robotics)\."))
    expect(pairs.nth(1)).to_contain_text("Ben Moss with Tom Okoro")
    expect(pairs.nth(1)).to_contain_text("They both like chemistry.")
    unmatched = page.get_by_role("table", name="Mentees who could not be matched (1)")
    expect(unmatched.get_by_role("row", name="Eve Park")).to_contain_text("No mentor shares enough interests")
    assert org.call("GET", "/v1/matches?status=proposed")["items"] == []  # nothing is sent before publishing
    check_page(page, "staff-matching-review")
    page.get_by_role("button", name="Publish 2 matches").click()
    expect(page.get_by_role("status")).to_have_text(
        "Published: 2 matches proposed. Each mentor and mentee is being asked to accept.")
    proposed = org.call("GET", "/v1/matches?status=proposed")["items"]
    assert {(m["mentee_id"], m["mentor_id"]) for m in proposed} == {
        (mentees[0]["id"], mentors[0]["id"]), (mentees[1]["id"], mentors[1]["id"])}
    expect(page.get_by_role("button", name="Publish 2 matches")).to_have_count(0)

    # The overview counts the mentees still waiting (Eve) and those with no mentor to choose (Eve too);
    # its link opens Matching on those, and the page says why none suits Eve and what would help.
    nav.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("listitem").filter(has_text="mentees waiting for a mentor").locator(".figure")).to_have_text("1")
    no_mentor = page.get_by_role("listitem").filter(has_text="mentees with no mentor to choose")
    expect(no_mentor.locator(".figure")).to_have_text("1")
    # The published proposals wait for answers: the overview names who has not answered yet.
    org.call("POST", f"/v1/matches/{proposed[0]['id']}/accept", json={"person_id": proposed[0]["mentor_id"]})
    page.reload()
    unanswered = page.get_by_role("list", name="Proposals waiting for an answer").get_by_role("listitem")
    expect(unanswered).to_have_count(2)
    names = {mentees[0]["id"]: "Ana Silva", mentees[1]["id"]: "Ben Moss", mentors[0]["id"]: "Rosa Diaz",
             mentors[1]["id"]: "Tom Okoro"}
    first, other = (names[proposed[0]["mentee_id"]], names[proposed[0]["mentor_id"]]), \
        (names[proposed[1]["mentee_id"]], names[proposed[1]["mentor_id"]])
    expect(unanswered.filter(has_text=f"{first[0]} and {first[1]}, proposed today:")).to_have_text(
        f"{first[0]} and {first[1]}, proposed today: waiting for {first[0]}")  # the mentor has accepted
    expect(unanswered.filter(has_text=f"{other[0]} and {other[1]}, proposed today:")).to_have_text(
        f"{other[0]} and {other[1]}, proposed today: waiting for {other[0]} and {other[1]}")
    check_page(page, "staff-dashboard-waiting")
    no_mentor.get_by_role("link", name="See why, and what to change").click()
    expect(page.get_by_label("Show")).to_have_value("no-mentor")
    listed = page.get_by_role("region", name="Match one mentee").locator("ul.choices button")
    expect(listed).to_have_text(["Eve Park no mentor to choose"], use_inner_text=True)
    page.get_by_role("button", name="Eve Park").click()
    why = page.get_by_role("list", name="Of the 2 mentors in Engineering futures:").get_by_role("listitem")
    expect(why).to_have_text(["2 share too few interests with Eve Park"])  # proposed, Rosa and Tom still have room
    expect(page.get_by_role("link", name="Add mentors, or give mentors more places, on the People page")).to_be_visible()
    expect(page.get_by_role("link", name="Add interests to Eve Park's details on their page")).to_have_attribute(
        "href", f"/staff/people/{mentees[2]['id']}")
    check_page(page, "staff-matching")

    # Noa was added to no programme, where no mentor is: the page points to her own page, where she is
    # moved to the programme of a mentor with room; then that mentor is offered.
    alumni = next(p for p in org.call("GET", "/v1/programmes")["items"] if p["name"] == "Alumni circle")
    ife = org.person(alumni["id"], "mentor", "Ife Mensah", ["sailing"])
    noa = org.person(None, "mentee", "Noa Green", ["sailing"])

    def matching_knows_them():
        pool = platform.call("GET", f"/v1/people/{noa['id']}/recommendations", org.token).json()["pool"]
        assert pool["with_room_elsewhere"] == 3  # Ife; Rosa and Tom until their proposed matches are accepted
    eventually(matching_knows_them)
    page.reload()  # the page lists the mentees there were when it opened
    page.get_by_label("Find a mentee").fill("noa")
    page.get_by_role("button", name="Noa Green").click()
    expect(page.get_by_text("Noa Green is in no programme, and no mentor is outside one")).to_be_visible()
    expect(page.get_by_text("3 mentors with a free place are in other programmes.")).to_be_visible()
    check_page(page, "staff-matching-no-programme")
    page.get_by_role("link", name="Move Noa Green to another programme on their page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noa Green")
    page.get_by_text("Change their details").click()
    page.get_by_label("Programme").select_option(label="Alumni circle")
    page.get_by_role("button", name="Save their details").click()
    expect(page.get_by_role("status")).to_have_text("Saved Noa Green's details.")
    org.until_recommended(noa["id"], ife["id"])
    nav.get_by_role("link", name="Matching").click()
    page.get_by_label("Find a mentee").fill("noa")
    page.get_by_role("button", name="Noa Green").click()
    # A list shorter than asked says what ruled out the programme's other mentors: Olu has no free place.
    only = page.get_by_role("list", name="1 of the 2 mentors in Alumni circle can be offered to Noa Green. Of the others:")
    expect(only.get_by_role("listitem")).to_have_text(["1 has no free place"])
    check_page(page, "staff-matching-short-list")
    page.get_by_role("button", name="Propose Ife Mensah").click()
    expect(page.get_by_role("status")).to_have_text("Proposed: Noa Green and Ife Mensah are asked to accept.")
    page.get_by_label("Show").select_option(label="Waiting for a mentor")  # no longer waiting
    expect(page.get_by_text("No mentee has that name.")).to_be_visible()

    # A mentee added by hand to a programme with a required question answers it on the same form.
    nav.get_by_role("link", name="People").click()
    add = page.get_by_role("region", name="Add a mentor or mentee")
    add.get_by_label("Full name").fill("Zoe Hart")
    add.get_by_label("Email address").fill(f"zoe@{org.slug}.example.org")
    add.get_by_label("Programme").select_option(label="Engineering futures")
    questions = add.get_by_role("group", name="The programme's questions")
    add.get_by_role("button", name="Add the mentee").click()
    expect(questions.locator(".field-error")).to_contain_text(
        "the programme requires an answer to: Which field do you study? (subject)")
    questions.get_by_label("Which field do you study?").select_option("Medicine")
    check_page(page, "staff-people-questions")
    add.get_by_role("button", name="Add the mentee").click()
    expect(add.get_by_role("status")).to_contain_text("Zoe Hart has been added.")
    zoe = next(p for p in org.call("GET", "/v1/people?role=mentee&limit=100")["items"] if p["name"] == "Zoe Hart")
    assert (zoe["programme_id"], zoe["custom_fields"]) == (programme["id"], {"subject": "Medicine"})
    page.goto(f"{platform.base}/staff/people/{zoe['id']}")
    expect(page.get_by_role("definition").filter(has_text="Medicine")).to_be_visible()

    # Ana's page says what she was sent: her new match's email (she has no phone, so no text).
    def ana_told():
        assert [d["status"] for d in org.call("GET", f"/v1/notifications?person_id={mentees[0]['id']}")["items"]] == [
            "sent"]
    eventually(ana_told, timeout=15)
    page.goto(f"{platform.base}/staff/people/{mentees[0]['id']}")
    sent = page.get_by_role("region", name="Emails and texts").get_by_role("listitem")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("A match is proposed · Email")
    expect(sent).to_contain_text("“You have a new mentoring match to look at”")
    expect(sent).to_contain_text("Sent on ")
    check_page(page, "staff-person-notifications")
    expect(page.get_by_role("button", name="Show older emails and texts")).to_have_count(0)  # all of Ana's shown

    # Olu was told of Pia's eleven messages: the ten newest notices, then the older ones on asking.
    def olu_told():
        found = org.call("GET", f"/v1/notifications?person_id={org.mentor['id']}&limit=50")["items"]
        assert sum(d["kind"] == "message_received" for d in found) == 11
        return len(found)
    total = eventually(olu_told, timeout=20)
    page.goto(f"{platform.base}/staff/people/{org.mentor['id']}")
    told = page.get_by_role("region", name="Emails and texts").get_by_role("listitem")
    expect(told).to_have_count(10)
    page.get_by_role("button", name="Show older emails and texts").click()
    expect(told).to_have_count(total)
    expect(page.get_by_role("button", name="Show older emails and texts")).to_have_count(0)
    check_page(page, "staff-person-notifications-older")

    # The audit log: the held message approved on the moderation page appears, newest first.
    nav.get_by_role("link", name="Moderation").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    nav.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation audit log")
    rows = page.get_by_role("row")
    expect(rows).to_have_count(3)  # the header, approved, held
    expect(rows.nth(1)).to_contain_text("Approved")
    expect(rows.nth(1)).to_contain_text("by you")
    expect(rows.nth(1)).to_contain_text("Pia Lund and Olu Bassey")
    expect(rows.nth(2)).to_contain_text("Held")
    expect(rows.nth(2)).to_contain_text("by ementor (automatic check)")
    expect(rows.nth(2)).to_contain_text("it seems to share contact details")
    check_page(page, "staff-audit")

    # Settings: an out-of-range weight is refused beside its field; a good one is saved and stays.
    nav.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    interests = page.get_by_label("Shared interests", exact=True)
    expect(interests).to_have_value("1")
    interests.fill("11")
    matching = page.get_by_role("form", name="Matching")
    matching.get_by_role("button", name="Save").click()
    expect(page.locator("#weight-interests-error")).to_contain_text("less than or equal to 10")
    interests.fill("2.5")
    matching.get_by_role("button", name="Save").click()
    expect(matching.get_by_role("status")).to_have_text("Matching settings saved as the organisation's default.")
    assert org.call("GET", "/v1/settings/matching")["weights"]["interests"] == 2.5
    video = page.get_by_role("form", name="Video sessions")
    video.get_by_label("Least vetting a mentor needs").select_option("standard")
    video.get_by_label("Invite a minor's guardian to their sessions").check()
    video.get_by_role("button", name="Save").click()
    expect(video.get_by_role("status")).to_be_visible()
    minors = org.call("GET", "/v1/settings/video")["minors"]
    assert (minors["require_vetted_mentor"], minors["min_vetting_level"], minors["invite_guardian"]) == \
        (True, "standard", True)
    notifications = page.get_by_role("form", name="Notifications")  # a chat tells of new messages once per window
    notifications.get_by_label("Tell of new messages at most once per conversation every (minutes)").fill("30")
    notifications.get_by_role("button", name="Save").click()
    expect(notifications.get_by_role("status")).to_have_text("Notification settings saved.")
    assert org.call("GET", "/v1/settings/notifications")["message_notice_minutes"] == 30
    check_page(page, "staff-settings")
    page.reload()
    expect(page.get_by_label("Shared interests", exact=True)).to_have_value("2.5")
    expect(page.get_by_role("heading", name="Sign-in options")).to_have_count(0)  # manage_staff only

    # Conversation topics: rename a default and give it words, add an own topic (a 422 beside its
    # keywords until it has one), remove a default; the saved taxonomy is what messaging tags with.
    topics = page.get_by_role("form", name="Conversation topics")
    topics.get_by_role("button", name="Edit Interviews").click()
    topics.get_by_label("Name", exact=True).first.fill("Interview practice")
    topics.get_by_label("Words that tag it").first.fill("panel day, assessment")
    topics.get_by_role("button", name="Edit Interview practice").click()  # closes it again
    expect(topics.get_by_text("Your words: panel day, assessment")).to_be_visible()
    topics.get_by_role("button", name="Edit Gap year").click()
    topics.get_by_role("button", name="Remove Gap year").click()
    expect(topics.get_by_role("button", name="Restore Gap year")).to_be_visible()
    adding = topics.get_by_role("group", name="Add a topic")
    adding.get_by_label("Name").fill("Robotics club")
    expect(adding.get_by_text("Its id will be robotics-club.")).to_be_visible()
    adding.get_by_role("button", name="Add topic").click()
    topics.get_by_role("button", name="Save topics").click()
    expect(page.locator("#topic-robotics-club-keywords-error")).to_contain_text("at least one keyword")
    expect(topics.get_by_role("alert")).to_be_visible()
    topics.screenshot(path=str(ARTEFACTS / "staff-settings-topics-refused.png"))
    page.locator("#topic-robotics-club-keywords").fill("robot, line-following")
    topics.get_by_role("button", name="Save topics").click()
    expect(topics.get_by_role("status")).to_have_text("Topics saved. Messages and goals from now on are tagged with them.")
    saved = org.call("GET", "/v1/settings/topics")
    by_id = {t["id"]: t for t in saved["topics"]}
    assert (by_id["robotics-club"]["source"], by_id["robotics-club"]["keywords"]) == ("custom", ["robot", "line-following"])
    assert (by_id["interviews"]["label"], by_id["interviews"]["keywords"]) == ("Interview practice", ["panel day", "assessment"])
    assert saved["removed"] == [{"id": "gap-year", "label": "Gap year"}]
    expect(topics.get_by_text("Your own", exact=True)).to_have_count(1)
    check_page(page, "staff-settings-topics")
    size = page.viewport_size
    for label, viewport in (("360", PHONE), ("1280", DESKTOP)):  # the section alone, to read it
        page.set_viewport_size(viewport)
        topics.screenshot(path=str(ARTEFACTS / f"staff-settings-topics-section-{label}.png"))
    page.set_viewport_size(size)

    # The same settings in Spanish.
    page.get_by_role("banner").get_by_label("Language").select_option("es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajustes")
    expect(page.get_by_label("Intereses en común", exact=True)).to_have_value("2.5")
    spanish_topics = page.get_by_role("form", name="Temas de conversación")
    expect(spanish_topics.get_by_text("Solicitudes a la universidad", exact=True)).to_be_visible()  # a default, translated
    expect(spanish_topics.get_by_text("Interview practice", exact=True)).to_be_visible()  # the organisation's, as written
    check_page(page, "staff-settings-es")
