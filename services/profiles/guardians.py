"""Guardian consent for minor mentees: requests by email, decisions by link or by staff, history.

A minor mentee's record names a guardian. Their consent state is on the person (and in profile
snapshots and GuardianConsentChanged, never with the guardian's contact); every step is appended
to the consent history with time and evidence. Link tokens are single use and stored hashed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ementor_contracts import GuardianConsentChanged

from ementor.platform.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from ementor.platform.principal import Principal

from . import consent, mail_words, schemas
from . import guardian_schemas as gs
from .consent import DECIDE, GRANTED, NOT_REQUIRED, PENDING, WITHDRAW, MailNotSent
from .documents import Guardian, Person, utcnow
from .guardian_documents import GuardianConsentEntry, GuardianLink
from .repository import ProfilesRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Links:
    """Where the emails point (the web app) and the key that hashes decision addresses."""

    public_url: str
    ip_key: str

    def url(self, page: str, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/guardian/{page}?token={token}"


def actor_of(auth: Principal) -> str:
    return auth.actor  # staff:<id>, integration:<key id>, person:<id>


def state_of(person: Person) -> str:
    return consent.current_state(person.role, person.is_minor, person.guardian_consent)


# -- on create and update (called by handlers before the person is saved) ---------------------------
def on_create(person: Person, body: schemas.CreatePerson, auth: Principal) -> list[GuardianConsentEntry]:
    """Set the guardian and initial state; return the history entries to append once saved."""
    needs = consent.needs_consent(person.role, person.is_minor)
    if body.guardian is not None and not needs:
        raise _invalid("guardian", "a guardian is recorded for a minor mentee only; set is_minor, or leave it out")
    if body.consent_recorded_offline is not None and not needs:
        raise _invalid("consent_recorded_offline", "guardian consent applies to a minor mentee only")
    if needs and body.guardian is None and body.consent_recorded_offline is None:
        raise _invalid("guardian", "a minor mentee needs a guardian {name, email} to ask for consent, "
                                   "or consent_recorded_offline {decision, evidence} if your organisation "
                                   "collected it itself")
    if body.guardian is not None:
        person.guardian = Guardian(name=body.guardian.name, email=str(body.guardian.email).lower())
    person.guardian_consent = consent.initial_state(person.role, person.is_minor)
    person.guardian_consent_at, person.guardian_consent_method = utcnow(), "system"
    entries = []
    if needs:
        offline = body.consent_recorded_offline
        if offline is not None:
            entries.append(_set_state(person, offline.decision, actor=actor_of(auth), method="offline",
                                      evidence=offline.evidence))
        else:
            person.record(GuardianConsentChanged(person_id=person.id, state=PENDING))
    return entries


def on_update(person: Person, body: schemas.UpdatePerson, changes: dict, was_minor: bool,
              auth: Principal) -> list[GuardianConsentEntry]:
    """Apply a change of guardian or of the minor flag; return the history entries to append."""
    if ("guardian" in changes or "consent_recorded_offline" in changes) and not auth.is_coordinator:
        raise _forbidden_guardian()
    needs = consent.needs_consent(person.role, person.is_minor)
    offline = body.consent_recorded_offline
    if offline is not None and not needs:
        raise _invalid("consent_recorded_offline", "guardian consent applies to a minor mentee only")
    if "guardian" in changes:
        if body.guardian is None:
            if needs:
                raise _invalid("guardian", "a minor mentee's guardian cannot be removed; change it instead")
            person.guardian = None
        else:
            if not needs:
                raise _invalid("guardian", "a guardian is recorded for a minor mentee only")
            new = Guardian(name=body.guardian.name, email=str(body.guardian.email).lower())
            if person.guardian is None or new.email != person.guardian.email:
                person.guardian_request_sent_at = None  # a new guardian gets a new request, unless decided
            person.guardian = new
    entries = []
    if needs and not was_minor:
        if person.guardian is None and offline is None:
            raise _invalid("guardian", "a mentee who is a minor needs a guardian {name, email} (or "
                                       "consent_recorded_offline); send it with is_minor")
        person.guardian_request_sent_at, person.guardian_consent = None, PENDING
        if offline is None:
            entries.append(_set_state(person, None, actor=actor_of(auth), method="system", action="requested"))
    if offline is not None:
        entries.append(_set_state(person, offline.decision, actor=actor_of(auth), method="offline",
                                  evidence=offline.evidence))
        return entries
    if was_minor and not needs:
        return [_set_state(person, None, actor=actor_of(auth), method="system", action="not_required")]
    return entries


def _set_state(person: Person, decision: str | None, *, actor: str, method: str, action: str | None = None,
               evidence: str | None = None, ip_hash: str | None = None, link_id: str | None = None,
               ) -> GuardianConsentEntry:
    """Move the person's consent (a decision, or a request / not_required) and record the event."""
    now = utcnow()
    if decision is not None:
        try:
            state = consent.decide(state_of(person), decision)
        except consent.ConsentRefused as exc:
            raise Conflict(str(exc), code=exc.code, details={"state": state_of(person)})
        action = decision
    else:
        state = PENDING if action == "requested" else NOT_REQUIRED
    person.guardian_consent, person.guardian_consent_at = state, now
    person.guardian_consent_by, person.guardian_consent_method = actor, method
    person.record(GuardianConsentChanged(person_id=person.id, state=state))
    return GuardianConsentEntry(tenant_id=person.tenant_id, person_id=person.id, at=now, state=state, action=action,
                                method=method, actor=actor, evidence=evidence, ip_hash=ip_hash, link_id=link_id)


