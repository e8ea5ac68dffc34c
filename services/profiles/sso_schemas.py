"""Request and response bodies of single sign-on and the second factor (they also generate the OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from .schemas import SessionTokens, Strict


class SsoSettings(Strict):
    issuer: str = Field(min_length=8, max_length=300, examples=["https://accounts.google.com"],
                        description="The OpenID Provider's issuer URL; its /.well-known/openid-configuration is read.")
    client_id: str = Field(min_length=1, max_length=300)
    client_secret: SecretStr | None = Field(default=None, max_length=500, description=(
        "Stored encrypted and never returned; leave it out to keep the stored one."))
    staff_enabled: bool = Field(default=True, description="Staff may sign in through the provider.")
    people_enabled: bool = Field(default=True, description="Mentors and mentees may sign in through the provider.")

    @field_validator("issuer")
    @classmethod
    def _https(cls, value: str) -> str:
        loopback = value.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))
        if not value.startswith("https://") and not loopback:
            raise ValueError("the issuer must be an https:// URL")
        return value


class PublicSignInOptions(BaseModel):
    """What the sign-in page may know before anyone signs in: whether to offer single sign-on."""

    organisation: str = Field(description="The slug asked about.")
    sso: bool = Field(description="The organisation offers single sign-on (to staff, to people or both); "
                                  "false too for a slug that is not an organisation, so slugs are not revealed.")


class SsoSettingsView(BaseModel):
    issuer: str
    client_id: str
    client_secret_set: bool = Field(description="The secret itself is never shown.")
    staff_enabled: bool
    people_enabled: bool
    redirect_uri: str = Field(description="Register this redirect URI with the provider.")
    updated_by: str | None
    updated_at: datetime


class SignInOptions(BaseModel):
    sso: SsoSettingsView | None
    staff_totp_required: bool


class TotpPolicy(Strict):
    staff_required: bool = Field(description="Staff must add a TOTP code after every sign-in (link or SSO).")


class SsoStart(Strict):
    return_to: str | None = Field(default="/", max_length=500,
                                  description="A path of the web app to land on once signed in (never another site).")


class SsoCallback(BaseModel):
    state: str | None = Field(default=None, max_length=200)
    code: str | None = Field(default=None, max_length=2000)
    error: str | None = Field(default=None, max_length=200)
    error_description: str | None = Field(default=None, max_length=1000)
    iss: str | None = Field(default=None, max_length=300)
    session_state: str | None = Field(default=None, max_length=500)


class SecondFactorRequired(BaseModel):
    """Answered (202) instead of a session when a member of staff must add a TOTP code."""

    status: Literal["second_factor_required"] = "second_factor_required"
    second_factor: Literal["totp", "totp_enrolment"] = Field(description=(
        "`totp`: send a code from the authenticator app; `totp_enrolment`: enrol first (POST /v1/auth/totp/enrol)."))
    challenge: str = Field(description="Send it with the code to POST /v1/auth/totp/verify.")
    expires_in: int


class TotpChallenge(Strict):
    challenge: str = Field(min_length=10, max_length=200)


class TotpEnrolment(BaseModel):
    secret: str = Field(description="Base32 secret, for typing into an authenticator app.")
    otpauth_uri: str = Field(description="otpauth://totp/… URI, for a QR code.")


class TotpVerify(Strict):
    challenge: str = Field(min_length=10, max_length=200)
    code: str | None = Field(default=None, min_length=6, max_length=6, pattern=r"^\d{6}$")
    recovery_code: str | None = Field(default=None, min_length=8, max_length=40)


class TotpSessionTokens(SessionTokens):
    recovery_codes: list[str] | None = Field(default=None, description=(
        "Shown once, when enrolment is confirmed: each signs in once instead of a code."))
