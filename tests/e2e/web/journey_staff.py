"""An administrator uses the staff pages in a real browser: the overview, people (filters, adding a
mentee who is emailed an invitation, a minor's invitation that waits for consent, who has not signed
in yet and a new invitation for each of them, and a CSV import with its per-row report), and staff
(invite, remove), in English and Spanish. The coordinator's moderation journey is in
journey_participants.py, beside the held message."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.support.events import eventually

from . import seed
from .browser import DESKTOP, PHONE
from .journey_participants import invited_staff, sign_in
from .pages import check_page

pytestmark = pytest.mark.e2e

CSV = ("role,name,email,timezone,interests\n"
       "mentor,Grace Hopper,grace@example.org,Europe/Madrid,computing;ships\n"
       "mentor,Alan Turing,alan@example.org,Europe/London,computing\n"
       "mentor,No Zone,nozone@example.org,Mars/Olympus,\n")


@pytest.fixture(scope="module")
def org(platform):
    return seed.organisation(platform)


def test_an_admin_sees_the_overview_finds_and_imports_people_and_manages_staff(platform, browser, org):
    admin = invited_staff(platform, browser, org, "Dana Reyes", "admin")
    # Staff then sign in as participants do: a link emailed on asking at the sign-in page.
    admin.get_by_role("button", name="Sign out").click()
    # The session has ended (the app shows the sign-in page) before the next page loads.
    expect(admin.get_by_role("button", name="Email me a sign-in link")).to_be_visible()
    sign_in(platform, admin, org, f"dana@{org.slug}.example.org")
    for page in ("Overview", "Moderation", "People", "Staff"):
        expect(admin.get_by_role("navigation").get_by_role("link", name=page, exact=True)).to_be_visible()
    # Home lists every staff page the navigation offers, in the same order.
    admin.get_by_role("navigation").get_by_role("link", name="Home").click()
    expect(admin.get_by_role("heading", name="Hello, Dana Reyes")).to_be_visible()
    offered = admin.get_by_role("list", name="Staff pages").get_by_role("link").all_inner_texts()
    assert len(offered) >= 10 and admin.get_by_role("main").get_by_role("link").all_inner_texts() == offered

    # The overview: three people, none signed in yet, no match, nothing to moderate, nothing quiet.
    admin.get_by_role("navigation").get_by_role("link", name="Overview").click()
    people_figure = admin.get_by_role("listitem").filter(has_text="mentors and mentees")
    expect(people_figure).to_contain_text("3")
    expect(admin.get_by_role("listitem").filter(has_text="messages waiting for moderation")).to_contain_text("0")
    expect(admin.get_by_role("row", name="Proposed")).to_contain_text("0")
    expect(admin.get_by_text("Every active match has talked recently.")).to_be_visible()
    check_page(admin, "staff-dashboard")
    waiting = admin.get_by_role("listitem").filter(has_text="have not signed in yet")  # none has, yet
    expect(waiting).to_contain_text("3")
    waiting.get_by_role("link", name="See them, and invite them again").click()
    expect(admin.get_by_label("Signed in", exact=True)).to_have_value("false")
    expect(admin.get_by_role("heading", name="3 shown")).to_be_visible()
    expect(admin.get_by_role("region", name="Invite them again")).to_be_visible()
    admin.get_by_role("navigation").get_by_role("link", name="Moderation").click()
    expect(admin.get_by_text("No messages are waiting. Well done.")).to_be_visible()

    # People: filtered by role on the server, by name on the page.
    admin.get_by_role("navigation").get_by_role("link", name="People").click()
    expect(admin.get_by_role("heading", name="3 shown")).to_be_visible()
    admin.get_by_label("Role").select_option("mentor")
    admin.get_by_role("button", name="Search").click()
    expect(admin.get_by_role("heading", name="2 shown")).to_be_visible()
    admin.get_by_label("Name", exact=True).fill("ada")
    expect(admin.get_by_role("heading", name="1 shown")).to_be_visible()
    expect(admin.get_by_role("row", name="Ada Okafor")).to_be_visible()
    # Vetting: a level per mentor, recorded with who and when.
    admin.get_by_label("Vetting level of Ada Okafor").select_option("enhanced")
    expect(admin.get_by_role("row", name="Ada Okafor").get_by_role("status")).to_have_text(
        "Recorded for Ada Okafor: Enhanced check.")
    (ada,) = [p for p in platform.call("GET", "/v1/people?role=mentor", org.token).json()["items"]
              if p["name"] == "Ada Okafor"]
    assert (ada["vetting_level"], ada["vetted"]) == ("enhanced", True)
    assert ada["vetting"]["recorded_by"].startswith("staff:")
    check_page(admin, "staff-people")

    # One mentee added by hand: a minor needs a guardian; then she is emailed an invitation whose
    # link signs her in on her phone; her address a second time is refused in words.
    admin.get_by_label("Name", exact=True).fill("")
    admin.get_by_label("Role").select_option("")
    admin.get_by_role("button", name="Search").click()
    add = admin.get_by_role("region", name="Add a mentor or mentee")
    add.get_by_label("Full name").fill("Noor Haddad")
    add.get_by_label("Email address").fill(f"noor@{org.slug}.example.org")
    add.get_by_label("Interests (optional)").fill("Marine Biology, art")  # stored as tags, shown as words
    add.get_by_label("Under 18").check()
    add.get_by_role("button", name="Add the mentee").click()
    expect(add.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    expect(add.get_by_label("Parent or guardian's email address")).to_have_attribute("aria-invalid", "true")
    add.get_by_label("Under 18").uncheck()
    added_at = time.time()
    add.get_by_role("button", name="Add the mentee").click()
    expect(add.get_by_role("status")).to_have_text(
        f"Noor Haddad has been added. An invitation to sign in is on its way to noor@{org.slug}.example.org.")
    expect(admin.get_by_role("row", name="Noor Haddad")).to_contain_text("marine biology, art")
    check_page(admin, "staff-people-added")
    noor = browser.new_context(viewport=PHONE).new_page()
    noor.goto(platform.emailed_link(f"noor@{org.slug}.example.org", "/invitations/accept", after=added_at - 1))
    expect(noor.get_by_role("heading", level=1)).to_have_text("Hello, Noor")
    check_page(noor, "mentee-invited-home")
    add.get_by_label("Full name").fill("Noor Haddad")
    add.get_by_label("Email address").fill(f"noor@{org.slug}.example.org")
    add.get_by_role("button", name="Add the mentee").click()
    expect(add.get_by_role("alert")).to_have_text("Someone with this email address is already registered in this "
                                                  "organisation.")

    # Her own page: her details, no match yet, and a new invitation if she lost the first.
    admin.get_by_role("row", name="Noor Haddad").get_by_role("link", name="Noor Haddad").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Noor Haddad")
    expect(admin.get_by_role("definition").filter(has_text=f"noor@{org.slug}.example.org")).to_be_visible()
    expect(admin.get_by_text("No match yet.")).to_be_visible()
    access = admin.get_by_role("region", name="Invitation to sign in")
    expect(access).to_contain_text("Signed in on ")  # she used her invitation above
    resent_at = time.time()
    admin.get_by_role("button", name="Send a new invitation").click()
    expect(admin.get_by_role("status")).to_have_text(f"A new invitation is on its way to noor@{org.slug}.example.org.")
    platform.emailed_link(f"noor@{org.slug}.example.org", "/invitations/accept", after=resent_at - 1)
    admin.reload()
    expect(access).to_contain_text("Invitation sent on ")
    expect(access).to_contain_text("They have not used it to sign in yet.")
    expect(access).to_contain_text("Last signed in on ")
    check_page(admin, "staff-person")
    admin.set_viewport_size(PHONE)  # a long address wraps inside the card on a phone
    facts = admin.get_by_role("definition").filter(has_text=f"noor@{org.slug}.example.org").locator("xpath=..")
    inner, outer = facts.evaluate("dl => [dl.scrollWidth, dl.clientWidth]")
    assert inner <= outer, f"the details ({inner} px) overflow their card ({outer} px) at 360 px"
    admin.set_viewport_size(DESKTOP)
    admin.get_by_role("link", name="All people").click()

    # Lily is a minor: her invitation waits for her guardian, whose consent (on a phone, through the
    # emailed link) sends it at once; her page follows each step. She joins the organisation's only
    # programme unless another is chosen (a mentee is matched within her programme).
    expect(add.get_by_label("Programme").locator("option:checked")).to_have_text("Science mentoring")
    add.get_by_label("Full name").fill("Lily Evans")
    add.get_by_label("Email address").fill(f"lily@{org.slug}.example.org")
    add.get_by_label("Under 18").check()
    add.get_by_label("Parent or guardian's name").fill("Rose Evans")
    add.get_by_label("Parent or guardian's email address").fill(f"rose@{org.slug}.example.org")
    asked_at = time.time()
    add.get_by_role("button", name="Add the mentee").click()
    expect(add.get_by_role("status")).to_contain_text("Lily Evans has been added.")
    expect(admin.get_by_role("row", name="Lily Evans")).to_contain_text("Under 18: guardian not answered yet")
    admin.get_by_role("row", name="Lily Evans").get_by_role("link", name="Lily Evans").click()
    access = admin.get_by_role("region", name="Invitation to sign in")
    expect(access).to_contain_text("Their invitation goes as soon as their guardian consents.")
    rose = browser.new_context(viewport=PHONE).new_page()
    rose.goto(platform.emailed_link(f"rose@{org.slug}.example.org", "/guardian/consent", after=asked_at - 1))
    expect(rose.get_by_text("Riverside School would like Lily to take part in Science mentoring.")).to_be_visible()
    consented_at = time.time()
    rose.get_by_role("button", name="I give consent").click()
    expect(rose.get_by_role("status")).to_be_visible()
    rose.context.close()
    platform.emailed_link(f"lily@{org.slug}.example.org", "/invitations/accept", after=consented_at - 1, wait=10)
    admin.reload()
    expect(access).to_contain_text("Invitation sent on ")
    admin.get_by_role("link", name="All people").click()

    # Who has not signed in yet: Lily has her invitation but has not used it; Noor has.
    expect(admin.get_by_role("row", name="Noor Haddad")).not_to_contain_text("Not yet")
    admin.get_by_label("Signed in", exact=True).select_option(label="Not signed in yet")
    admin.get_by_role("button", name="Search").click()
    expect(admin.get_by_role("row", name="Lily Evans")).to_contain_text("Not yet")
    expect(admin.get_by_role("row", name="Noor Haddad")).to_have_count(0)
    # A new invitation for each of them, at an import's pace: Ada's goes now, Ben's a little later;
    # Sam waits for his guardian and Lily had hers minutes ago, and the coordinator is told so.
    again = admin.get_by_role("region", name="Invite them again")
    expect(again).to_contain_text("Email a new invitation to every mentor and mentee who has not signed in yet")
    # It asks first: how many would be emailed, before anyone is.
    again.get_by_role("button", name="See who would get one").click()
    expect(again.get_by_role("status")).to_contain_text("2 people would get a new invitation. The last would go at ")
    expect(again.get_by_role("status")).to_contain_text("1 minor waits for their guardian's consent.")
    check_page(admin, "staff-people-invite-preview")
    asked_at = time.time()
    again.get_by_role("button", name="Send 2 invitations").click()
    expect(again.get_by_role("status")).to_contain_text("2 new invitations are on their way. The last goes at ")
    expect(again.get_by_role("status")).to_contain_text("1 minor waits for their guardian's consent.")
    expect(again.get_by_role("status")).to_contain_text("1 person was sent one in the last day.")
    check_page(admin, "staff-people-not-signed-in")
    ada = browser.new_context(viewport=PHONE).new_page()  # a mentor with no mentee yet is told what comes next
    ada.goto(platform.emailed_link(f"ada@{org.slug}.example.org", "/invitations/accept", after=asked_at - 1, wait=10))
    expect(ada.get_by_text("You have no mentee yet. When a mentee asks you to mentor them")).to_be_visible()
    expect(ada.get_by_role("link", name="Tell mentees about yourself")).to_have_attribute("href", "/profile")
    check_page(ada, "mentor-home-no-mentee")
    # Busy until the new year: she pauses new requests, and Sam is no longer offered her.
    def offered_to_sam() -> list[str]:
        found = platform.call("GET", f"/v1/people/{org.mentee['id']}/recommendations", org.token).json()
        return [r["mentor_id"] for r in found["items"]]

    assert org.mentor["id"] in offered_to_sam()
    ada.get_by_role("link", name="My profile").click()
    ada.get_by_label("Mentees I can take at once").select_option(label="None for now (paused)")
    ada.get_by_role("button", name="Save my profile").click()
    expect(ada.get_by_text("Saved.")).to_be_visible()
    check_page(ada, "profile-mentor")
    ada.get_by_role("link", name="Home").click()
    expect(ada.get_by_text("You are not taking new mentees for now, so mentees are not offered you.")).to_be_visible()
    def no_longer_offered() -> None:
        assert org.mentor["id"] not in offered_to_sam(), "matching hears of the pause by event"

    eventually(no_longer_offered, timeout=10, interval=0.1)
    ada.context.close()
    admin.get_by_label("Signed in", exact=True).select_option("")
    admin.get_by_role("button", name="Search").click()

    # Ben's address had a typo: the coordinator corrects it on his page, and gives him three places.
    admin.get_by_role("row", name="Ben Carter").get_by_role("link", name="Ben Carter").click()
    admin.get_by_text("Change their details").click()
    details = admin.get_by_role("group").filter(has=admin.get_by_role("button", name="Save their details"))
    details.get_by_label("Email address").fill("ben@")
    details.get_by_role("button", name="Save their details").click()
    expect(details.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    expect(details.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    details.get_by_label("Email address").fill(f"ben.carter@{org.slug}.example.org")
    details.get_by_label("Mentees at once").select_option(label="3 mentees")
    details.get_by_role("button", name="Save their details").click()
    expect(details.get_by_role("status")).to_have_text(
        "Saved Ben Carter's details. Links sent to the old address no longer work: send them a new invitation below.")
    facts = admin.locator("dl.facts")
    expect(facts).to_contain_text(f"ben.carter@{org.slug}.example.org")
    expect(facts).to_contain_text("3 mentees")
    check_page(admin, "staff-person-edit")
    admin.get_by_role("link", name="All people").click()

    # Sam is a minor whose guardian has not answered: a new request goes to the guardian, and an
    # invitation is refused in words until the guardian consents.
    admin.get_by_role("row", name="Sam Rivera").get_by_role("link", name="Sam Rivera").click()
    consent = admin.get_by_role("region", name="Guardian consent")
    expect(consent).to_contain_text("Waiting for the guardian to answer the emailed request.")
    expect(consent).to_contain_text(f"Guardian: Alex Rivera ({org.guardian_email})")
    asked_at = time.time()
    consent.get_by_role("button", name="Email the guardian a new request").click()
    expect(consent.get_by_role("status")).to_have_text(
        "A new request is on its way to the guardian. Earlier links no longer work.")
    platform.emailed_link(org.guardian_email, "/guardian/consent", after=asked_at - 1)
    expect(admin.get_by_role("region", name="Invitation to sign in")).to_contain_text("Not invited yet.")
    admin.get_by_role("button", name="Send a new invitation").click()
    expect(admin.get_by_role("region", name="Invitation to sign in").get_by_role("alert")).to_contain_text(
        "They are under 18, so they are invited once their guardian has consented.")
    admin.get_by_role("link", name="All people").click()

    # A mentor added by hand says how many mentees they take (a mentee's form has no such field).
    add.get_by_label("Mentor", exact=True).check()
    add.get_by_label("Full name").fill("Kofi Mensah")
    add.get_by_label("Email address").fill(f"kofi@{org.slug}.example.org")
    add.get_by_label("Mentees at once").select_option(label="2 mentees")
    add.get_by_label("Email them an invitation to sign in").uncheck()
    add.get_by_role("button", name="Add the mentor").click()
    expect(add.get_by_role("status")).to_contain_text("Kofi Mensah has been added.")
    kofi = platform.call("GET", "/v1/people?role=mentor&limit=100", org.token).json()["items"]
    assert [p["capacity"] for p in kofi if p["name"] == "Kofi Mensah"] == [2]
    add.get_by_label("Mentee", exact=True).check()
    expect(add.get_by_label("Mentees at once")).to_have_count(0)

    # A CSV import: a progress bar, then the report, with the refused row and what to fix.
    template = admin.get_by_role("link", name="Download the template (CSV)")
    assert platform.call("GET", "/v1/people/imports/template.csv", org.token).text.startswith("role,name,email")
    assert template.get_attribute("href") == "/v1/people/imports/template.csv"
    admin.get_by_label("CSV file").set_input_files(files=[{"name": "people.csv", "mimeType": "text/csv",
                                                            "buffer": CSV.encode()}])
    admin.get_by_role("button", name="Import").click()
    expect(admin.get_by_text("Import finished: 2 added, 0 updated, 0 unchanged, 1 refused.")).to_be_visible()
    expect(admin.get_by_label("3 of 3 rows done")).to_have_attribute("value", "3")
    refused = admin.get_by_role("table", name="Rows not imported, and what to fix")
    expect(refused.get_by_role("row", name="4")).to_contain_text("timezone")
    expect(admin.get_by_role("row", name="Grace Hopper")).to_be_visible()  # the list reloads
    programmes = {p["name"]: p["programme_id"] for p in platform.call("GET", "/v1/people?limit=100", org.token).json()["items"]}
    assert programmes["Grace Hopper"] == org.mentee["programme_id"]  # the only programme, for rows naming none
    check_page(admin, "staff-people-import")
    # The import invites at its pace: Grace's goes at once, Alan's in about half a minute, and his page
    # says when.
    admin.get_by_role("row", name="Alan Turing").get_by_role("link", name="Alan Turing").click()
    expect(admin.get_by_role("region", name="Invitation to sign in")).to_contain_text(
        "An invitation is queued: it goes on ")
    admin.go_back()

    # Staff: invite a coordinator, then remove them (a second, confirming click).
    admin.get_by_role("navigation").get_by_role("link", name="Staff").click()
    admin.get_by_label("Full name").fill("Eli Park")
    admin.get_by_label("Email address").fill(f"eli@{org.slug}.example.org")
    admin.get_by_label("Role").select_option("coordinator")
    expect(admin.get_by_label("Language of their emails")).to_have_value("en")  # the admin's own, unless chosen
    admin.get_by_label("Language of their emails").select_option(label="Español")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("status")).to_have_text("Invitation sent to Eli Park.")
    expect(admin.get_by_role("listitem").filter(has_text="Eli Park")).to_contain_text("Coordinator · Invited")
    platform.emailed_link(f"eli@{org.slug}.example.org", "/invitations/accept")
    assert platform.mail.to(f"eli@{org.slug}.example.org")[-1].message["Subject"] == (
        "Te invitan a Riverside School en ementor")
    check_page(admin, "staff-team")
    admin.get_by_role("button", name="Remove Eli Park").click()
    admin.get_by_role("button", name="Yes, remove Eli Park").click()
    expect(admin.get_by_role("status")).to_have_text("Eli Park has been removed and signed out.")
    expect(admin.get_by_role("listitem").filter(has_text="Eli Park")).to_have_count(0)

    # The same pages in Spanish.
    admin.get_by_role("banner").get_by_label("Language").select_option("es")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Personal")
    expect(admin.get_by_label("Idioma de sus correos")).to_have_value("es")  # not chosen: follows the switch
    expect(admin.get_by_role("button", name="Enviar la invitación")).to_be_visible()
    check_page(admin, "staff-team-es")
    admin.get_by_role("navigation").get_by_role("link", name="Resumen").click()
    expect(admin.get_by_role("row", name="Propuestos")).to_be_visible()
    check_page(admin, "staff-dashboard-es")

    # The language is hers, not only this browser's: on her phone, which has never chosen one, her
    # sign-in email comes in Spanish and the app opens in it.
    phone = browser.new_context(viewport=PHONE).new_page()
    asked = time.time()
    phone.goto(platform.base + "/sign-in")
    phone.get_by_label("Organisation").fill(org.slug)
    phone.get_by_label("Email address").fill(f"dana@{org.slug}.example.org")
    phone.get_by_role("button", name="Email me a sign-in link").click()
    link = platform.emailed_link(f"dana@{org.slug}.example.org", "/sign-in/complete", after=asked)
    assert platform.mail.to(f"dana@{org.slug}.example.org")[-1].message["Subject"] == (
        "Entra en Riverside School en ementor")
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hola, Dana Reyes")
    phone.context.close()
