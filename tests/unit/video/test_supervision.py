"""The rules for sessions with a minor, decided from the settings and what video knows of the two people."""

from datetime import UTC, datetime

import pytest

from ementor.platform.errors import Conflict
from services.video.documents import PersonFacts, VideoSettings
from services.video.supervision import Observer, observer_for

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def facts(**people):
    known = {pid: PersonFacts(person_id=pid, is_minor=minor, vetted=vetted, at=NOW)
             for pid, (minor, vetted) in people.items()}
    asked = []

    def lookup(person_id):
        asked.append(person_id)
        return known.get(person_id)
    return lookup, asked


def rules(**kw):
    return VideoSettings(min_duration_minutes=15, max_duration_minutes=180, max_days_ahead=365, **kw)


def test_no_rule_means_no_observer_and_no_lookup():
    lookup, asked = facts()
    assert observer_for(None, lookup, "mentee", "mentor") is None
    assert observer_for(rules(), lookup, "mentee", "mentor") is None
    assert asked == []


def test_a_minor_gets_the_named_observer():
    lookup, _ = facts(mentee=(True, False))
    settings = rules(require_observer_for_minors=True, observer_staff_id="s1", observer_name="Priya")
    assert observer_for(settings, lookup, "mentee", "mentor") == Observer("s1", "Priya")


def test_an_adult_mentee_needs_neither_observer_nor_vetting():
    lookup, _ = facts(mentee=(False, False), mentor=(False, False))
    settings = rules(require_observer_for_minors=True, observer_staff_id="s1", require_vetted_mentor_for_minors=True)
    assert observer_for(settings, lookup, "mentee", "mentor") is None


def test_unknown_people_are_treated_as_a_minor_and_an_unvetted_mentor():
    lookup, _ = facts()
    with pytest.raises(Conflict) as refused:
        observer_for(rules(require_vetted_mentor_for_minors=True), lookup, "mentee", "mentor")
    assert refused.value.code == "mentor_not_vetted"
    assert observer_for(rules(require_observer_for_minors=True, observer_staff_id="s1"), lookup, "mentee",
                        "mentor") == Observer("s1", "Staff observer")


def test_a_vetted_mentor_meets_a_minor_and_a_missing_observer_is_a_conflict():
    lookup, _ = facts(mentee=(True, False), mentor=(False, True))
    assert observer_for(rules(require_vetted_mentor_for_minors=True), lookup, "mentee", "mentor") is None
    with pytest.raises(Conflict) as refused:
        observer_for(rules(require_observer_for_minors=True), lookup, "mentee", "mentor")
    assert refused.value.code == "observer_required"


def mentor_at(level):
    """A minor mentee and a mentor whose recorded vetting is `level` (None: a fact older than levels, vetted)."""
    known = {"mentee": PersonFacts(person_id="mentee", is_minor=True, vetted=False, at=NOW),
             "mentor": PersonFacts(person_id="mentor", is_minor=False, vetted=level != "none", vetting_level=level,
                                   at=NOW)}
    return known.get


@pytest.mark.parametrize(("level", "required", "allowed"), [
    ("enhanced", "enhanced", True), ("enhanced", "basic", True), ("standard", "enhanced", False),
    ("basic", "standard", False), ("none", "basic", False), ("standard", "standard", True),
])
def test_the_organisation_sets_the_least_vetting_level_for_minors(level, required, allowed):
    settings = rules(require_vetted_mentor_for_minors=True, min_vetting_level_for_minors=required)
    if allowed:
        assert observer_for(settings, mentor_at(level), "mentee", "mentor") is None
        return
    with pytest.raises(Conflict) as refused:
        observer_for(settings, mentor_at(level), "mentee", "mentor")
    assert refused.value.code == "mentor_not_vetted"
    assert f"at least {required} level" in str(refused.value)
    assert refused.value.details == {"required_level": required, "mentor_level": level}


def test_older_records_read_as_basic_both_ways():
    # Settings that required vetting before levels existed ask for basic; a fact that said vetted is basic.
    old_rule = rules(require_vetted_mentor_for_minors=True)
    assert observer_for(old_rule, mentor_at(None), "mentee", "mentor") is None
    with pytest.raises(Conflict) as refused:
        observer_for(rules(require_vetted_mentor_for_minors=True, min_vetting_level_for_minors="standard"),
                     mentor_at(None), "mentee", "mentor")
    assert refused.value.details == {"required_level": "standard", "mentor_level": "basic"}


def test_a_guardian_is_invited_only_where_the_organisation_allows_and_only_for_a_minor():
    from services.video.supervision import invites_guardian
    minor, _ = facts(mentee=(True, False))
    adult, _ = facts(mentee=(False, False))
    assert invites_guardian(rules(), minor, "mentee") is False  # off by default
    assert invites_guardian(rules(invite_guardian_for_minors=True), minor, "mentee") is True
    assert invites_guardian(rules(invite_guardian_for_minors=True), adult, "mentee") is False
