"""A mentee answers a survey in a real browser, from the emailed link and from home, a Spanish-speaking
mentor answers theirs in Spanish on a phone, and a coordinator reads the result on the insights page
(in English, then in Spanish).

Seeded through the API: a mentor and a mentee in one programme, matched and active. The session
is "held" by one SessionScheduled published with its end a minute ago (video would not book a
session in the past); insights' issuing job (every 30 s) then asks both people, and notifications
emails the link."""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import SessionScheduled
from playwright.sync_api import expect

from tests.support.publish import publish_event

from .browser import PHONE
from .journey_insights import Seeded, _until_recommended
from .journey_participants import invited_staff, sign_in
from .pages import check_page

pytestmark = pytest.mark.e2e


def _survey_link(platform, address: str, subject: str = "A quick question for you", wait: float = 75.0) -> str:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for caught in reversed(platform.mail.to(address)):
            found = re.search(r"/surveys/[0-9a-f]{24}", caught.message.get_body(("plain",)).get_content())
            if found:
                assert caught.message["Subject"] == subject
                return platform.base + found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no survey email to {address} within {wait} s")


def test_a_mentee_answers_a_survey_and_a_coordinator_reads_it(platform, browser):
    slug = f"surveys-{uuid.uuid4().hex[:6]}"
    created = platform.call("POST", "/v1/organisations", platform.admin_token,
                            json={"slug": slug, "name": "Riverside Academy"}).json()
    token = platform.call("POST", "/v1/auth/token", created["api_key"]).json()["access_token"]
    programme = platform.call("POST", "/v1/programmes", token, json={"name": "Next steps"}).json()

    def person(role: str, name: str, **extra) -> dict:
        return platform.call("POST", "/v1/people", token, json={
            "programme_id": programme["id"], "role": role, "name": name, "timezone": "Europe/London",
            "email": f"{name.split()[0].lower()}@{slug}.example.org", "interests": ["coding"], "languages": ["en"],
            "vetted": role == "mentor", **extra}).json()

    mentor, mentee = person("mentor", "Priya Nair", locale="es", languages=["es", "en"]), person("mentee", "Leo Grant")
    _until_recommended(platform, token, mentee["id"], mentor["id"])
    match = platform.call("POST", "/v1/matches", token, json={
        "mentee_id": mentee["id"], "mentor_id": mentor["id"], "programme_id": programme["id"]}).json()
    for side in (mentor, mentee):
        platform.call("POST", f"/v1/matches/{match['id']}/accept", token, json={"person_id": side["id"]})
    now = datetime.now(UTC)
    publish_event(os.environ["EMENTOR_WEB_E2E_AMQP_URI"], SessionScheduled(
        session_id=uuid.uuid4().hex[:24], match_id=match["id"], mentor_id=mentor["id"], mentee_id=mentee["id"],
        starts_at=now - timedelta(minutes=46), ends_at=now - timedelta(minutes=1), sequence=0), created["id"])
    link = _survey_link(platform, mentee["email"])

    # The mentee signs in on a phone: home offers the survey; the emailed link opens it.
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(platform, page, Seeded(slug, token, [], {}), mentee["email"])
    surveys = page.get_by_role("region", name="A quick question for you")
    expect(surveys.get_by_role("link", name="How did your last session go?")).to_be_visible()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("A quick question for you")
    useful = page.get_by_role("group", name="How useful is your mentoring for you right now?")
    expect(useful.get_by_role("radio")).to_have_count(5)
    check_page(page, "survey")

    # Sending with a question unanswered says which, on the page.
    useful.get_by_role("radio", name="4", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("group", name="How well does your mentor or mentee listen to you?")
           .get_by_role("alert")).to_have_text("Pick a number from 1 to 5.")
    check_page(page, "survey-missing")
    page.get_by_role("group", name="How well does your mentor or mentee listen to you?").get_by_role(
        "radio", name="5").check()
    page.get_by_role("group", name="How sure do you feel about your next steps?").get_by_role(
        "radio", name="3", exact=True).check()
    page.get_by_label("Anything else you want to tell us? Only the programme team reads this.").fill(
        "Priya helped me choose my college course")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    check_page(page, "survey-thanks")
    page.goto(link)  # answered: no second form
    expect(page.get_by_text("You have already answered this one. Thank you!")).to_be_visible()
    page.goto(platform.base + "/")
    expect(page.get_by_role("region", name="A quick question for you")).to_have_count(0)

    # The mentor reads Spanish (their profile says es): the email and the survey page agree, questions included.
    spanish_link = _survey_link(platform, mentor["email"], "Una pregunta rápida para ti")
    phone = browser.new_context(viewport=PHONE, locale="es-ES").new_page()
    phone.goto(platform.base + "/")
    asked = time.time()
    phone.get_by_label("Organización").fill(slug)
    phone.get_by_label("Correo electrónico").fill(mentor["email"])
    phone.get_by_role("button", name="Envíame un enlace para entrar").click()
    expect(phone.get_by_role("heading", name="Revisa tu correo")).to_be_visible()
    phone.goto(platform.emailed_link(mentor["email"], "/sign-in/complete", after=asked))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hola,")
    phone.goto(spanish_link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Una pregunta rápida para ti")
    for question, rating in (("¿Hasta qué punto te resulta útil la mentoría ahora mismo?", "5 Mucho"),
                             ("¿Hasta qué punto te escucha tu mentor o mentorado?", "4"),
                             ("¿Cuánta confianza tienes en tus próximos pasos?", "5 Mucho")):
        phone.get_by_role("group", name=question).get_by_role("radio", name=rating, exact=True).check()
    phone.get_by_label("¿Quieres contarnos algo más? Solo lo lee el equipo del programa.").fill(
        "Leo avanza mucho con sus solicitudes")
    expect(phone.get_by_text(re.compile("How |mentoring|Anything else"))).to_have_count(0)
    check_page(phone, "survey-es")
    phone.get_by_role("button", name="Enviar mis respuestas").click()
    expect(phone.get_by_role("heading", name="¡Gracias!")).to_be_visible()

    # The coordinator sees the response rate, the scores and the comment (staff only).
    staff = invited_staff(platform, browser, Seeded(slug, token, [], {}), "Nia Brooks", "coordinator")
    staff.goto(platform.base + f"/staff/insights?programme={programme['id']}")
    results = staff.get_by_role("region", name="Surveys")
    expect(results.get_by_role("row", name=re.compile("^After a session"))).to_contain_text("100%")
    expect(results.get_by_text("Priya helped me choose my college course")).to_be_visible()
    expect(results.get_by_text("Leo avanza mucho con sus solicitudes")).to_be_visible()
    # Both answers to a default question are one row, named in the coordinator's language.
    expect(results.get_by_role("figure", name="Scores per question")).to_contain_text(
        "How useful is your mentoring for you right now? (After a session): 4.5")
    expect(results.locator('[data-chart="survey-scores"] canvas').first).to_be_attached()
    staff.get_by_role("region", name="Surveys").scroll_into_view_if_needed()
    check_page(staff, "staff-insights-surveys")

    # The programme's own questions: the default until saved; a new wording is kept.
    staff.goto(platform.base + f"/staff/programmes/{programme['id']}")
    editor = staff.get_by_role("region", name="Survey questions")
    expect(editor.get_by_label("Question 1", exact=True)).to_have_value("How useful is your mentoring for you right now?")
    editor.get_by_label("Question 1", exact=True).fill("How helpful was your mentor today?")
    editor.get_by_role("button", name="Save survey questions").click()
    expect(editor.get_by_role("status")).to_have_text("Survey questions saved.")
    saved = platform.call("GET", f"/v1/surveys/templates/{programme['id']}", token).json()
    assert saved["questions"][0]["text"] == "How helpful was your mentor today?" and not saved["is_default"]
    check_page(staff, "staff-programme-survey-template")

    # A coordinator who reads Spanish sees the default questions in Spanish, and the programme's own
    # wording (saved above, results name a question as its template has it now) and the comments as written.
    staff.goto(platform.base + f"/staff/insights?programme={programme['id']}")
    staff.get_by_label("Language").select_option("es")
    results = staff.get_by_role("region", name="Encuestas")
    scores = results.get_by_role("figure", name="Puntuación por pregunta")
    expect(scores).to_contain_text("¿Hasta qué punto te escucha tu mentor o mentorado? (Tras una sesión): 4,5")
    expect(scores).to_contain_text("How helpful was your mentor today? (Tras una sesión): 4,5")
    expect(results.get_by_text("Priya helped me choose my college course")).to_be_visible()
    results.scroll_into_view_if_needed()
    check_page(staff, "staff-insights-surveys-es")
    # The editor, too: the programme's own question as written, the defaults in Spanish.
    staff.goto(platform.base + f"/staff/programmes/{programme['id']}")
    editor = staff.get_by_role("region", name="Preguntas de la encuesta")
    expect(editor.get_by_label("Pregunta 1", exact=True)).to_have_value("How helpful was your mentor today?")
    expect(editor.get_by_label("Pregunta 2", exact=True)).to_have_value(
        "¿Hasta qué punto te escucha tu mentor o mentorado?")
    check_page(staff, "staff-programme-survey-template-es")
    staff.get_by_label("Idioma").select_option("en")  # this browser keeps the choice: leave it as found
