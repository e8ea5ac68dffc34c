"""Safeguarding rules as plain functions: categories, decisions, the escalation ladder, the hash chain.

No nameko, no MongoDB, no HTTP: unit-tested directly (tests/unit/safeguarding).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

# What a person can report. The serious ones also go to the top of a lead's list.
CATEGORIES = {
    "uncomfortable": "made me uncomfortable",
    "asked_to_meet_or_talk_elsewhere": "asked to meet or talk somewhere else",
    "bullying": "bullying or unkind messages",
    "worried_about_me": "something worrying about me",
    "worried_about_someone_else": "something worrying about someone else",
    "inappropriate_content": "sexual or inappropriate content",
    # Raised by moderation when a message falls in a serious risk category.
    "self_harm": "self-harm or suicide (found in a message)",
    "grooming": "grooming pattern (found in a message)",
    "abuse_disclosure": "abuse disclosed (found in a message)",
    "other": "something else",
}
SERIOUS = frozenset({"self_harm", "grooming", "abuse_disclosure", "inappropriate_content", "worried_about_me"})
# Moderation reasons (messaging's MessageHeld) that raise a concern by themselves, most serious first.
RISK_REASONS = ("self_harm", "abuse_disclosure", "grooming")

DECISIONS = ("resume", "end_match", "suspend_person", "refer_outside")
OPEN_STATES = ("open", "acknowledged")
CONCERN = "concern"  # the pause reason other services add to the match's paused_for
SUSPENDED = "suspended"  # the pause reason on every match of a suspended person

ACK_MINUTES_MIN, ACK_MINUTES_MAX = 1, 24 * 60
DEFAULT_ACK_MINUTES = 15


class RuleBroken(ValueError):
    """A request that the rules refuse; the message says what to do instead."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Alert:
    """Who the escalation alerts at one step: a contact of the organisation, or the platform operator."""

    step: int
    contact: Contact
    to_operator: bool


def alert_for_step(step: int, contacts: list[Contact], operator: Contact | None) -> Alert | None:
    """Step 0 alerts the first contact, step n the (n+1)th, then the operator; then nobody."""
    if step < len(contacts):
        return Alert(step, contacts[step], False)
    if step == len(contacts) and operator is not None and (operator.email or operator.phone):
        return Alert(step, operator, True)
    return None


def next_alert_at(now: datetime, acknowledge_within_minutes: int, has_next: bool) -> datetime | None:
    """When the next step is due if nobody acknowledges; quiet hours never delay it."""
    return now + timedelta(minutes=acknowledge_within_minutes) if has_next else None


def check_decision(decision: str, status: str, *, person_id: str | None, participants: tuple[str, ...]) -> None:
    if status == "resolved":
        raise RuleBroken("this concern is already resolved; raise a new one if something else happens",
                         "concern_resolved")
    if decision == "suspend_person":
        if not person_id:
            raise RuleBroken("suspend_person needs person_id: the person to suspend", "person_id_required")
        if participants and person_id not in participants:
            raise RuleBroken("person_id must be the mentor or the mentee of the concern's match",
                             "person_not_in_match")
    elif person_id:
        raise RuleBroken("person_id is only for suspend_person", "person_id_unexpected")
    if decision in ("end_match", "suspend_person") and not participants:
        raise RuleBroken(f"{decision} needs a concern about a match", "concern_has_no_match")


def keeps_contact_paused(decision: str, resume_contact: bool) -> bool:
    """Only `resume` (or a referral that says so) lifts the pause; ending or suspending keeps it."""
    return not (decision == "resume" or (decision == "refer_outside" and resume_contact))


# -- the audit chain ---------------------------------------------------------------------------------
GENESIS = "0" * 64
TRIMMED = "audit_trimmed"  # the entry a retention run appends before it deletes the chain's oldest entries


def trim_point(entries: list[dict], before: str) -> dict | None:
    """The last entry of the leading run written before `before` (ISO text, as stored): what a trim deletes
    through. Stops at the first newer entry, so the kept chain stays one piece."""
    last = None
    for entry in entries:
        if entry["at"] >= before:
            break
        last = entry
    return last


def canonical(entry: dict) -> bytes:
    """The bytes an entry's hash covers: everything but its own hash, keys sorted, times as ISO text."""
    fields = {k: entry[k] for k in ("tenant_id", "seq", "at", "actor", "action", "subject_id", "data", "prev_hash")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(entries: list[dict], base_seq: int = 0, base_hash: str = GENESIS) -> ChainBreak | None:
    """The first place the chain breaks (an edited, deleted or reordered entry), or None when whole.

    A chain trimmed by retention starts after its base: the last deleted entry's seq and hash, which
    an `audit_trimmed` entry inside the chain must name, so a base moved by hand is a break too."""
    if base_seq and not any(e["action"] == TRIMMED and e["data"].get("through_seq") == base_seq
                            and e["data"].get("through_hash") == base_hash for e in entries):
        return ChainBreak(base_seq, f"entries up to {base_seq} are gone and no audit_trimmed entry records it")
    prev, expected_seq = base_hash, base_seq + 1
    for entry in entries:
        if entry["seq"] != expected_seq:
            return ChainBreak(expected_seq, f"entry {expected_seq} is missing (next found is {entry['seq']})")
        if entry["prev_hash"] != prev:
            return ChainBreak(entry["seq"], "prev_hash does not match the entry before it")
        if entry_hash(entry) != entry["hash"]:
            return ChainBreak(entry["seq"], "the entry was changed after it was written (hash mismatch)")
        prev, expected_seq = entry["hash"], expected_seq + 1
    return None
