"""The OpenID Connect relying party: discovery, the authorisation URL (code + PKCE S256, state,
nonce), the code exchange, and the ID token checked against the provider's JWKS.

Authlib builds the requests; joserfc verifies the ID token. Provider metadata and keys are cached
per issuer for an hour; a key id the cache does not know fetches the JWKS again once (the provider
rotated its keys).
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ementor.platform.expiring import Expiring

CACHE_SECONDS = 3600
TIMEOUT_SECONDS = 10
SCOPE = "openid email profile"
ALGORITHMS = ["RS256", "PS256", "ES256"]


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense (503: nothing the person can fix)."""


class ProviderRefused(Exception):
    """The provider or its token refused this sign-in (4xx: start again)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Client:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


class OidcClient:
    def __init__(self) -> None:
        self._metadata: Expiring[str, dict] = Expiring(CACHE_SECONDS)
        self._keys: Expiring[str, KeySet] = Expiring(CACHE_SECONDS)

    def authorization_url(self, client: Client, *, state: str, nonce: str, code_verifier: str) -> str:
        session = OAuth2Session(client.client_id, redirect_uri=client.redirect_uri, scope=SCOPE,
                                code_challenge_method="S256")
        url, _ = session.create_authorization_url(self.metadata(client.issuer)["authorization_endpoint"], state=state,
                                                  nonce=nonce, code_verifier=code_verifier)
        return url

    def sign_in(self, client: Client, *, code: str, code_verifier: str, nonce: str) -> dict:
        """Exchange the code and return the ID token's verified claims."""
        session = OAuth2Session(client.client_id, client.client_secret, redirect_uri=client.redirect_uri,
                                token_endpoint_auth_method="client_secret_basic")
        try:
            tokens = session.fetch_token(self.metadata(client.issuer)["token_endpoint"], code=code,
                                         code_verifier=code_verifier, grant_type="authorization_code",
                                         timeout=TIMEOUT_SECONDS)
        except OAuthError as exc:
            raise ProviderRefused("sso_code_refused", f"the identity provider refused the sign-in code "
                                                      f"({exc.error}): start signing in again") from exc
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"the identity provider could not be reached: {type(exc).__name__}") from exc
        if "id_token" not in tokens:
            raise ProviderRefused("sso_id_token_missing", "the identity provider sent no ID token")
        return self.verify_id_token(client, tokens["id_token"], nonce=nonce)

    def verify_id_token(self, client: Client, id_token: str, *, nonce: str) -> dict:
        try:
            try:
                token = jwt.decode(id_token, self.keys(client.issuer), algorithms=ALGORITHMS)
            except InvalidKeyIdError:
                token = jwt.decode(id_token, self.keys(client.issuer, refresh=True), algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": client.issuer}, aud={"essential": True, "value": client.client_id},
                exp={"essential": True}, sub={"essential": True}, nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except JoseError as exc:
            code = "sso_nonce_mismatch" if "nonce" in str(exc) else "sso_id_token_invalid"
            raise ProviderRefused(code, f"the identity provider's ID token was refused ({exc}): "
                                        "start signing in again") from exc
        claims = token.claims
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != client.client_id:
            raise ProviderRefused("sso_id_token_invalid", "the ID token was issued to another client")
        return claims

    # -- discovery and keys, cached per issuer -----------------------------------------------
    def metadata(self, issuer: str) -> dict:
        if (cached := self._metadata.get(issuer)) is not None:
            return cached
        document = self._get(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != issuer or not all(
                document.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
            raise ProviderUnavailable(f"{issuer} does not publish OpenID Connect metadata for that issuer")
        return self._metadata.remember(issuer, document)

    def keys(self, issuer: str, *, refresh: bool = False) -> KeySet:
        if not refresh and (cached := self._keys.get(issuer)) is not None:
            return cached
        try:
            keys = KeySet.import_key_set(self._get(self.metadata(issuer)["jwks_uri"]))
        except (ValueError, JoseError) as exc:
            raise ProviderUnavailable(f"the identity provider's keys could not be read: {exc}") from exc
        return self._keys.remember(issuer, keys)

    @staticmethod
    def _get(url: str) -> dict:
        try:
            response = requests.get(url, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"the identity provider could not be reached at {url}: "
                                      f"{type(exc).__name__}") from exc
