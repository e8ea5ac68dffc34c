"""Spanish notifications: a person whose profile locale is `es` gets every email and SMS in
Spanish, with dates in Spanish and in their own time zone; everyone else keeps English."""

import email
from datetime import UTC, datetime
from email import policy
from string import Template
from types import SimpleNamespace

import pytest

from services.notifications import composing, templates
from services.notifications.templates import KINDS, allowed_values, render_email, render_sms
from services.notifications.templates_es import KINDS_ES

pytestmark = pytest.mark.unit


def sample_values(kind: str) -> dict:
    return {name: f"<{name}>" for name in allowed_values(kind) if name != "sign_off"}


def test_every_kind_has_spanish_words_using_only_the_kind_s_values():
    assert set(KINDS_ES) == set(KINDS)
    for kind, (subject, text, sms) in KINDS_ES.items():
        assert (sms is None) == (KINDS[kind].sms is None), kind
        for part in (subject, text, sms or ""):
            template = Template(part)
            assert template.is_valid() and set(template.get_identifiers()) <= set(allowed_values(kind)), kind


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_spanish_reader_gets_spanish_and_an_english_reader_english(kind):
    spanish = render_email(kind, sample_values(kind), locale="es")
    english = render_email(kind, sample_values(kind), locale="en")
    assert spanish.subject != english.subject
    assert spanish.text.endswith("El equipo de mentoría de <organisation>\n")
    assert "El equipo de mentoría de &lt;organisation&gt;" in spanish.html
    assert english.text.endswith("The <organisation> mentoring team\n")
    if KINDS[kind].sms:
        assert render_sms(kind, sample_values(kind), locale="es") != render_sms(kind, sample_values(kind))
        assert len(render_sms(kind, sample_values(kind), locale="es")) <= 320


@pytest.mark.parametrize("locale, language", [("es", "es"), ("es-MX", "es"), ("ES", "es"), ("en", "en"),
                                              ("fr", "en"), (None, "en")])
def test_the_language_is_the_profile_s_locale_when_ementor_speaks_it(locale, language):
    assert templates.language_of(locale) == language


def test_an_organisation_s_own_wording_is_kept_whatever_the_reader_s_language():
    rendered = render_email("match_accepted", sample_values("match_accepted"), {"subject": "Welcome aboard"},
                            locale="es")
    assert rendered.subject == "Welcome aboard" and "Hola, <recipient_name>:" in rendered.text


def test_dates_are_in_spanish_and_in_the_reader_s_time_zone():
    assert composing.local_time("2025-03-04T16:00:00+00:00", "Europe/Madrid", "es") == \
        "martes 4 de marzo de 2025, 17:00 CET"
    assert composing.local_time("2025-03-04T16:00:00+00:00", "America/Bogota", "es") == \
        "martes 4 de marzo de 2025, 11:00 -05"
    assert composing.local_time("2025-03-04T16:00:00+00:00", "Europe/London") == "Tue 4 Mar 2025, 16:00 GMT"


def contact(person_id, name, role, locale, timezone):
    return {"person_id": person_id, "name": name, "role": role, "email": f"{person_id}@example.org",
            "timezone": timezone, "locale": locale, "channels": {"email": True, "sms": False}}


def composed(recipient: str):
    contacts = {"ana": contact("ana", "Ana", "mentee", "es", "Europe/Madrid"),
                "ben": contact("ben", "Ben", "mentor", None, "Europe/London")}
    outbound = composing.Outbound(
        tenant_id="t1", contacts=contacts, organisation_name="Colegio Norte", policy=None,
        organisation=SimpleNamespace(coordinator_email=None, sign_off=None, templates={}))
    delivery = SimpleNamespace(
        id="d1", cause_event_id="e1", tenant_id="t1", recipient=recipient, kind="session_rescheduled",
        about="ben" if recipient == "ana" else "ana", names={},
        values={"match_id": "m1", "session_id": "s1", "starts_at": "2025-03-04T16:00:00+00:00",
                "ends_at": "2025-03-04T16:45:00+00:00", "previous_starts_at": "2025-03-03T16:00:00+00:00",
                "sequence": 1})
    settings = SimpleNamespace(EMENTOR_PUBLIC_URL="https://app.example.org", SMTP_FROM="ementor <no-reply@example.org>")
    envelope, subject = composing.compose_email(settings, outbound, delivery, datetime(2025, 3, 1, tzinfo=UTC))
    message = email.message_from_bytes(envelope.data if isinstance(envelope.data, bytes) else envelope.data.encode(),
                                       policy=policy.default)
    return subject, message.get_body(("plain",)).get_content(), envelope


def test_a_spanish_locale_mentee_gets_the_reschedule_email_in_spanish_in_her_time_zone():
    subject, text, _ = composed("ana")
    assert subject == "Sesión de mentoría movida al martes 4 de marzo de 2025, 17:00 CET"
    assert text.startswith("Hola, Ana:")
    assert "ha pasado del lunes 3 de marzo de 2025, 17:00 CET al martes 4 de marzo de 2025, 17:00 CET" in text
    assert "(hasta el martes 4 de marzo de 2025, 17:45 CET)" in text
    assert text.rstrip().endswith("El equipo de mentoría de Colegio Norte")


def test_her_english_mentor_gets_the_same_news_in_english():
    subject, text, _ = composed("ben")
    assert subject == "Mentoring session moved to Tue 4 Mar 2025, 16:00 GMT"
    assert text.startswith("Hello Ben,")
