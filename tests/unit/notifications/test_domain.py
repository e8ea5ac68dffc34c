"""Who hears about what, retries and their classification, dedupe keys, and nudges."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import (
    COORDINATOR,
    GoalCompleted,
    MatchProposed,
    MessageHeld,
    MessageSent,
    SessionCancelled,
)

from services.notifications import domain
from services.notifications.domain import IdleMatch, MissingMatch, RetryPolicy, SmsPolicy

pytestmark = pytest.mark.unit

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


# -- recipients ---------------------------------------------------------------------------------
def test_a_proposed_match_tells_both_people_about_each_other():
    notices = domain.notices_for(MatchProposed(match_id="m", mentor_id="ada", mentee_id="bob",
                                               proposed_by="coordinator", score=0.8))
    assert {(n.recipient, n.kind, n.about, n.values["other_role"]) for n in notices} == {
        ("ada", "match_proposed", "bob", "mentee"), ("bob", "match_proposed", "ada", "mentor")}


def test_a_message_tells_only_its_recipient_and_never_its_body():
    [notice] = domain.notices_for(MessageSent(message_id="x", match_id="m", sender_id="ada", recipient_id="bob",
                                              length=240))
    assert (notice.recipient, notice.kind, notice.about) == ("bob", "message_received", "ada")
    assert notice.values == {"match_id": "m"}


def test_a_held_message_goes_to_the_coordinator_naming_both_people():
    [notice] = domain.notices_for(MessageHeld(message_id="x", match_id="m", sender_id="ada", recipient_id="bob",
                                              reasons=["contact_details", "link"]))
    assert notice.recipient == COORDINATOR and notice.to_coordinator
    assert notice.names == {"sender_name": "ada", "receiver_name": "bob"}
    assert notice.values["reasons"] == "contact details, link"
    assert notice.mentions == ["ada", "bob"]


def test_a_cancelled_session_carries_what_the_calendar_update_needs():
    notices = domain.notices_for(SessionCancelled(session_id="s", match_id="m", mentor_id="ada", mentee_id="bob",
                                                  starts_at=T0, cancelled_by="ada", sequence=2))
    assert {n.values["sequence"] for n in notices} == {2}
    assert {n.values["starts_at"] for n in notices} == {"2025-03-01T09:00:00+00:00"}


def test_a_completed_goal_needs_the_match_people_from_the_projection():
    event = GoalCompleted(goal_id="g", match_id="m", completed_by="bob")
    with pytest.raises(MissingMatch):
        domain.notices_for(event)
    assert {n.recipient for n in domain.notices_for(event, ("ada", "bob"))} == {"ada", "bob"}


# -- channels -----------------------------------------------------------------------------------
def contact(**overrides) -> dict:
    return {"email": "a@x.org", "phone": "+447700900001", "is_minor": False,
            "channels": {"email": True, "sms": True}} | overrides


def test_channels_follow_the_persons_choices_and_the_rules():
    on = SmsPolicy(configured=True, allow_minors=False)
    assert domain.channels_for(contact(), True, on) == ["email", "sms"]
    assert domain.channels_for(contact(), False, on) == ["email"]  # this kind is never sent by SMS
    assert domain.channels_for(contact(channels={"email": False, "sms": True}), True, on) == ["sms"]
    assert domain.channels_for(contact(phone=None), True, on) == ["email"]
    assert domain.channels_for(contact(is_minor=True), True, on) == ["email"]
    assert domain.channels_for(contact(is_minor=True), True, SmsPolicy(True, allow_minors=True)) == ["email", "sms"]
    assert domain.channels_for(contact(), True, SmsPolicy(configured=False, allow_minors=True)) == ["email"]


# -- retries ------------------------------------------------------------------------------------
class Fixed(random.Random):
    def __init__(self, value: float):
        super().__init__()
        self.value = value

    def uniform(self, a, b):
        return a + (b - a) * self.value


def test_back_off_doubles_up_to_the_cap_with_jitter_on_half_of_it():
    policy = RetryPolicy(base_seconds=10, cap_seconds=900, max_attempts=15)
    lows = [policy.delay(n, Fixed(0.0)) for n in range(1, 9)]
    highs = [policy.delay(n, Fixed(1.0)) for n in range(1, 9)]
    assert lows == [5, 10, 20, 40, 80, 160, 320, 450]
    assert highs == [10, 20, 40, 80, 160, 320, 640, 900]
    rng = random.Random(7)
    samples = [policy.delay(3, rng) for _ in range(200)]
    assert all(20 <= s <= 40 for s in samples) and len({round(s, 3) for s in samples}) > 150  # spread out


def test_retries_stop_after_the_last_attempt():
    policy = RetryPolicy(max_attempts=3)
    assert [policy.gives_up_after(n) for n in (1, 2, 3)] == [False, False, True]


@pytest.mark.parametrize("code, recipient_or_content, permanent", [
    (550, True, True),  # no such mailbox
    (552, True, True),  # message refused
    (451, True, False),  # try again later
    (421, False, False),  # service closing
    (535, False, False),  # our login refused: an operator must fix it, then it goes out
    (None, False, False),  # connection refused, timeout
])
def test_smtp_failures_are_permanent_only_for_5xx_about_the_recipient_or_message(code, recipient_or_content,
                                                                                  permanent):
    assert domain.smtp_failure(code, "reply", recipient_or_content=recipient_or_content).permanent is permanent


@pytest.mark.parametrize("status, permanent", [(400, True), (404, True), (429, False), (500, False), (503, False),
                                               (None, False)])
def test_twilio_failures_are_permanent_for_4xx_except_429(status, permanent):
    assert domain.twilio_failure(status, 21211, "bad").permanent is permanent


def test_failure_texts_carry_no_contact_details():
    failure = domain.smtp_failure(550, "5.1.1 <bob.smith@example.org>: Recipient address rejected",
                                  recipient_or_content=True)
    assert "bob.smith@example.org" not in failure.message and "<email>" in failure.message
    sms = domain.twilio_failure(400, 21211, "The 'To' number +44 7700 900123 is not a valid phone number.")
    assert "7700" not in sms.message and "<phone>" in sms.message


# -- idempotency keys -----------------------------------------------------------------------------
def test_a_quiet_spell_has_one_nudge_key_however_often_the_job_runs():
    assert domain.nudge_cause_id("m", T0) == domain.nudge_cause_id("m", T0.astimezone())
    assert domain.nudge_cause_id("m", T0) != domain.nudge_cause_id("m", T0 + timedelta(days=3))
    assert domain.nudge_cause_id("m", T0) != domain.nudge_cause_id("m", T0, escalation=True)


# -- nudges -------------------------------------------------------------------------------------
def test_a_quiet_match_is_nudged_once_then_the_coordinator_is_told_once():
    quiet = IdleMatch(idle_since=T0)
    assert domain.nudge_step(quiet, T0 + timedelta(days=13), 14, 7) is None
    assert domain.nudge_step(quiet, T0 + timedelta(days=14), 14, 7) == "nudge"
    nudged = IdleMatch(idle_since=T0, nudged_for=T0, nudged_at=T0 + timedelta(days=14))
    assert domain.nudge_step(nudged, T0 + timedelta(days=20), 14, 7) is None
    assert domain.nudge_step(nudged, T0 + timedelta(days=21), 14, 7) == "escalate"
    told = IdleMatch(idle_since=T0, nudged_for=T0, nudged_at=T0 + timedelta(days=14), escalated_for=T0)
    assert domain.nudge_step(told, T0 + timedelta(days=60), 14, 7) is None


def test_a_message_starts_a_new_quiet_spell_and_zero_days_turns_nudges_off():
    after_message = IdleMatch(idle_since=T0 + timedelta(days=20), nudged_for=T0, nudged_at=T0 + timedelta(days=14),
                              escalated_for=T0)
    assert domain.nudge_step(after_message, T0 + timedelta(days=30), 14, 7) is None
    assert domain.nudge_step(after_message, T0 + timedelta(days=34), 14, 7) == "nudge"
    assert domain.nudge_step(IdleMatch(idle_since=T0), T0 + timedelta(days=400), 0, 7) is None


def test_a_due_survey_emails_only_its_participant_with_a_link_to_the_survey_page():
    from ementor_contracts import SurveyRequested

    from services.notifications import templates

    event = SurveyRequested(survey_id="s1", match_id="m1", person_id="mentee-1", role="mentee", moment="midpoint",
                            closes_at=T0 + timedelta(days=14))
    [notice] = domain.notices_for(event)
    assert notice.recipient == "mentee-1" and notice.kind == "survey_requested" and notice.about is None
    values = {"recipient_name": "Bob", "organisation": "Northside", "app_url": "https://app", **notice.values}
    for locale, subject in (("en", "A quick question for you"), ("es", "Una pregunta rápida para ti")):
        rendered = templates.render_email("survey_requested", values, locale=locale)
        assert rendered.subject == subject
        assert "https://app/surveys/s1" in rendered.text
        assert '<a href="https://app/surveys/s1">' in rendered.html
    assert templates.KINDS["survey_requested"].sms is None  # email only: never a text at night
