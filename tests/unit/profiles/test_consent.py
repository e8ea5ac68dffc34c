"""Guardian consent rules: states, decisions, link tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.profiles import consent


def test_only_a_minor_mentee_needs_consent_and_old_records_count_as_pending():
    assert consent.initial_state("mentee", True) == "pending"
    assert consent.initial_state("mentee", False) == "not_required"
    assert consent.initial_state("mentor", True) == "not_required"
    assert consent.current_state("mentee", True, None) == "pending"
    assert consent.current_state("mentee", False, "granted") == "not_required"


@pytest.mark.parametrize(("state", "decision", "after"), [
    ("pending", "grant", "granted"), ("pending", "decline", "declined"), ("declined", "grant", "granted"),
    ("granted", "withdraw", "withdrawn"), ("withdrawn", "grant", "granted"), ("withdrawn", "decline", "declined"),
])
def test_decisions_move_the_state(state, decision, after):
    assert consent.decide(state, decision) == after


@pytest.mark.parametrize(("state", "decision", "code"), [
    ("granted", "grant", "guardian_consent_already_decided"),
    ("declined", "decline", "guardian_consent_already_decided"),
    ("pending", "withdraw", "guardian_consent_not_granted"),
    ("not_required", "grant", "guardian_consent_not_required"),
])
def test_decisions_the_state_does_not_allow_are_refused_with_a_code(state, decision, code):
    with pytest.raises(consent.ConsentRefused) as refused:
        consent.decide(state, decision)
    assert refused.value.code == code


def test_link_tokens_are_random_hashed_and_expire_by_purpose():
    now = datetime(2026, 9, 1, tzinfo=UTC)
    decide, again = consent.new_link_token(consent.DECIDE, now), consent.new_link_token(consent.DECIDE, now)
    assert decide.plaintext != again.plaintext and consent.looks_like_token(decide.plaintext)
    assert decide.token_hash == consent.hash_token(decide.plaintext) and decide.plaintext not in decide.token_hash
    assert (decide.expires_at - now).days == 14
    assert (consent.new_link_token(consent.WITHDRAW, now).expires_at - now).days == 400
    assert not consent.looks_like_token("nonsense")


def test_the_address_evidence_is_a_keyed_hash():
    assert consent.ip_hash("k", "203.0.113.7") == consent.ip_hash("k", "203.0.113.7")
    assert consent.ip_hash("k", "203.0.113.7") != consent.ip_hash("other", "203.0.113.7")
    assert "203.0.113.7" not in consent.ip_hash("k", "203.0.113.7")
    assert consent.ip_hash("k", None) is None