def append_entries(repo: ProfilesRepository, entries: list[GuardianConsentEntry]) -> None:
    for entry in entries:
        repo.append_consent_entry(entry)


# -- the request email --------------------------------------------------------------------------------
def send_request_if_due(repo: ProfilesRepository, mail, links: Links, person: Person) -> bool:
    """Email the guardian a decision link if consent is still to be asked for; False if not sent."""
    if state_of(person) != PENDING or person.guardian is None or person.guardian_request_sent_at is not None:
        return False
    try:
        send_request(repo, mail, links, person)
    except MailNotSent as exc:
        log.warning("guardian consent request for %s not sent (staff can re-send it): %s", person.id, exc)
        return False
    return True


def send_request(repo: ProfilesRepository, mail, links: Links, person: Person) -> None:
    """A fresh decision link (older ones stop working), emailed to the guardian now."""
    now = utcnow()
    repo.revoke_guardian_links(person.tenant_id, person.id, DECIDE, now)
    token = consent.new_link_token(DECIDE, now)
    link = GuardianLink(tenant_id=person.tenant_id, token_hash=token.token_hash, purpose=DECIDE, person_id=person.id,
                        expires_at=token.expires_at)
    repo.add_guardian_link(link)
    organisation, programme = _context(repo, person)
    subject, text = mail_words.consent_request(
        person.locale, guardian=person.guardian.name, child=person.name, organisation=organisation,
        programme=programme, url=links.url("consent", token.plaintext), expires_at=token.expires_at,
        timezone=person.timezone)
    mail.send_now(to_name=person.guardian.name, to_address=person.guardian.email, subject=subject, text=text)
    person.guardian_request_sent_at = now
    repo.save(person)
    repo.append_consent_entry(GuardianConsentEntry(
        tenant_id=person.tenant_id, person_id=person.id, at=now, state=state_of(person), action="requested",
        method="request", actor="system", link_id=link.id))


def resend(repo: ProfilesRepository, mail, links: Links, auth: Principal, person_id: str) -> Person:
    person = minor_mentee(repo, auth, person_id)
    if person.guardian is None:
        raise Conflict("no guardian is recorded for this person: add one with PATCH /v1/people/{id} first",
                       code="guardian_missing")
    if state_of(person) == GRANTED:
        raise Conflict("consent is already granted; nothing to ask for", code="guardian_consent_already_decided",
                       details={"state": GRANTED})
    if state_of(person) != PENDING:  # declined or withdrawn: asking again reopens it
        repo.append_consent_entry(_set_state(person, None, actor=actor_of(auth), method="request",
                                             action="requested"))
        repo.save(person)
    try:
        send_request(repo, mail, links, person)
    except MailNotSent as exc:
        raise Unavailable(f"the consent request could not be emailed; try again later ({exc})")
    return person


