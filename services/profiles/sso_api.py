"""Entrypoints of single sign-on and the sign-in options an admin sets (mixed into ProfilesService).

The browser leaves at `start` (302 to the provider, a cookie binding the sign-in to this browser)
and comes back at `callback` (302 into the web app with the session cookies, or to the second
factor page). A refused callback answers a short HTML page to a browser and JSON to anything else.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from ementor.platform.errors import DomainError
from ementor.platform.extension import ServiceDependency
from ementor.platform.http.api import api
from ementor.platform.http.errors import status_of
from ementor.platform.principal import Principal
from ementor.platform.ratelimit import Limit, client_address

from . import accounts, sso, totp
from .sso_client import OidcClient
from .sso_documents import SsoProvider
from .sso_schemas import (
    PublicSignInOptions,
    SignInOptions,
    SsoCallback,
    SsoSettings,
    SsoSettingsView,
    SsoStart,
    TotpPolicy,
)
from .totp_api import SealedSecrets

MANAGE = ("manage_staff",)
BROWSER_COOKIE = "ementor_sso"
BROWSER_COOKIE_PATH = "/v1/auth/sso"
SECOND_FACTOR_PAGE = "/sign-in/second-factor"
PER_ADDRESS = Limit(120, 60)


class OidcClients(ServiceDependency):
    """Gives workers the service's OpenID Connect client: discovery documents and keys cached per issuer."""

    def setup(self):
        self.client = OidcClient()

    def get_dependency(self, worker_ctx) -> OidcClient:
        return self.client


class SingleSignOnApi:
    oidc = OidcClients()
    keys = SealedSecrets("sso client secret")

    @property
    def public_url(self) -> str:
        return self.settings.EMENTOR_PUBLIC_URL.rstrip("/")

    # -- sign-in options (admin) -----------------------------------------------------------
    @api("GET", "/v1/sign-in-options", roles=MANAGE, response=SignInOptions,
         summary="How people sign in to this organisation: single sign-on and the staff second factor")
    def sign_in_options(self, auth: Principal):
        return self._options(auth.tenant_id)

    @api("PUT", "/v1/sign-in-options/sso", roles=MANAGE, body=SsoSettings, response=SsoSettingsView,
         summary="Set the organisation's OpenID Connect provider (the client secret is stored encrypted, never shown)")
    def configure_sso(self, auth: Principal, body: SsoSettings):
        return sso.view(sso.configure(self.repo, self.oidc, self.keys, auth, body), self.public_url)

    @api("DELETE", "/v1/sign-in-options/sso", roles=MANAGE, status=204,
         summary="Switch single sign-on off: people sign in with emailed links again")
    def remove_sso(self, auth: Principal):
        sso.remove(auth)

    @api("PUT", "/v1/sign-in-options/totp", roles=MANAGE, body=TotpPolicy, response=SignInOptions,
         summary="Require (or stop requiring) a TOTP second factor from the organisation's staff")
    def set_totp_policy(self, auth: Principal, body: TotpPolicy):
        totp.set_policy(auth, body.staff_required)
        return self._options(auth.tenant_id)

    # -- the browser's round trip ------------------------------------------------------------
    @api("GET", "/v1/auth/sso/<organisation_slug>", auth="public", pass_request=True, response=PublicSignInOptions,
         summary="Whether an organisation offers single sign-on (the sign-in page shows the SSO button)")
    def public_sign_in_options(self, request, organisation_slug: str):
        self._limit(f"sso-start-ip:{client_address(request)}", PER_ADDRESS, endpoint="sso-options")
        return PublicSignInOptions(organisation=organisation_slug, sso=sso.offered(self.repo, organisation_slug))

    @api("GET", "/v1/auth/sso/<organisation_slug>/start", auth="public", pass_request=True, query=SsoStart,
         status=302, summary="Start single sign-on: 302 to the organisation's identity provider")
    def start_sso(self, request, organisation_slug: str, query: SsoStart):
        self._limit(f"sso-start-ip:{client_address(request)}", PER_ADDRESS, endpoint="sso-start")
        try:
            started = sso.start(self.repo, self.oidc, self.keys, self.public_url, organisation_slug, query.return_to)
        except DomainError as exc:
            return self._refusal(request, exc, "sso-start")
        response = Response(status=302, headers={"Location": started.url, "Cache-Control": "no-store"})
        response.set_cookie(BROWSER_COOKIE, started.browser_token, max_age=int(sso.LOGIN_TTL.total_seconds()),
                            httponly=True, secure=not self.settings.is_development, samesite="Lax",
                            path=BROWSER_COOKIE_PATH)
        return response

    @api("GET", "/v1/auth/sso/callback", auth="public", pass_request=True, query=SsoCallback, status=302,
         summary="Where the identity provider sends the browser back: 302 into the web app, signed in")
    def sso_callback(self, request, query: SsoCallback):
        self._limit(f"sso-callback-ip:{client_address(request)}", PER_ADDRESS, endpoint="sso-callback")
        try:
            completed = sso.complete(self.repo, self.oidc, self.keys, self.public_url, state=query.state, code=query.code,
                                     error=query.error, browser_token=request.cookies.get(BROWSER_COOKIE))
        except DomainError as exc:
            return self._refusal(request, exc, "sso-callback")
        if totp.needs_second_factor(completed.subject):
            step = totp.challenge(completed.subject, completed.return_to)
            target = f"{self.public_url}{SECOND_FACTOR_PAGE}?" + urlencode(
                {"challenge": step.challenge, "second_factor": step.second_factor, "return_to": completed.return_to})
            response = Response(status=302, headers={"Location": target, "Cache-Control": "no-store"})
        else:
            response = self._session_response(accounts.open_session(self.repo, completed.subject, self._links()))
            response.status_code, response.data = 302, b""
            response.headers["Location"] = self.public_url + completed.return_to
            response.headers["Cache-Control"] = "no-store"
        response.delete_cookie(BROWSER_COOKIE, path=BROWSER_COOKIE_PATH)
        return response

    def _options(self, tenant_id: str) -> SignInOptions:
        return SignInOptions(sso=sso.view(SsoProvider.scoped(tenant_id).first(), self.public_url),
                             staff_totp_required=totp.staff_required(tenant_id))

    def _refusal(self, request, exc: DomainError, endpoint: str):
        """Count and log the refusal; a browser gets a page it can act on, anything else the JSON error."""
        self._failed(endpoint, exc.code, request)
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
            raise exc
        page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>Sign-in refused</title>"
                f"<h1>We could not sign you in</h1><p>{html.escape(exc.message)}</p>"
                f"<p><a href=\"{html.escape(self.public_url)}/sign-in\">Back to sign-in</a></p>"
                f"<p><small>Reason: {html.escape(exc.code)}</small></p></html>")
        return Response(page, status=status_of(exc), mimetype="text/html")
