"""A minor's guardian invited to the minor's video sessions where the organisation allows it, in the child's
language, sent the new time when a session moves and told once when it is cancelled: profiles, matching and
video over the real broker, the emails read from a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import jwt
import pytest
from ementor_contracts import SessionCancelled

from services.matching.service import MatchingService
from services.profiles.mail_words import DAYS_ES
from services.profiles.service import ProfilesService
from services.video.service import VideoService
from tests.support.events import eventually
from tests.support.publish import publish_event

pytestmark = pytest.mark.integration

SECRET = "self-hosted-jitsi-secret-0123456789abcdef"
JITSI = {"EMENTOR_JITSI_BASE_URL": "https://video.example.org", "EMENTOR_JITSI_APP_ID": "ementor",
         "EMENTOR_JITSI_APP_SECRET": SECRET}
LINK = re.compile(r"https://video\.example\.org/\S+")


@pytest.fixture
def org(start_services, mail_settings, api):
    configured = mail_settings.model_copy(update={**JITSI})
    start_services(ProfilesService, MatchingService, VideoService, settings_override=configured)
    created = api.create_organisation(f"school-{uuid.uuid4().hex[:8]}", name="Northside School")
    return created["id"], api.coordinator_token(created["api_key"])


def person(api, token, name, role, **extra):
    body = {"role": role, "name": name, "email": f"{uuid.uuid4().hex[:8]}@example.org", "timezone": "Europe/London",
            "interests": ["robotics"]}
    body.update(extra)
    if role == "mentor":
        body.update(capacity=2, vetting_level="enhanced")
    response = api.post("/v1/people", token, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def active_match(api, token, mentee, mentor) -> str:
    def proposed():
        response = api.post("/v1/matches", token, json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    match_id = eventually(proposed)
    for side in (mentee["id"], mentor["id"]):
        assert api.post(f"/v1/matches/{match_id}/accept", token, json={"person_id": side}).status_code == 200
    return match_id


def subject_of(mail) -> str:
    return " ".join(str(mail.message["Subject"]).split())  # a long subject is folded


def book(api, token, match_id, starts_at):
    def booked():
        response = api.post(f"/v1/matches/{match_id}/sessions", token,
                            json={"starts_at": starts_at.isoformat(), "duration_minutes": 45})
        assert response.status_code == 201, response.text
        return response.json()

    return eventually(booked)


def test_the_guardian_gets_their_own_named_slot_bound_guest_link_only_when_the_organisation_allows(org, api, smtp):
    _, token = org
    guardian = f"guardian-{uuid.uuid4().hex[:8]}@families.example.org"
    minor = person(api, token, "Jamie Fisher", "mentee", is_minor=True,
                   guardian={"name": "Helen Fisher", "email": guardian},
                   consent_recorded_offline={"decision": "grant", "evidence": "school consent form 2026"})
    mentor = person(api, token, "Ada Okafor", "mentor")
    match_id = active_match(api, token, minor, mentor)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)

    # Off by default: a session invites nobody.
    first = book(api, token, match_id, start)
    assert first["guardian_invited"] is False
    assert api.get("/v1/settings/video", token).json()["minors"]["invite_guardian"] is False

    allowed = api.request("PUT", "/v1/settings/video", token, json={"minors": {"invite_guardian": True}})
    assert allowed.status_code == 200 and allowed.json()["minors"]["invite_guardian"] is True
    later = start + timedelta(days=1)
    second = book(api, token, match_id, later)
    assert second["guardian_invited"] is True

    def invitations():
        return [m for m in smtp.to(guardian) if " ".join(str(m.message["Subject"]).split()).startswith("You are invited")]

    def invited():
        sent = invitations()
        assert len(sent) == 1, f"{len(sent)} invitations to the guardian so far"
        return sent[0]

    mail = eventually(invited, timeout=15)
    assert " ".join(str(mail.message["Subject"]).split()).startswith(
        "You are invited to Jamie Fisher's mentoring session on")  # a long subject is folded
    assert "Helen Fisher" in mail.message["To"]
    text = mail.message.get_body(("plain",)).get_content()
    assert "Dear Helen Fisher," in text and "with Ada Okafor" in text and "(Europe/London)" in text
    link = LINK.search(text).group(0)
    claims = jwt.decode(parse_qs(urlsplit(link).query)["jwt"][0], SECRET, algorithms=["HS256"], audience="jitsi",
                        options={"verify_nbf": False})
    assert claims["context"]["user"] == {"id": f"guardian:{minor['id']}", "name": "Helen Fisher (guardian)",
                                         "moderator": False}
    assert (claims["nbf"], claims["exp"]) == (int((later - timedelta(minutes=10)).timestamp()),
                                              int((later + timedelta(minutes=45)).timestamp()))
    assert claims["room"] == urlsplit(link).path.strip("/")
    assert len(invitations()) == 1, "the first session, before the organisation allowed it, invited nobody"

    # Both cancelled: the guardian hears only of the session they were invited to.
    for session in (first, second):
        cancel = api.post(f"/v1/sessions/{session['id']}/cancel", token, json={"reason": "Exam week"})
        assert cancel.status_code == 200, cancel.text

    def told():
        sent = [m for m in smtp.to(guardian) if subject_of(m).startswith("Cancelled: Jamie Fisher's mentoring session")]
        assert len(sent) == 1, f"{len(sent)} cancellations to the guardian so far"
        return sent[0]

    cancelled = eventually(told, timeout=15)
    assert subject_of(cancelled).endswith(f"on {later:%A %d %B}"), "the session they were invited to, by its day"
    text = cancelled.message.get_body(("plain",)).get_content()
    assert "Dear Helen Fisher," in text and "with Ada Okafor, which you were invited to, has been cancelled" in text
    assert f"{later.astimezone(ZoneInfo('Europe/London')):%H:%M}–" in text and "Exam week" not in text

    # An adult mentee's session invites nobody, even with the setting on (and an adult has no guardian).
    adult = person(api, token, "Sam Adult", "mentee")
    mentor2 = person(api, token, "Bo Mentor", "mentor")
    assert book(api, token, active_match(api, token, adult, mentor2), start)["guardian_invited"] is False


def test_a_spanish_speaking_childs_guardian_is_invited_in_spanish_sent_the_new_time_and_told_once_of_the_cancellation(
        org, api, smtp, amqp_uri):
    tenant_id, token = org
    guardian = f"tutora-{uuid.uuid4().hex[:8]}@familias.example.org"
    minor = person(api, token, "Lucía Pérez", "mentee", is_minor=True, locale="es", timezone="Europe/Madrid",
                   guardian={"name": "Carmen Pérez", "email": guardian},
                   consent_recorded_offline={"decision": "grant", "evidence": "formulario del colegio 2026"})
    mentor = person(api, token, "Ada Okafor", "mentor")
    match_id = active_match(api, token, minor, mentor)
    assert api.request("PUT", "/v1/settings/video", token, json={"minors": {"invite_guardian": True}}).status_code == 200
    start = (datetime.now(UTC) + timedelta(days=5)).replace(hour=15, minute=0, second=0, microsecond=0)
    session = book(api, token, match_id, start)
    assert session["guardian_invited"] is True

    def mails(prefix):
        def found():
            sent = [m for m in smtp.to(guardian) if subject_of(m).startswith(prefix)]
            assert len(sent) == 1, f"{len(sent)} emails to the guardian starting {prefix!r} so far"
            return sent[0]
        return found

    def claims_of(text):
        link = LINK.search(text).group(0)
        return link, jwt.decode(parse_qs(urlsplit(link).query)["jwt"][0], SECRET, algorithms=["HS256"],
                                audience="jitsi", options={"verify_nbf": False})

    invited = eventually(mails("Invitación a la sesión de mentoría de Lucía Pérez el"), timeout=15)
    text = invited.message.get_body(("plain",)).get_content()
    assert text.startswith("Estimado/a Carmen Pérez:") and "con Ada Okafor" in text and "(Europe/Madrid)" in text
    assert f"{start.astimezone(ZoneInfo('Europe/Madrid')):%H:%M}–" in text
    first_link, first = claims_of(text)

    # Moved: the first link is bound to the old slot, so the guardian gets the new time and a new link, once.
    later = start + timedelta(days=1, hours=2)
    moved = api.patch(f"/v1/sessions/{session['id']}", token, json={"starts_at": later.isoformat()})
    assert moved.status_code == 200, moved.text
    update = eventually(mails("Nueva hora para la sesión de mentoría de Lucía Pérez"), timeout=15)
    text = update.message.get_body(("plain",)).get_content()
    assert "Usa este enlace en lugar del que te enviamos antes." in text
    assert f"{later.astimezone(ZoneInfo('Europe/Madrid')):%H:%M}–" in text
    link, claims = claims_of(text)
    # The call names her in the child's language, as the email says it will.
    assert link != first_link and claims["context"]["user"]["name"] == "Carmen Pérez (responsable legal)"
    assert "todos te verán como «Carmen Pérez (responsable legal)»" in text
    assert (claims["nbf"], claims["exp"]) == (int((later - timedelta(minutes=10)).timestamp()),
                                              int((later + timedelta(minutes=45)).timestamp()))
    assert first["exp"] < claims["nbf"], "the first link no longer covers the new time"

    # Cancelled: she is told once, in Spanish, of the session at the time she was last sent.
    cancel = api.post(f"/v1/sessions/{session['id']}/cancel", token, json={})
    assert cancel.status_code == 200, cancel.text
    madrid = later.astimezone(ZoneInfo("Europe/Madrid"))
    told = eventually(mails(f"Cancelada: sesión de mentoría de Lucía Pérez del {DAYS_ES[madrid.weekday()]} {madrid.day} "),
                      timeout=15)
    text = told.message.get_body(("plain",)).get_content()
    assert text.startswith("Estimado/a Carmen Pérez:") and "con Ada Okafor a la que te invitamos" in text
    assert f"{madrid:%H:%M}–" in text and "ya no funciona" in text

    # The cancellation again (video publishing it twice), then another session booked and cancelled: once its
    # cancellation has arrived, the first session's has still been sent once.
    cancelled = cancel.json()
    publish_event(amqp_uri, SessionCancelled(
        session_id=session["id"], match_id=match_id, mentor_id=mentor["id"], mentee_id=minor["id"],
        starts_at=later, cancelled_by="coordinator", sequence=cancelled["sequence"]), tenant_id)
    other_start = start + timedelta(days=3)
    other = book(api, token, match_id, other_start)
    other_madrid = other_start.astimezone(ZoneInfo("Europe/Madrid"))
    eventually(mails(f"Invitación a la sesión de mentoría de Lucía Pérez el {DAYS_ES[other_madrid.weekday()]} "
                     f"{other_madrid.day} "), timeout=15)
    assert api.post(f"/v1/sessions/{other['id']}/cancel", token, json={}).status_code == 200
    eventually(mails(f"Cancelada: sesión de mentoría de Lucía Pérez del {DAYS_ES[other_madrid.weekday()]} "
                     f"{other_madrid.day} "), timeout=15)
    cancellations = [m for m in smtp.to(guardian) if subject_of(m).startswith("Cancelada:")]
    assert len(cancellations) == 2, [subject_of(m) for m in cancellations]
    assert not any(subject_of(m).startswith(("You are invited", "New time", "Cancelled")) for m in smtp.to(guardian)), \
        "nothing in English"