# -- decisions ----------------------------------------------------------------------------------------
def record_offline(repo: ProfilesRepository, auth: Principal, person_id: str,
                   body: gs.OfflineConsent) -> Person:
    """A member of staff records a decision the organisation collected itself (a paper form...)."""
    person = minor_mentee(repo, auth, person_id)
    entry = _set_state(person, body.decision, actor=actor_of(auth), method="offline", evidence=body.evidence)
    repo.save(person)
    repo.append_consent_entry(entry)
    repo.revoke_guardian_links(person.tenant_id, person.id, DECIDE, entry.at)  # an emailed link cannot overrule it
    if body.decision != "grant":
        repo.revoke_guardian_links(person.tenant_id, person.id, WITHDRAW, entry.at)
    return person


def complete(repo: ProfilesRepository, mail, links: Links, body: gs.CompleteConsent,
             address: str | None) -> tuple[gs.ConsentDecision, Person]:
    """The guardian's decision through the emailed link; and the person it was for."""
    link, person = _usable_link(repo, body.token, DECIDE)
    current = state_of(person)
    if current != PENDING:
        raise Conflict(f"consent is {current}; ask the organisation to send a new link", code="consent_link_used",
                       details={"state": current})
    if not repo.use_guardian_link(link, utcnow()):
        raise Conflict("this consent link has already been used", code="consent_link_used")
    entry = _set_state(person, body.decision, actor="guardian", method="link",
                       ip_hash=consent.ip_hash(links.ip_key, address), link_id=link.id)
    repo.save(person)
    repo.append_consent_entry(entry)
    if body.decision == "grant":
        _send_confirmation(repo, mail, links, person)
    return gs.ConsentDecision(state=entry.state, decided_at=entry.at), person


def withdraw(repo: ProfilesRepository, links: Links, body: gs.WithdrawConsent,
             address: str | None) -> gs.ConsentDecision:
    link, person = _usable_link(repo, body.token, WITHDRAW)
    if not repo.use_guardian_link(link, utcnow()):
        raise Conflict("this withdrawal link has already been used", code="consent_link_used")
    entry = _set_state(person, "withdraw", actor="guardian", method="link",
                       ip_hash=consent.ip_hash(links.ip_key, address), link_id=link.id)
    repo.save(person)
    repo.append_consent_entry(entry)
    return gs.ConsentDecision(state=entry.state, decided_at=entry.at)


def _send_confirmation(repo: ProfilesRepository, mail, links: Links, person: Person) -> None:
    """Thank the guardian and give them a link to withdraw later; consent stands if this email fails."""
    now = utcnow()
    repo.revoke_guardian_links(person.tenant_id, person.id, WITHDRAW, now)
    token = consent.new_link_token(WITHDRAW, now)
    repo.add_guardian_link(GuardianLink(tenant_id=person.tenant_id, token_hash=token.token_hash, purpose=WITHDRAW,
                               person_id=person.id, expires_at=token.expires_at))
    organisation, programme = _context(repo, person)
    if person.guardian is None:
        return
    subject, text = mail_words.consent_confirmation(
        person.locale, guardian=person.guardian.name, child=person.name, organisation=organisation,
        programme=programme, url=links.url("withdraw", token.plaintext))
    try:
        mail.send_now(to_name=person.guardian.name, to_address=person.guardian.email, subject=subject, text=text)
    except MailNotSent as exc:
        log.warning("guardian consent confirmation for %s not sent: %s", person.id, exc)


# -- the consent page ---------------------------------------------------------------------------------
def page(repo: ProfilesRepository, token: str) -> gs.ConsentPage:
    link = _link(repo, token)
    _check_usable(link)
    person = _person_of(repo, link)
    organisation, programme = _context(repo, person)
    programme_doc = repo.programme(person.tenant_id, person.programme_id) if person.programme_id else None
    return gs.ConsentPage(
        purpose=link.purpose, mentee_first_name=consent.first_name(person.name), organisation=organisation,
        programme=programme, programme_description=programme_doc.description if programme_doc else None,
        supervision=list(consent.SUPERVISION), state=state_of(person), expires_at=link.expires_at,
        decisions=["grant", "decline"] if link.purpose == DECIDE else ["withdraw"],
    )


