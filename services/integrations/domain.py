"""Integration rules that need neither nameko nor MongoDB: signatures, safe targets, retries.

Webhook deliveries follow the Standard Webhooks specification (v1): the `webhook-id`,
`webhook-timestamp` and `webhook-signature` headers, the signature being
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed with the base64-decoded secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import re
import secrets
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes
ALL_EVENTS = "*"
MAX_URL_LENGTH = 2048
TIMESTAMP_TOLERANCE_SECONDS = 5 * 60


# -- secrets and signatures -------------------------------------------------------------------
def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret: its base64-decoded bytes."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def signed_content(message_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{message_id}.{timestamp}.".encode() + body


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one delivery attempt."""
    digest = hmac.new(
        secret_key(secret), signed_content(message_id, timestamp, body), hashlib.sha256
    ).digest()
    return "v1," + base64.b64encode(digest).decode()


class InvalidSignature(ValueError):
    pass


def verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    *,
    now: float,
    tolerance: int = TIMESTAMP_TOLERANCE_SECONDS,
) -> None:
    """What a receiver does (used by the walkthrough and the tests): raise InvalidSignature if not ours."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        raise InvalidSignature(
            "missing or malformed webhook-id, webhook-timestamp or webhook-signature"
        ) from None
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature(f"timestamp {timestamp} is more than {tolerance}s away from now")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("no signature matches")


# -- event types ------------------------------------------------------------------------------
class InvalidWebhook(ValueError):
    """A value the client must correct; `field` names it, the message says how."""

    def __init__(self, message: str, field: str, details: dict | None = None):
        super().__init__(message)
        self.field = field
        self.details = details or {}


def normalise_event_types(requested: Iterable[str], known: Iterable[str]) -> list[str]:
    """Known types, deduplicated and sorted; `["*"]` when every event is wanted."""
    requested = [name.strip() for name in requested]
    if not requested:
        raise InvalidWebhook(
            'event_types must name at least one event type, or be ["*"] for all', "event_types"
        )
    if ALL_EVENTS in requested:
        unknown = []
    else:
        known = set(known)
        unknown = sorted({name for name in requested if name not in known})
    if unknown:
        raise InvalidWebhook(
            f"unknown event type(s): {', '.join(unknown)}; see GET /v1/events/catalogue for the list",
            "event_types",
            {"unknown": unknown, "known": sorted(known)},
        )
    if ALL_EVENTS in requested:
        return [ALL_EVENTS]
    return sorted(set(requested))


def wants(event_types: Iterable[str], event_type: str) -> bool:
    event_types = list(event_types)
    return ALL_EVENTS in event_types or event_type in event_types


# -- safe targets -----------------------------------------------------------------------------
Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (green under eventlet's monkey patching)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)
_BLOCKED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names without DNS, including the shorthand forms C libraries accept
    (`127.1`, `2130706433`, `0x7f000001`), which would otherwise slip past a naive check."""
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host) and any(ch.isdigit() for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable unicast: not private, loopback, link-local, shared, reserved or multicast."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return is_public(embedded)
        if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64 carries an IPv4 address
            return is_public(ipaddress.IPv4Address(address.packed[-4:]))
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class TargetPolicy:
    allow_private: bool  # private, loopback and link-local targets (development, test labs)
    allow_http: bool  # plain http to public hosts (development only)


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    addresses: tuple[str, ...]
    private: bool


def check_target(url: str, policy: TargetPolicy, resolver: Resolver = resolve) -> Target:
    """Refuse a webhook URL that is not https (unless allowed) or reaches a non-public address.

    Every address a name resolves to must be public, so a name with one private record is
    refused too. Checked when the webhook is registered and again before every attempt (a name
    may be re-pointed at an internal address later).
    """
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhook(f"url is longer than {MAX_URL_LENGTH} characters", "url")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidWebhook(f"url is not a valid URL: {exc}", "url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise InvalidWebhook("url must be an https:// URL", "url")
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhook(
            "url must not carry credentials; authenticate deliveries by their signature", "url"
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise InvalidWebhook("url has no host", "url")
    if parts.fragment:
        raise InvalidWebhook("url must not have a #fragment", "url")
    port = port or (443 if scheme == "https" else 80)

    literal = literal_address(host)
    if literal is not None:
        addresses = [str(literal)]
    elif host in _BLOCKED_NAMES or host.endswith(".localhost"):
        addresses = ["127.0.0.1"]
    else:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise InvalidWebhook(f"url host {host!r} does not resolve: {exc}", "url") from None
        if not addresses:
            raise InvalidWebhook(f"url host {host!r} does not resolve", "url")
    non_public = sorted({a for a in addresses if not is_public(ipaddress.ip_address(a.split("%")[0]))})
    if non_public and not policy.allow_private:
        raise InvalidWebhook(
            f"url host {host!r} resolves to a private, loopback or link-local address "
            f"({', '.join(non_public)}); webhooks must reach a public address",
            "url",
            {"addresses": non_public},
        )
    private = bool(non_public)
    if scheme == "http" and not (policy.allow_http or (private and policy.allow_private)):
        raise InvalidWebhook(
            "url must be an https:// URL (plain http is only accepted in development)", "url"
        )
    return Target(url=url.strip(), host=host, addresses=tuple(addresses), private=private)


# -- retries ----------------------------------------------------------------------------------
# Standard Webhooks' example schedule: the first attempt at once, then retries after these
# pauses (about three days in all), each with +/-20% jitter so that a burst of failures does
# not come back as a burst of retries.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
JITTER = 0.2
MAX_RETRY_AFTER = timedelta(hours=24)


def max_attempts(schedule: tuple[timedelta, ...] = RETRY_SCHEDULE) -> int:
    return len(schedule) + 1


def retry_delay(
    attempts_made: int,
    schedule: tuple[timedelta, ...] = RETRY_SCHEDULE,
    rng: Callable[[float, float], float] = random.uniform,
    retry_after: timedelta | None = None,
) -> timedelta | None:
    """The pause before the next attempt after `attempts_made` failed ones; None to give up.

    A receiver's Retry-After (on 429 or 503) is honoured when it asks for longer, up to a day.
    """
    if attempts_made < 1:
        return timedelta(0)
    if attempts_made > len(schedule):
        return None
    delay = schedule[attempts_made - 1] * rng(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None) -> timedelta | None:
    if value and value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    return None


# -- outcomes ---------------------------------------------------------------------------------
SUCCEEDED, RETRY, GONE = "succeeded", "retry", "gone"


def outcome(status_code: int | None) -> str:
    """2xx delivered; 410 Gone unsubscribes (the endpoint is disabled); anything else retries.

    Redirects are not followed (a redirect could lead to an internal address) and count as failures.
    """
    if status_code is not None and 200 <= status_code < 300:
        return SUCCEEDED
    if status_code == 410:
        return GONE
    return RETRY


# -- per-organisation AMQP access -------------------------------------------------------------
INTEGRATIONS_EXCHANGE = "ementor.integrations"
_TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_tenant_id(tenant_id: str) -> str:
    """Tenant ids become the first word of routing keys and queue names: no dots, no wildcards."""
    if not _TENANT_ID.match(tenant_id or ""):
        raise ValueError(f"tenant id {tenant_id!r} cannot be used in a routing key")
    return tenant_id


def routing_key(tenant_id: str, event_type: str) -> str:
    """`<organisation id>.<EventType>` on the `ementor.integrations` exchange."""
    return f"{check_tenant_id(tenant_id)}.{event_type}"


def amqp_username(tenant_id: str) -> str:
    return f"integration-{check_tenant_id(tenant_id)}"


def queue_prefix(tenant_id: str) -> str:
    return f"{check_tenant_id(tenant_id)}."


def amqp_permissions(tenant_id: str) -> dict[str, str]:
    """vhost permissions: own queues (configure, write to bind them), read them and the exchange.

    Nothing else: not the services' `<service>.events` exchanges (every organisation's events),
    not other organisations' queues, not publishing anywhere but their own resources.
    """
    own = "^" + re.escape(queue_prefix(tenant_id))
    return {
        "configure": own,
        "write": own,
        "read": f"^(?:{re.escape(INTEGRATIONS_EXCHANGE)}$|{re.escape(queue_prefix(tenant_id))})",
    }


def amqp_topic_permissions(tenant_id: str) -> dict[str, str]:
    """Topic permissions on the exchange: bind only routing keys of the organisation; publish nothing."""
    return {
        "exchange": INTEGRATIONS_EXCHANGE,
        "write": "^$",
        "read": "^" + re.escape(queue_prefix(tenant_id)),
    }


def new_amqp_password() -> str:
    return secrets.token_urlsafe(32)
