"""Relationship health: the score, its reasons in words, and when a match will cross the line."""

from datetime import UTC, datetime, timedelta

import pytest

from services.insights import domain, health

pytestmark = pytest.mark.unit

NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)


def signals(quiet_days: float, **counters) -> health.Signals:
    return health.Signals(accepted_at=NOW - timedelta(days=60), last_message_at=NOW - timedelta(days=quiet_days),
                          counters={"messages": 20, "replies": 10, "mentor_messages": 10, "mentee_messages": 10,
                                    "reply_seconds": 10 * 3600, **counters})


def test_a_pair_talking_this_week_is_healthy():
    assessed = health.assess(signals(2), NOW)
    assert assessed.score == 100 and assessed.reasons == ["Talking regularly"] and not assessed.at_risk()


def test_silence_lowers_the_score_and_says_so():
    assessed = health.assess(signals(20), NOW)
    assert assessed.at_risk() and "No message for 20 days" in assessed.reasons


def test_a_one_sided_conversation_is_named():
    assessed = health.assess(signals(1, mentor_messages=19, mentee_messages=1), NOW)
    assert "One-sided: the mentee writes only 5% of the messages" in assessed.reasons


def test_each_reason_comes_with_its_code_and_figures_in_the_same_order():
    assessed = health.assess(signals(20, mentor_messages=19, mentee_messages=1, reply_seconds=10 * 4 * 86400,
                                     sessions_cancelled=3, sessions_due=1, nudges_sent=2), NOW)
    assert [(r.code, r.figures) for r in assessed.reason_codes] == [
        ("quiet", {"days": 20}), ("one_sided", {"quieter": "mentee", "percent": 5}),
        ("slow_replies", {"days": 4.0}), ("sessions_cancelled", {"cancelled": 3, "kept": 1}),
        ("reminders_unanswered", {"reminders": 2})]
    assert assessed.reasons[2:] == ["Replies take 4.0 days on average", "3 sessions cancelled, 1 kept",
                                    "2 reminder(s) to the pair had no reply within a week"]
    fresh = health.Signals(accepted_at=NOW - timedelta(days=9), last_message_at=None, counters={})
    assert [r.code for r in health.assess(fresh, NOW).reason_codes] == ["quiet_since_start"]
    assert [r.code for r in health.assess(signals(2), NOW).reason_codes] == ["talking_regularly"]


def test_the_moment_of_crossing_is_foreseen():
    at = health.risk_at(signals(2), NOW)
    assert at is not None and not health.assess(signals(2), at - timedelta(minutes=20)).at_risk()
    assert health.assess(signals(2), at).at_risk()
    assert health.risk_at(signals(20), NOW) == NOW


def test_contributions_of_a_replayed_fact_difference_nothing():
    facts = domain.MessageFacts(at=NOW, sender_role="mentee", reply_seconds=3600.0, first_response_seconds=None)
    contrib = domain.message_contributions(facts, "p1")
    assert domain.diff(contrib, contrib) == {}
    assert contrib["p:p1|2026-05-04|messages"] == 1 and contrib["org|2026-05-04|reply_le_1h"] == 1


def test_merging_is_order_free():
    a, b = {"accepted_at": NOW}, {"accepted_at": NOW - timedelta(days=1), "ended_at": NOW}
    left = domain.merge(domain.merge({}, domain.normalise_times(a), domain.MATCH_RULES),
                        domain.normalise_times(b), domain.MATCH_RULES)
    right = domain.merge(domain.merge({}, domain.normalise_times(b), domain.MATCH_RULES),
                         domain.normalise_times(a), domain.MATCH_RULES)
    assert left == right
