"""Configuration from the environment, validated at start-up.

A misspelt variable fails the boot rather than being silently ignored, and the development
placeholders are accepted only where EMENTOR_ENV says `development` explicitly. Any setting may
instead come from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only defaults: public in this repository, so never valid in production.
DEV_ADMIN_TOKEN = "dev-admin-token-change-me"
DEV_JWT_SECRET = "dev-jwt-secret-change-me-0123456789abcdef"
PLACEHOLDERS = {DEV_ADMIN_TOKEN, DEV_JWT_SECRET, "change-me", "changeme", "secret", ""}

# Prefixes we own: any variable under them that no settings model knows is a typo.
OWNED_PREFIXES = ("EMENTOR_", "SMTP_", "TWILIO_")


class ConfigurationError(RuntimeError):
    pass


class CommonSettings(BaseSettings):
    """What every service reads: environment, secrets, broker, database, HTTP."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    # No default: the published development secrets work only where this says "development".
    EMENTOR_ENV: Literal["development", "test", "staging", "production"] | None = None
    EMENTOR_ADMIN_TOKEN: str = DEV_ADMIN_TOKEN
    EMENTOR_JWT_SECRET: str = DEV_JWT_SECRET
    EMENTOR_JWT_PREVIOUS_SECRET: str | None = Field(
        default=None, description="The signing secret before the last rotation: still verifies, never signs."
    )
    EMENTOR_TOKEN_TTL_SECONDS: int = Field(default=3600, ge=60, le=86400)
    EMENTOR_ACCESS_TOKEN_TTL_SECONDS: int = Field(default=900, ge=30, le=86400)
    EMENTOR_SESSION_TTL_SECONDS: int = Field(default=30 * 86400, ge=300, le=365 * 86400)
    EMENTOR_SIGN_IN_LINK_TTL_SECONDS: int = Field(default=900, ge=60, le=86400)
    EMENTOR_HTTP_ADDRESS: str = "127.0.0.1:8000"
    EMENTOR_PUBLIC_URL: str = "http://127.0.0.1:8000"
    EMENTOR_MAX_WORKERS: int = Field(default=32, ge=1, le=1000)
    EMENTOR_DELIVERY_LIMIT: int = Field(default=5, ge=1, le=100)
    EMENTOR_LOG_FORMAT: Literal["json", "text"] = "text"
    AMQP_URI: str = "amqp://guest:guest@localhost:5672/"
    MONGODB_URI: str | None = None
    EMENTOR_DATA_DIR: str | None = Field(
        default=None, description="Without MONGODB_URI: the folder where the in-process development store "
        "is kept across restarts (`ementor dev` uses .ementor/data); unset keeps it in memory only.",
    )

    @property
    def is_development(self) -> bool:
        return self.EMENTOR_ENV == "development"

    @property
    def uses_embedded_mongo(self) -> bool:
        return not self.MONGODB_URI or self.MONGODB_URI.startswith("mongomock://")

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> CommonSettings:
        if not self.is_development:
            where = f"EMENTOR_ENV={self.EMENTOR_ENV}" if self.EMENTOR_ENV else "EMENTOR_ENV unset"
            for key in ("EMENTOR_ADMIN_TOKEN", "EMENTOR_JWT_SECRET"):
                value = getattr(self, key)
                if value in PLACEHOLDERS or value.startswith("replace-with") or len(value) < 32:
                    raise ValueError(
                        f"{key} must be a secret of at least 32 characters ({where}); the published "
                        "development value is accepted only with EMENTOR_ENV=development"
                    )
            previous = self.EMENTOR_JWT_PREVIOUS_SECRET
            if previous is not None and (previous in PLACEHOLDERS or len(previous) < 32):
                raise ValueError("EMENTOR_JWT_PREVIOUS_SECRET, when set, must be a secret of at least 32 characters")
        if self.EMENTOR_ENV == "production" and self.uses_embedded_mongo:
            raise ValueError("MONGODB_URI must point at a real MongoDB server in production")
        return self


class ProfilesSettings(CommonSettings):
    """The token endpoint's guard against guessed API keys."""

    EMENTOR_AUTH_FAILURES_PER_MINUTE: int = Field(
        default=20, ge=1, le=10_000,
        description="Refused API keys a client address, or one key id, may send a minute before "
        "POST /v1/auth/token answers 429 to it.",
    )


class MailSettings(CommonSettings):
    """The mail server: notifications sends through it, and profiles sends its sign-in links."""

    SMTP_HOST: str = "localhost"
    SMTP_PORT: int = Field(default=1025, ge=1, le=65535)
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS: bool = False
    SMTP_FROM: str = "ementor <no-reply@ementor.local>"


