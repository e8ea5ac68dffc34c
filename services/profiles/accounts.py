"""Accounts use cases: named staff, sign-in by emailed link, sessions that refresh and end.

Link and refresh tokens are random secrets shown once; only their SHA-256 is stored (they carry
256 bits, so a fast hash is enough). A mentor's or mentee's invitation link is the exception: an
HMAC of the invitation's id, so that sending it again sends the same link. The access JWT itself
is signed by the entrypoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlencode, urlsplit

from ementor_contracts import AccessRevoked

from ementor.platform.errors import BadInput, Conflict, NotFound, Unauthenticated
from ementor.platform.principal import Principal, permissions_of

from . import domain, mail_words, schemas
from .documents import Person, Session, SignInLink, Staff, new_id, utcnow
from .repository import ProfilesRepository

log = logging.getLogger(__name__)

INVITATION_TTL = timedelta(days=7)


class Mail(Protocol):
    def send(self, to: str, subject: str, text: str) -> None: ...


@dataclass(frozen=True)
class LinkSettings:
    public_url: str
    link_ttl: timedelta
    session_ttl: timedelta
    link_key: bytes = field(repr=False)  # makes an invitation's link token from its id

    @classmethod
    def of(cls, settings) -> LinkSettings:
        return cls(public_url=settings.EMENTOR_PUBLIC_URL.rstrip("/"),
                   link_ttl=timedelta(seconds=settings.EMENTOR_SIGN_IN_LINK_TTL_SECONDS),
                   session_ttl=timedelta(seconds=settings.EMENTOR_SESSION_TTL_SECONDS),
                   link_key=link_key(settings.EMENTOR_JWT_SECRET))


def link_key(secret: str) -> bytes:
    """A key of its own for invitation links, derived from the platform's secret (not the JWT key itself)."""
    return hmac.new(secret.encode(), b"ementor invitation links", hashlib.sha256).digest()


@dataclass(frozen=True)
class SignedIn:
    """A session just opened or refreshed, with its refresh token in plaintext (shown once)."""

    session: Session
    refresh_token: str
    staff_id: str | None
    person_id: str | None


@dataclass(frozen=True)
class Subject:
    """Who a sign-in proved to be (by link, SSO or a second factor), before a session is opened."""

    tenant_id: str
    kind: str  # "staff" | "person"
    id: str
    role: str


def new_secret() -> tuple[str, str]:
    plaintext = secrets.token_urlsafe(32)
    return plaintext, domain.hash_secret(plaintext)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- staff ----------------------------------------------------------------------------------
def invite_staff(repo: ProfilesRepository, auth: Principal, body: schemas.InviteStaff, mail: Mail,
                 links: LinkSettings) -> Staff:
    email = body.email.lower()
    if repo.current_staff_by_email(auth.tenant_id, email) is not None:
        raise Conflict(f"{email} is already on this organisation's staff", code="staff_exists")
    staff = Staff(id=new_id(), tenant_id=auth.tenant_id, name=body.name, email=email, role=body.role,
                  locale=body.locale, invited_by=auth.actor)
    repo.add(staff)
    token = _new_link(repo, auth.tenant_id, "invitation", "staff", staff.id, utcnow() + INVITATION_TTL)
    organisation = repo.organisation(auth.tenant_id)
    mail.send(email, *mail_words.staff_invitation(
        staff.locale, name=body.name, organisation=organisation.name, role=body.role,
        url=f"{links.public_url}/invitations/accept?token={token}", days=INVITATION_TTL.days))
    return staff


def invite_person(repo: ProfilesRepository, person: Person, mail, links: LinkSettings, *,
                  invitation_id: str) -> datetime | None:
    """Email a mentor or mentee a one-time link that signs them in (7 days); raises MailNotSent when
    the mail server does not take it (the caller tries again later).

    The link and the email's Message-ID are made from the invitation, so sending it again (its sender
    died before recording it sent) repeats the same email, with the same working link, which most
    mailboxes show once. Once that link has been used, nothing is sent: returns when it was used."""
    token = invitation_token(links.link_key, invitation_id)
    used_at = repo.ensure_link(SignInLink(
        id=f"invitation-{invitation_id}", tenant_id=person.tenant_id, token_hash=domain.hash_secret(token),
        purpose="invitation", subject_kind="person", subject_id=person.id, expires_at=utcnow() + INVITATION_TTL))
    if used_at is not None:
        return used_at
    organisation = repo.organisation(person.tenant_id)
    subject, text = mail_words.invitation(
        person.locale, name=person.name, organisation=organisation.name, role=person.role,
        url=f"{links.public_url}/invitations/accept?token={token}",
        sign_in_url=f"{links.public_url}/sign-in?{urlencode({'organisation': organisation.slug})}",
        days=INVITATION_TTL.days)
    mail.send_now(to_name=person.name, to_address=person.email, subject=subject, text=text,
                  message_id=f"invitation-{invitation_id}")
    return None


