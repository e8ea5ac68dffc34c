"""Profiles' own emails (sign-in link, guardian consent) in the language of the person's profile,
with dates in that language and on the calendar of the person's time zone."""

from datetime import UTC, datetime

import pytest

from services.profiles import mail_words

pytestmark = pytest.mark.unit


def test_a_spanish_locale_person_gets_the_sign_in_email_in_spanish():
    subject, text = mail_words.sign_in("es", name="Ana", organisation="Colegio Norte", minutes=15,
                                       url="https://app.example.org/sign-in/complete?token=abc")
    assert subject == "Entra en Colegio Norte en ementor"
    assert text.startswith("Hola, Ana:") and "funciona una vez, durante 15 minutos" in text
    assert "https://app.example.org/sign-in/complete?token=abc" in text


@pytest.mark.parametrize("locale", [None, "en", "fr"])
def test_everyone_else_gets_english(locale):
    subject, text = mail_words.sign_in(locale, name="Ben", organisation="Northside", minutes=15, url="https://x/y")
    assert subject == "Sign in to Northside on ementor" and text.startswith("Hello Ben,")


def test_a_guardian_is_written_to_in_the_child_s_language_with_the_date_in_spanish_and_her_time_zone():
    late_evening_utc = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)  # already 5 March in Madrid
    subject, text = mail_words.consent_request(
        "es", guardian="Lucía Pérez", child="Ana Pérez", organisation="Colegio Norte", programme="Ciencia",
        url="https://app.example.org/guardian/consent?token=t", expires_at=late_evening_utc, timezone="Europe/Madrid")
    assert subject == "Consentimiento para que Ana participe en la mentoría de Colegio Norte"
    assert text.startswith("Estimado/a Lucía Pérez:")
    assert "hasta el 5 de marzo de 2025" in text and "mentoría en línea (Ciencia)" in text
    assert "- El contacto se queda en la plataforma" in text
    _, english = mail_words.consent_request(
        None, guardian="Lee Moss", child="Kit Moss", organisation="Northside", programme=None,
        url="https://x/y", expires_at=late_evening_utc, timezone="America/New_York")
    assert "until 4 March 2025" in english and "Dear Lee Moss," in english


def test_the_consent_confirmation_is_spanish_too():
    subject, text = mail_words.consent_confirmation("es-ES", guardian="Lucía", child="Ana Pérez",
                                                    organisation="Colegio Norte", programme=None, url="https://x/w")
    assert subject == "Consentimiento registrado para Ana"
    assert "Puedes retirarlo en cualquier momento" in text and text.rstrip().endswith("https://x/w")


def test_a_guardian_is_named_in_the_call_in_the_child_s_language():
    assert mail_words.guardian_label("es-MX") == "responsable legal"
    assert mail_words.guardian_label(None) == mail_words.guardian_label("en") == "guardian"


def test_a_session_cancellation_says_which_session_in_the_child_s_language_and_time_zone():
    start, end = datetime(2026, 12, 10, 23, 30, tzinfo=UTC), datetime(2026, 12, 11, 0, 15, tzinfo=UTC)
    subject, text = mail_words.session_cancellation(
        "es", guardian="Carmen Pérez", child="Lucía Pérez", mentor="Ada Okafor", organisation="Colegio Norte",
        starts_at=start, ends_at=end, timezone="Europe/Madrid")  # already 11 December in Madrid
    assert subject == "Cancelada: sesión de mentoría de Lucía Pérez del viernes 11 de diciembre"
    assert text.startswith("Estimado/a Carmen Pérez:")
    assert "de Lucía Pérez con Ada Okafor" in text and "viernes 11 de diciembre de 2026, 00:30–01:15 (Europe/Madrid)" in text
    assert "ya no funciona" in text and "escribe a Colegio Norte" in text
    subject, text = mail_words.session_cancellation(
        None, guardian="Helen Fisher", child="Jamie Fisher", mentor=None, organisation=None,
        starts_at=start, ends_at=end, timezone="America/New_York")
    assert subject == "Cancelled: Jamie Fisher's mentoring session on Thursday 10 December"
    assert text.startswith("Dear Helen Fisher,") and "with their mentor" in text
    assert "Thursday 10 December 2026, 18:30–19:15 (America/New_York)" in text and "no longer works" in text


def test_an_invitation_says_what_ementor_is_for_each_role_and_where_to_sign_in_later():
    words = {"name": "Noor", "organisation": "Harbour School", "url": "https://app.test/invitations/accept?token=t",
             "sign_in_url": "https://app.test/sign-in?organisation=harbour", "days": 7}
    subject, mentee = mail_words.invitation(None, role="mentee", **words)
    _, mentor = mail_words.invitation(None, role="mentor", **words)
    assert subject == "Harbour School invites you to its mentoring on ementor"
    assert "added you to ementor to find a mentor" in mentee and "to be a mentor" in mentor
    assert "(it works once, for 7 days)" in mentee and "https://app.test/sign-in?organisation=harbour" in mentee
    subject, spanish = mail_words.invitation("es", role="mentee", **words)
    assert subject == "Harbour School te invita a su programa de mentoría en ementor"
    assert "para encontrar un mentor o una mentora" in spanish and "durante 7 días" in spanish