class NotificationsSettings(MailSettings):
    """The mail server and Twilio: notifications sends."""

    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_FROM_NUMBER: str | None = None
    TWILIO_BASE_URL: str | None = Field(
        default=None, description="Where the twilio client sends requests; tests point it at a local server."
    )


class VideoSettings(CommonSettings):
    """The Jitsi deployment video links point at."""

    EMENTOR_JITSI_BASE_URL: str = "https://meet.jit.si"
    EMENTOR_JITSI_APP_ID: str | None = None
    EMENTOR_JITSI_APP_SECRET: str | None = None


class IntegrationsSettings(CommonSettings):
    """Webhook targets and the broker's management API."""

    EMENTOR_ALLOW_PRIVATE_WEBHOOKS: bool = False
    EMENTOR_RABBITMQ_MANAGEMENT_URL: str | None = Field(
        default=None,
        description="RabbitMQ management API (http://user:password@host:15672) that integrations uses to "
        "issue per-organisation AMQP credentials; by default AMQP_URI's host and credentials on port 15672.",
    )

    @property
    def rabbitmq_management_url(self) -> str:
        """EMENTOR_RABBITMQ_MANAGEMENT_URL, or AMQP_URI's host and credentials on port 15672."""
        if self.EMENTOR_RABBITMQ_MANAGEMENT_URL:
            return self.EMENTOR_RABBITMQ_MANAGEMENT_URL.rstrip("/")
        parsed = urlsplit(self.AMQP_URI)
        user, password = parsed.username or "guest", parsed.password or "guest"
        host = parsed.hostname or "localhost"
        if ":" in host:  # an IPv6 literal
            host = f"[{host}]"
        return f"http://{user}:{password}@{host}:15672"


class SafeguardingSettings(NotificationsSettings):
    """The mail server and Twilio (safeguarding alerts), and the platform operator: the last step of every
    organisation's escalation."""

    EMENTOR_SAFEGUARDING_OPERATOR_NAME: str = "ementor platform operator"
    EMENTOR_SAFEGUARDING_OPERATOR_EMAIL: str | None = Field(
        default=None, description="Alerted when no contact of an organisation acknowledges a concern in time.")
    EMENTOR_SAFEGUARDING_OPERATOR_PHONE: str | None = Field(
        default=None, description="Texted at the same step as EMENTOR_SAFEGUARDING_OPERATOR_EMAIL (E.164).")


class KnowledgeSettings(CommonSettings):
    """Where the platform library is read from at start."""

    EMENTOR_KNOWLEDGE_LIBRARY: str | None = Field(
        default=None, description="A folder of library articles (Markdown with front matter); by default the "
        "repository's content/library.")


class Settings(SafeguardingSettings, NotificationsSettings, VideoSettings, IntegrationsSettings, ProfilesSettings,
               KnowledgeSettings):
    """Every section, validated together at boot; a service reads only its own via `section()`."""


S = TypeVar("S", bound=CommonSettings)


def section(settings: CommonSettings, model: type[S]) -> S:
    """The part of the boot settings a service's section declares (already validated)."""
    if type(settings) is model:
        return settings
    return model.model_construct(**{key: getattr(settings, key) for key in model.model_fields})


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read and validate settings; raise ConfigurationError naming every problem."""
    environ = dict(os.environ if environ is None else environ)
    known = set(Settings.model_fields)
    environ.update(_values_from_files(environ, known))
    unknown = sorted(k for k in environ if k.startswith(OWNED_PREFIXES) and k not in known
                     and k.removesuffix("_FILE") not in known)
    if unknown:
        raise ConfigurationError(
            f"unknown configuration variable(s): {', '.join(unknown)}; known ones are listed in .env.example"
        )
    relevant = {k: v for k, v in environ.items() if k in known and v != ""}  # empty = unset
    try:
        return Settings(_env_file=None, **relevant)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"invalid configuration: {problems}") from None


def _values_from_files(environ: dict[str, str], known: set[str]) -> dict[str, str]:
    """`NAME_FILE=/run/secrets/x` sets NAME to the file's content (without its final newline)."""
    values = {}
    for key, path in environ.items():
        name = key.removesuffix("_FILE")
        if name == key or name not in known or not path:
            continue
        if environ.get(name):
            raise ConfigurationError(f"set either {name} or {key}, not both")
        try:
            values[name] = Path(path).read_text().rstrip("\r\n")
        except OSError as exc:
            raise ConfigurationError(f"{key}: cannot read {path}: {exc.strerror}") from None
    return values
