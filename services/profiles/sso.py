"""Single sign-on use cases: an admin configures the organisation's OpenID Provider; a browser is
sent there and comes back to the callback, which finds who signed in.

The first sign-in of a provider account is matched to staff or a person of that organisation by
the email the provider says is verified; the match is remembered by (issuer, sub), so a later
change of email at the provider keeps the same account. Nobody is ever created here.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from mongoengine.errors import NotUniqueError

from ementor.platform.errors import BadInput, Forbidden, Invalid, NotFound, Unavailable
from ementor.platform.principal import Principal

from . import domain
from .accounts import Subject, aware, safe_return_to
from .documents import utcnow
from .repository import ProfilesRepository
from .sso_client import Client, OidcClient, ProviderRefused, ProviderUnavailable
from .sso_documents import SsoIdentity, SsoLogin, SsoProvider
from .sso_schemas import SsoSettings, SsoSettingsView

LOGIN_TTL = timedelta(minutes=10)
CALLBACK_PATH = "/v1/auth/sso/callback"


@dataclass(frozen=True)
class Keys:
    """Encrypts stored secrets (SSO client secrets, TOTP seeds) with a key derived from the JWT secret
    and a purpose; the previous JWT secret still decrypts, so rotating it loses nothing."""

    current: str
    previous: str | None = None
    purpose: str = "sso client secret"

    def _fernet(self, secret: str) -> Fernet:
        material = f"ementor {self.purpose}\0{secret}".encode()
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material).digest()))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet(self.current).encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        for secret in filter(None, (self.current, self.previous)):
            try:
                return self._fernet(secret).decrypt(ciphertext.encode()).decode()
            except InvalidToken:
                continue
        raise Unavailable(f"the stored {self.purpose} cannot be read since the JWT secret changed: "
                          "an admin sets it again", code="secret_unreadable")


@dataclass(frozen=True)
class Started:
    url: str
    browser_token: str  # set as a cookie on the browser that started: the callback must carry it


@dataclass(frozen=True)
class Completed:
    subject: Subject
    return_to: str


# -- configuration (admin) ---------------------------------------------------------------------
def configure(repo: ProfilesRepository, oidc: OidcClient, keys: Keys, auth: Principal,
              body: SsoSettings) -> SsoProvider:
    issuer = body.issuer.rstrip("/")
    try:
        oidc.metadata(issuer)  # refuse an issuer that publishes no discovery document, now rather than at sign-in
    except ProviderUnavailable as exc:
        raise Invalid(f"{exc}; check the issuer URL", code="sso_issuer_unreachable",
                      details=[{"field": "issuer", "message": str(exc)}]) from None
    provider = SsoProvider.scoped(auth.tenant_id).first() or SsoProvider(tenant_id=auth.tenant_id)
    if body.client_secret is None and provider.client_secret_encrypted is None:
        raise Invalid("client_secret is required the first time", details=[{"field": "client_secret",
                                                                             "message": "required"}])
    provider.issuer, provider.client_id = issuer, body.client_id
    if body.client_secret is not None:
        provider.client_secret_encrypted = keys.encrypt(body.client_secret.get_secret_value())
    provider.staff_enabled, provider.people_enabled = body.staff_enabled, body.people_enabled
    provider.updated_by, provider.updated_at = auth.actor, utcnow()
    provider.save()
    return provider


def remove(auth: Principal) -> None:
    if SsoProvider.scoped(auth.tenant_id).delete() == 0:
        raise NotFound("this organisation has no single sign-on configured", code="sso_not_configured")


def view(provider: SsoProvider | None, public_url: str) -> SsoSettingsView | None:
    if provider is None:
        return None
    return SsoSettingsView(issuer=provider.issuer, client_id=provider.client_id, client_secret_set=True,
                           staff_enabled=provider.staff_enabled, people_enabled=provider.people_enabled,
                           redirect_uri=public_url + CALLBACK_PATH, updated_by=provider.updated_by,
                           updated_at=provider.updated_at)


# -- the browser's round trip ------------------------------------------------------------------
def offered(repo: ProfilesRepository, slug: str) -> bool:
    """Whether the organisation with this slug offers single sign-on to anyone (False for no such slug)."""
    organisation = repo.organisation_by_slug(slug.lower())
    provider = SsoProvider.scoped(organisation.id).first() if organisation else None
    return provider is not None and (provider.staff_enabled or provider.people_enabled)


def start(repo: ProfilesRepository, oidc: OidcClient, keys: Keys, public_url: str, slug: str,
          return_to: str | None) -> Started:
    return_to = safe_return_to(return_to)
    organisation = repo.organisation_by_slug(slug.lower())
    provider = SsoProvider.scoped(organisation.id).first() if organisation else None
    if provider is None or not (provider.staff_enabled or provider.people_enabled):
        raise NotFound(f"{slug} does not offer single sign-on: sign in with an emailed link",
                       code="sso_not_configured")
    state, nonce, verifier, browser = (secrets.token_urlsafe(32) for _ in range(4))
    SsoLogin(tenant_id=organisation.id, state_hash=domain.hash_secret(state), nonce=nonce, code_verifier=verifier,
             browser_hash=domain.hash_secret(browser), return_to=return_to,
             expires_at=utcnow() + LOGIN_TTL).save(force_insert=True)
    client = _client(provider, keys, public_url)
    try:
        url = oidc.authorization_url(client, state=state, nonce=nonce, code_verifier=verifier)
    except ProviderUnavailable as exc:
        raise Unavailable(f"{exc}; try again in a minute", code="sso_provider_unavailable") from None
    return Started(url, browser)


def complete(repo: ProfilesRepository, oidc: OidcClient, keys: Keys, public_url: str, *, state: str | None,
             code: str | None, error: str | None, browser_token: str | None) -> Completed:
    login = _claim_login(state, browser_token)
    if error:
        raise BadInput(f"the identity provider did not sign you in ({error[:100]}): start again",
                       code="sso_provider_error")
    if not code:
        raise BadInput("the identity provider sent no code: start signing in again", code="sso_code_missing")
    provider = SsoProvider.scoped(login.tenant_id).first()
    if provider is None:
        raise BadInput("single sign-on was switched off meanwhile: sign in with an emailed link",
                       code="sso_not_configured")
    try:
        claims = oidc.sign_in(_client(provider, keys, public_url), code=code, code_verifier=login.code_verifier,
                              nonce=login.nonce)
    except ProviderRefused as exc:
        raise BadInput(str(exc), code=exc.code) from None
    except ProviderUnavailable as exc:
        raise Unavailable(f"{exc}; try again in a minute", code="sso_provider_unavailable") from None
    return Completed(_match(repo, provider, claims), login.return_to)


def _claim_login(state: str | None, browser_token: str | None) -> SsoLogin:
    if not state:
        raise BadInput("the sign-in came back without its state: start signing in again", code="sso_state_invalid")
    state_hash = domain.hash_secret(state)
    # The callback URL is the same for every organisation: the state finds the tenant.
    login = SsoLogin.objects.across_tenants().filter(state_hash=state_hash).first()
    if login is None:
        raise BadInput("this sign-in was not started here, or is too old: start signing in again",
                       code="sso_state_invalid")
    if not browser_token or not secrets.compare_digest(domain.hash_secret(browser_token), login.browser_hash):
        raise BadInput("this sign-in was started in another browser: start signing in again here",
                       code="sso_state_mismatch")
    now = utcnow()
    if SsoLogin.scoped(login.tenant_id, id=login.id, used_at=None).update(set__used_at=now) != 1:
        raise BadInput("this sign-in has already been completed: start signing in again", code="sso_state_used")
    if aware(login.expires_at) <= now:
        raise BadInput("this sign-in took too long: start signing in again", code="sso_state_expired")
    return login


def _match(repo: ProfilesRepository, provider: SsoProvider, claims: dict) -> Subject:
    tenant_id, sub = provider.tenant_id, str(claims["sub"])
    identity = SsoIdentity.scoped(tenant_id, issuer=provider.issuer, subject=sub).first()
    if identity is not None:
        staff = repo.staff_member(tenant_id, identity.subject_id) if identity.subject_kind == "staff" else None
        person = repo.person(tenant_id, identity.subject_id) if identity.subject_kind == "person" else None
    else:
        email = str(claims.get("email") or "").lower()
        if not email:
            raise Forbidden("the identity provider did not share your email address, so your account cannot be "
                            "found: allow the email scope, or sign in with an emailed link", code="sso_email_missing")
        if claims.get("email_verified") not in (True, "true"):
            raise Forbidden(f"the identity provider has not verified {email}: verify it there, or sign in with an "
                            "emailed link", code="sso_email_not_verified")
        staff = repo.current_staff_by_email(tenant_id, email)
        person = None if staff else repo.person_by_email(tenant_id, email)
        if staff is None and person is None:
            raise Forbidden(f"{email} has no account in this organisation: ask a coordinator to add you "
                            "(accounts are never created by signing in)", code="sso_account_unknown")
    if staff is not None and staff.status != "removed":
        if not provider.staff_enabled:
            raise Forbidden("staff of this organisation sign in with an emailed link, not single sign-on",
                            code="sso_not_enabled_for_staff")
        if staff.status == "invited":
            staff.status = "active"
            repo.save(staff)
        subject = Subject(tenant_id, "staff", staff.id, staff.role)
    elif person is not None and not getattr(person, "erased", False):
        if not provider.people_enabled:
            raise Forbidden("mentors and mentees of this organisation sign in with an emailed link, not single "
                            "sign-on", code="sso_not_enabled_for_people")
        subject = Subject(tenant_id, "person", person.id, person.role)
    else:
        raise Forbidden("this account no longer has access to the organisation", code="sso_account_removed")
    if identity is None:
        try:
            SsoIdentity(tenant_id=tenant_id, issuer=provider.issuer, subject=sub, subject_kind=subject.kind,
                        subject_id=subject.id, matched_email=str(claims["email"]).lower()).save(force_insert=True)
        except NotUniqueError:
            pass  # a parallel first sign-in of the same account recorded it
    return subject


def _client(provider: SsoProvider, keys: Keys, public_url: str) -> Client:
    return Client(provider.issuer, provider.client_id, keys.decrypt(provider.client_secret_encrypted),
                  public_url + CALLBACK_PATH)
