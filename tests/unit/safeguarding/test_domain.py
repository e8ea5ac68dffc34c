"""The safeguarding rules without a broker or a database: the escalation ladder, decisions, the audit chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.safeguarding import domain
from services.safeguarding.domain import Contact

FIRST, SECOND = Contact("Sam", "sam@school.org", "+447700900001"), Contact("Kim", "kim@school.org", None)
OPERATOR = Contact("operator", "ops@ementor.org", "+447700900099")


def test_the_ladder_goes_down_the_contacts_then_to_the_operator_then_stops():
    steps = [domain.alert_for_step(n, [FIRST, SECOND], OPERATOR) for n in range(4)]
    assert [(s.contact.name, s.to_operator) for s in steps[:3]] == [("Sam", False), ("Kim", False),
                                                                     ("operator", True)]
    assert steps[3] is None
    assert domain.alert_for_step(0, [], None) is None
    assert domain.alert_for_step(0, [], Contact("operator", None, None)) is None  # no address: nobody


def test_the_next_step_is_due_after_the_time_to_acknowledge_whatever_the_hour():
    midnight = datetime(2025, 1, 1, 0, 5, tzinfo=UTC)  # quiet hours do not apply
    assert domain.next_alert_at(midnight, 15, True) == midnight + timedelta(minutes=15)
    assert domain.next_alert_at(midnight, 15, False) is None


@pytest.mark.parametrize(("decision", "person", "code"), [
    ("suspend_person", None, "person_id_required"),
    ("suspend_person", "stranger", "person_not_in_match"),
    ("resume", "m1", "person_id_unexpected"),
])
def test_decisions_that_cannot_be_carried_out_are_refused(decision, person, code):
    with pytest.raises(domain.RuleBroken) as refused:
        domain.check_decision(decision, "open", person_id=person, participants=("m1", "m2"))
    assert refused.value.code == code


def test_a_resolved_concern_and_a_match_decision_without_a_match_are_refused():
    with pytest.raises(domain.RuleBroken, match="already resolved"):
        domain.check_decision("resume", "resolved", person_id=None, participants=("m1", "m2"))
    with pytest.raises(domain.RuleBroken, match="about a match"):
        domain.check_decision("end_match", "open", person_id=None, participants=())
    domain.check_decision("refer_outside", "acknowledged", person_id=None, participants=())


def test_only_resume_or_a_referral_that_says_so_lifts_the_pause():
    assert not domain.keeps_contact_paused("resume", False)
    assert not domain.keeps_contact_paused("refer_outside", True)
    assert domain.keeps_contact_paused("refer_outside", False)
    assert domain.keeps_contact_paused("end_match", True)
    assert domain.keeps_contact_paused("suspend_person", False)


def chain(n: int) -> list[dict]:
    entries, prev = [], domain.GENESIS
    for seq in range(1, n + 1):
        entry = {"tenant_id": "org", "seq": seq, "at": f"2025-01-01T00:00:0{seq}.000+00:00", "actor": "staff:s1",
                 "action": "concern_resolved", "subject_id": f"c{seq}", "data": {"reason": "checked"},
                 "prev_hash": prev}
        entry["hash"] = domain.entry_hash(entry)
        entries.append(entry)
        prev = entry["hash"]
    return entries


def test_a_whole_chain_verifies_and_an_edit_a_deletion_or_a_reorder_is_found_where_it_is():
    assert domain.verify_chain(chain(5)) is None
    edited = chain(5)
    edited[2]["data"] = {"reason": "nothing to see"}
    assert domain.verify_chain(edited) == domain.ChainBreak(3, "the entry was changed after it was written "
                                                               "(hash mismatch)")
    deleted = chain(5)
    del deleted[1]
    assert domain.verify_chain(deleted).seq == 2 and "missing" in domain.verify_chain(deleted).problem
    rehashed = chain(5)  # an edit that recomputes its own hash still breaks the next link
    rehashed[1]["data"] = {"reason": "rewritten"}
    rehashed[1]["hash"] = domain.entry_hash(rehashed[1])
    assert domain.verify_chain(rehashed) == domain.ChainBreak(3, "prev_hash does not match the entry before it")


def trimmed(entries: list[dict], through: int) -> list[dict]:
    """The chain after retention deleted entries 1..through: what is left plus the audit_trimmed entry."""
    last = entries[-1]
    record = {"tenant_id": "org", "seq": last["seq"] + 1, "at": "2031-01-01T00:00:00.000+00:00",
              "actor": "retention", "action": domain.TRIMMED, "subject_id": "org",
              "data": {"through_seq": through, "through_hash": entries[through - 1]["hash"]},
              "prev_hash": last["hash"]}
    record["hash"] = domain.entry_hash(record)
    return [*entries[through:], record]


def test_a_trim_point_is_the_last_of_the_leading_entries_older_than_the_cutoff():
    entries = chain(5)
    assert domain.trim_point(entries, "2025-01-01T00:00:03.500+00:00")["seq"] == 3
    assert domain.trim_point(entries, "2025-01-01T00:00:01.000+00:00") is None
    entries[1]["at"] = "2025-01-01T00:00:09.000+00:00"  # out of order: the kept chain stays one piece
    assert domain.trim_point(entries, "2025-01-01T00:00:03.500+00:00")["seq"] == 1


def test_a_trimmed_chain_verifies_from_its_base_only_when_a_trim_entry_names_the_base():
    entries = chain(5)
    kept = trimmed(entries, 3)
    assert domain.verify_chain(kept, 3, entries[2]["hash"]) is None
    assert domain.verify_chain(kept) is not None  # read from genesis, the first three are missing
    moved = kept[1:]  # someone deleted entry 4 too and moved the base by hand
    broken = domain.verify_chain(moved, 4, entries[3]["hash"])
    assert broken.seq == 4 and "no audit_trimmed entry" in broken.problem
    edited = trimmed(entries, 3)
    edited[0]["data"] = {"reason": "nothing to see"}
    assert domain.verify_chain(edited, 3, entries[2]["hash"]).seq == 4
