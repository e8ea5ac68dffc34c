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