def invitation_token(link_key: bytes, invitation_id: str) -> str:
    """The invitation's link token: as unguessable as a random one without the key, the same each time."""
    digest = hmac.new(link_key, f"invitation:{invitation_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def remove_staff(repo: ProfilesRepository, auth: Principal, staff_id: str) -> None:
    staff = repo.staff_member(auth.tenant_id, staff_id)
    if staff is None or staff.status == "removed":
        raise NotFound(f"no member of staff {staff_id} in this organisation")
    now = utcnow()
    staff.status, staff.removed_at = "removed", now
    staff.record(AccessRevoked(scope="staff", subject_id=staff.id, effective_at=now))
    repo.save(staff)
    repo.revoke_sessions(auth.tenant_id, staff.id, now)


def sign_out_everywhere(repo: ProfilesRepository, auth: Principal, kind: str, subject_id: str) -> None:
    """End every session of a member of staff or a person, and every token issued to them until now."""
    subject = repo.staff_member(auth.tenant_id, subject_id) if kind == "staff" else repo.person(auth.tenant_id,
                                                                                                 subject_id)
    if subject is None or getattr(subject, "status", None) == "removed":
        raise NotFound(f"no {'member of staff' if kind == 'staff' else 'person'} {subject_id} in this organisation")
    now = utcnow()
    subject.record(AccessRevoked(scope=kind, subject_id=subject.id, effective_at=now))
    repo.save(subject)
    repo.revoke_sessions(auth.tenant_id, subject.id, now)


# -- sign-in by emailed link ------------------------------------------------------------------
def safe_return_to(value: str | None) -> str:
    """A path on this site only: never another host (`//evil`, `https://…`, `/\\evil`), never a scheme."""
    value = value or "/"
    parts = urlsplit(value)
    if (not value.startswith("/") or value.startswith(("//", "/\\")) or parts.scheme or parts.netloc
            or any(c in value for c in "\\\r\n\t") or len(value) > 500):
        raise BadInput("return_to must be a path on this site, such as /home", code="return_to_invalid")
    return value


def request_sign_in(repo: ProfilesRepository, body: schemas.SignIn, mail: Mail, links: LinkSettings) -> None:
    """Send a link if the address is known; do the same work and send nothing otherwise. The link
    opens `return_to` once signed in (the page that asked, as a signed-out person reached it)."""
    return_to = safe_return_to(body.return_to)  # refused alike whether or not the address is known
    email = body.email.lower()
    organisation = repo.organisation_by_slug(body.organisation.lower())
    tenant_id = organisation.id if organisation else "-"
    staff = repo.current_staff_by_email(tenant_id, email)
    person = None if staff else repo.person_by_email(tenant_id, email)
    plaintext, token_hash = new_secret()
    subject = staff or person
    if subject is None:
        log.info("sign-in asked for an address not known in %s", body.organisation)
        return
    kind = "staff" if staff else "person"
    link = SignInLink(tenant_id=tenant_id, token_hash=token_hash, purpose="sign_in", subject_kind=kind,
                      subject_id=subject.id, expires_at=utcnow() + links.link_ttl)
    repo.add(link)
    minutes = int(links.link_ttl.total_seconds() // 60)
    words = mail_words.sign_in(getattr(subject, "locale", None), name=subject.name, organisation=organisation.name,
                               minutes=minutes, url=f"{links.public_url}/sign-in/complete?" + urlencode(
                                   {"token": plaintext, **({"next": return_to} if return_to != "/" else {})}))
    mail.send(email, *words)


def complete_sign_in(repo: ProfilesRepository, body: schemas.CompleteSignIn, links: LinkSettings) -> SignedIn:
    return open_session(repo, claim_sign_in(repo, body), links)


def claim_sign_in(repo: ProfilesRepository, body: schemas.CompleteSignIn) -> Subject:
    """Use the link once: who it signs in (the session is opened separately, after any second factor)."""
    token_hash = domain.hash_secret(body.token)
    now = utcnow()
    link = repo.claim_link(token_hash, now)
    if link is None:
        used = repo.link_by_hash(token_hash)
        if used is not None:
            raise BadInput("this sign-in link has already been used: ask for a new one", code="link_used")
        raise BadInput("this sign-in link is not valid: ask for a new one", code="link_invalid")
    if aware(link.expires_at) <= now:
        raise BadInput("this sign-in link has expired: ask for a new one", code="link_expired")
    if body.organisation is not None:
        organisation = repo.organisation_by_slug(body.organisation.lower())
        if organisation is None or organisation.id != link.tenant_id:
            raise BadInput("this link was sent for another organisation: sign in there, or ask this one for a link",
                           code="link_for_another_organisation")
    if link.subject_kind == "staff":
        staff = repo.staff_member(link.tenant_id, link.subject_id)
        if staff is None or staff.status == "removed":
            raise BadInput("this account no longer has access", code="link_invalid")
        if staff.status == "invited":
            staff.status = "active"
            repo.save(staff)
        return Subject(link.tenant_id, "staff", staff.id, staff.role)
    person = repo.person(link.tenant_id, link.subject_id)
    if person is None:
        raise BadInput("this account no longer has access", code="link_invalid")
    return Subject(link.tenant_id, "person", person.id, person.role)


def open_session(repo: ProfilesRepository, subject: Subject, links: LinkSettings) -> SignedIn:
    refresh, refresh_hash = new_secret()
    session = Session(id=new_id(), tenant_id=subject.tenant_id, subject_kind=subject.kind, subject_id=subject.id,
                      role=subject.role, refresh_hash=refresh_hash, csrf_token=secrets.token_urlsafe(24),
                      expires_at=utcnow() + links.session_ttl)
    repo.add(session)
    if subject.kind == "person":  # staff see who has never signed in (the People list, a person's page)
        repo.note_sign_in(subject.tenant_id, subject.id, session.created_at)
    staff_id = subject.id if subject.kind == "staff" else None
    person_id = subject.id if subject.kind == "person" else None
    return SignedIn(session, refresh, staff_id, person_id)


# -- sessions ---------------------------------------------------------------------------------
def refresh_session(repo: ProfilesRepository, refresh_token: str) -> SignedIn:
    """A new refresh token for the old one; an old one used again means it leaked: end the session."""
    old_hash = domain.hash_secret(refresh_token)
    now = utcnow()
    session = repo.session_by_refresh(old_hash)
    if session is None:
        stolen = repo.session_by_old_refresh(old_hash)
        if stolen is not None and stolen.revoked_at is None:
            repo.revoke_session(stolen, now)
            log.warning("refresh token reused: session %s revoked", stolen.id)
        raise Unauthenticated("the refresh token is not valid: sign in again", code="refresh_invalid")
    if session.revoked_at is not None or aware(session.expires_at) <= now:
        raise Unauthenticated("the session has ended: sign in again", code="session_ended")
    refresh, new_hash = new_secret()
    if not repo.rotate_refresh(session, old_hash, new_hash):
        raise Unauthenticated("the refresh token is not valid: sign in again", code="refresh_invalid")
    staff_id = session.subject_id if session.subject_kind == "staff" else None
    person_id = session.subject_id if session.subject_kind == "person" else None
    return SignedIn(session, refresh, staff_id, person_id)


def sign_out(repo: ProfilesRepository, auth: Principal) -> None:
    if not auth.session_id:
        raise BadInput("this token has no session to end (API-key tokens simply expire)", code="no_session")
    session = repo.session(auth.tenant_id, auth.session_id)
    if session is not None and session.revoked_at is None:
        now = utcnow()
        session.revoked_at = now
        session.record(AccessRevoked(scope="session", subject_id=session.id, effective_at=now))
        repo.save(session)


def me(repo: ProfilesRepository, auth: Principal) -> schemas.Me:
    found = None
    if auth.staff_id:
        found = repo.staff_member(auth.tenant_id, auth.staff_id)
    elif auth.person_id:
        found = repo.person(auth.tenant_id, auth.person_id)
    return schemas.Me(role=auth.role, organisation_id=auth.tenant_id, staff_id=auth.staff_id,
                      person_id=auth.person_id, name=found.name if found else None,
                      locale=found.locale if found else None, permissions=permissions_of(auth.role))


def update_me(repo: ProfilesRepository, auth: Principal, body: schemas.UpdateMe) -> schemas.Me:
    """A member of staff chooses their language: the web app's, and their sign-in emails'."""
    staff = repo.staff_member(auth.tenant_id, auth.staff_id) if auth.staff_id else None
    if staff is None:
        raise Conflict("this token is the organisation's own (its API key), not a member of staff's: "
                       "sign in as yourself to change your language", code="not_a_member_of_staff")
    staff.locale = body.locale
    repo.save(staff)
    return me(repo, auth)


def _new_link(repo, tenant_id: str, purpose: str, kind: str, subject_id: str, expires_at: datetime) -> str:
    plaintext, token_hash = new_secret()
    repo.add(SignInLink(tenant_id=tenant_id, token_hash=token_hash, purpose=purpose, subject_kind=kind,
                        subject_id=subject_id, expires_at=expires_at))
    return plaintext
