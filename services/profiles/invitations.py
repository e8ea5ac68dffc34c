"""Inviting mentors and mentees to sign in: an email with a one-time link, sent when it is due.

An invitation is due at once for a person added with `invite`, and at the import's pace for the
people an import created (import_jobs.py). Every replica's `send_invitations` job (service.py)
claims and sends what is due. A minor is invited only once their guardian has consented: until
then the invitation waits, and a declined or withdrawn consent drops it. A mail server that does
not take the email delays the invitation, with back-off; after MAX_ATTEMPTS it is given up, with a
warning in the log. Staff see where a person's invitation stands (`status_of`); a sent or given-up
invitation is kept for KEEP.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ementor.platform.errors import Conflict, NotFound
from ementor.platform.principal import Principal

from . import accounts, guardians, schemas
from .consent import DECLINED, GRANTED, NOT_REQUIRED, WITHDRAWN, MailNotSent, current_state
from .documents import Person, utcnow
from .import_documents import InvitationDue
from .import_repository import ImportRepository

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # and at once when a person is added with `invite`
BATCH = 100
LEASE = timedelta(minutes=2)  # a claimed invitation is due again after this if its sender died
CONSENT_RECHECK = timedelta(minutes=15)  # a minor's invitation looks again for their guardian's consent
RETRY_AFTER = timedelta(minutes=5)  # doubled after each email the mail server did not take
MAX_ATTEMPTS = 8  # about 21 hours of trying
KEEP = timedelta(days=180)  # a sent or given-up invitation, for staff to see
REMIND_AFTER = timedelta(days=1)  # inviting everyone not signed in leaves out those invited more recently


def _may_be_invited(consent: str) -> bool:
    """An adult, or a minor whose guardian has consented."""
    return consent in (NOT_REQUIRED, GRANTED)


def invite_now(imports: ImportRepository, person: Person) -> None:
    """Due at once, instead of any invitation of theirs still waiting (an import's, paced for later)."""
    imports.drop_unsent_invitations(person.tenant_id, person.id)
    imports.add_invitations([InvitationDue(tenant_id=person.tenant_id, person_id=person.id, due_at=utcnow())])


def invite_again(imports: ImportRepository, auth: Principal, person_id: str) -> Person:
    """A coordinator sends a person a new invitation: refused in words for a minor not yet consented for."""
    person = imports.person(auth.tenant_id, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in this organisation")
    consent = guardians.state_of(person)
    if not _may_be_invited(consent):
        raise Conflict(f"{person.name} is under 18 and is invited once their guardian has consented "
                       f"(guardian consent is {consent})", code="invitation_waits_for_consent")
    invite_now(imports, person)
    return person


def invite_not_signed_in(imports: ImportRepository, auth: Principal, body: schemas.InviteNotSignedIn,
                         interest: str | None) -> schemas.InvitationsQueued:
    """A new invitation, at the pace asked for, for everyone (of a role, programme or interest) who has
    never signed in; except a minor without consent, someone whose invitation is still waiting, and
    someone sent one within REMIND_AFTER (so that a second click sends nothing twice). A dry run only
    counts, for the coordinator to see before sending."""
    now = utcnow()
    people = imports.not_signed_in(auth.tenant_id, role=body.role, programme_id=body.programme_id, interest=interest)
    waiting, given_up, recent = set(), {}, set()
    for kept in imports.invitations_holding_back(auth.tenant_id, now - REMIND_AFTER):
        if kept.get("sent_at"):
            recent.add(kept["person_id"])
        elif kept.get("given_up_at"):
            given_up.setdefault(kept["person_id"], []).append(kept["_id"])
        else:
            waiting.add(kept["person_id"])
    left_out = dict.fromkeys(("waiting_for_consent", "on_its_way", "invited_recently"), 0)
    due: list[tuple[str, datetime]] = []
    for person in people:
        if not _may_be_invited(current_state(person["role"], person.get("is_minor", False),
                                             person.get("guardian_consent"))):
            left_out["waiting_for_consent"] += 1
        elif person["_id"] in waiting:
            left_out["on_its_way"] += 1
        elif person["_id"] in recent:
            left_out["invited_recently"] += 1
        else:
            due.append((person["_id"], now + timedelta(seconds=len(due) * 3600 / body.invitations_per_hour)))
    if not body.dry_run:
        replaced = [i for person_id, _ in due for i in given_up.get(person_id, ())]
        imports.replace_invitations(auth.tenant_id, due, replaced)
    return schemas.InvitationsQueued(dry_run=body.dry_run, queued=len(due), last_due_at=due[-1][1] if due else None,
                                     **left_out)


def send_due(imports: ImportRepository, mail, links: accounts.LinkSettings, *, limit: int = BATCH) -> int:
    """Send the invitations due now (oldest first, across organisations, each claimed so that replicas
    never send one twice); return how many went."""
    sent = 0
    for _ in range(limit):
        now = utcnow()
        invitation = imports.claim_due_invitation(now, LEASE)
        if invitation is None:
            break
        person = imports.person(invitation.tenant_id, invitation.person_id)  # None once erased
        consent = guardians.state_of(person) if person is not None else None
        if person is None or consent in (DECLINED, WITHDRAWN):
            log.info("invitation of %s dropped: %s", invitation.person_id,
                     "the person was erased" if person is None else f"guardian consent {consent}")
            imports.drop_invitation(invitation)
            continue
        if not _may_be_invited(consent):
            imports.postpone_invitation(invitation, now + CONSENT_RECHECK)
            continue
        try:
            used_at = accounts.invite_person(imports, person, mail, links, invitation_id=invitation.id)
        except MailNotSent as exc:
            if invitation.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("invitation of %s given up after %d attempts: %s", person.id, MAX_ATTEMPTS, exc)
                imports.give_up_invitation(invitation, str(exc), KEEP)
            else:
                imports.postpone_invitation(invitation, now + RETRY_AFTER * 2 ** invitation.attempts, str(exc))
            continue
        # A link used already: its sender died after sending it, and it went by the time it was used.
        imports.mark_invitation_sent(invitation, KEEP, at=used_at)
        sent += used_at is None
    return sent


def consent_granted(imports: ImportRepository, person: Person) -> bool:
    """The guardian has just consented: a waiting invitation goes now rather than at its next look.
    True when there was one (the sender is then kicked)."""
    return guardians.state_of(person) == GRANTED and imports.bring_invitation_forward(person.tenant_id, person.id,
                                                                                       utcnow())


def status_of(imports: ImportRepository, auth: Principal, person_id: str) -> schemas.InvitationStatus:
    """Where a person's invitation to sign in stands, and when they last signed in."""
    person = imports.person(auth.tenant_id, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in this organisation")
    kept = imports.invitations_of(person.tenant_id, person.id)
    waiting = [i for i in kept if not i.sent_at and not i.given_up_at]
    latest = waiting[0] if waiting else max(kept, key=lambda i: i.sent_at or i.given_up_at, default=None)
    signed_in_at = person.last_signed_in_at
    if latest is None:
        status = "signed_in" if signed_in_at else "not_invited"
    elif latest.sent_at:
        status = "signed_in" if signed_in_at and signed_in_at >= latest.sent_at else "sent"
    elif latest.given_up_at:
        status = "not_delivered"
    elif not _may_be_invited(guardians.state_of(person)):
        status = "waiting_for_consent"
    else:
        status = "retrying" if latest.attempts else "queued"
    return schemas.InvitationStatus(
        person_id=person.id, email=person.email, status=status, last_signed_in_at=signed_in_at,
        due_at=latest.due_at if latest and status in ("queued", "retrying") else None,
        sent_at=latest.sent_at if latest else None, attempts=latest.attempts if latest else 0,
        last_error=latest.last_error if latest and status in ("retrying", "not_delivered") else None)