def _link(repo: ProfilesRepository, token: str) -> GuardianLink:
    link = repo.guardian_link_by_hash(consent.hash_token(token)) if consent.looks_like_token(token) else None
    if link is None:
        raise NotFound("this consent link is not known: check it was copied whole, or ask the organisation "
                       "for a new one", code="consent_link_not_found")
    return link


def _check_usable(link: GuardianLink) -> None:
    if link.used_at is not None:
        raise Conflict("this consent link has already been used", code="consent_link_used")
    if link.revoked_at is not None:
        raise Conflict("this consent link was replaced by a newer one or by the organisation's own record; "
                       "use the latest email", code="consent_link_replaced")
    if _aware(link.expires_at) <= utcnow():
        raise Conflict("this consent link has expired; ask the organisation to send a new one",
                       code="consent_link_expired")


def _usable_link(repo: ProfilesRepository, token: str, purpose: str) -> tuple[GuardianLink, Person]:
    link = _link(repo, token)
    if link.purpose != purpose:
        other = "give or refuse consent" if link.purpose == DECIDE else "withdraw consent"
        raise Invalid(f"this link is for a guardian to {other}", code="consent_link_wrong_purpose",
                      details=[{"field": "token", "message": f"a {link.purpose} link"}])
    _check_usable(link)
    return link, _person_of(repo, link)


def _person_of(repo: ProfilesRepository, link: GuardianLink) -> Person:
    person = repo.person(link.tenant_id, link.person_id)
    if person is None or not consent.needs_consent(person.role, person.is_minor):
        raise NotFound("this consent link no longer applies: the person was removed or is no longer a minor",
                       code="consent_link_not_found")
    return person


# -- staff views --------------------------------------------------------------------------------------
def minor_mentee(repo: ProfilesRepository, auth: Principal, person_id: str) -> Person:
    auth.require_coordinator()
    person = repo.person(auth.tenant_id, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in this organisation")
    if not consent.needs_consent(person.role, person.is_minor):
        raise Conflict("guardian consent applies to a minor mentee only", code="guardian_consent_not_required")
    return person


def history(repo: ProfilesRepository, auth: Principal, person_id: str) -> gs.ConsentRecord:
    auth.require_coordinator()
    person = repo.person(auth.tenant_id, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in this organisation")
    entries = repo.consent_history(auth.tenant_id, person_id)
    return gs.ConsentRecord(
        person_id=person.id, consent=consent_view(person, staff=True),
        history=[gs.ConsentHistoryEntry(at=e.at, state=e.state, action=e.action, method=e.method, actor=e.actor,
                                             evidence=e.evidence, ip_hash=e.ip_hash) for e in entries],
    )


def consent_view(person: Person, *, staff: bool) -> gs.GuardianConsentView:
    state = state_of(person)
    decided = person.guardian_consent_method in ("link", "offline")
    return gs.GuardianConsentView(
        state=state,
        decided_at=person.guardian_consent_at if decided else None,
        method=person.guardian_consent_method if decided else None,
        recorded_by=person.guardian_consent_by if decided else None,
        request_sent_at=person.guardian_request_sent_at if state == PENDING else None,
        guardian=gs.GuardianContact(name=person.guardian.name, email=person.guardian.email)
        if staff and person.guardian is not None else None,
    )


# -- helpers ------------------------------------------------------------------------------------------
def _context(repo: ProfilesRepository, person: Person) -> tuple[str, str | None]:
    organisation = repo.organisation(person.tenant_id)
    programme = repo.programme(person.tenant_id, person.programme_id) if person.programme_id else None
    return (organisation.name if organisation else "the organisation"), (programme.name if programme else None)


def _in(programme: str | None) -> str:
    return f" ({programme})" if programme else ""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(message, details=[{"field": field, "message": message}])


def _forbidden_guardian() -> Forbidden:
    return Forbidden("only a coordinator may change a guardian", code="coordinator_only")
