"""Profile rules that need neither nameko nor MongoDB: normalisation and validation."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers

MAX_INTERESTS = 20
MAX_LANGUAGES = 10
MAX_MENTOR_CAPACITY = 20
CUSTOM_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TAG_SEPARATORS = re.compile(r"[\s_/]+")
_TAG_INVALID = re.compile(r"[^a-z0-9+#.-]")
_TIMEZONES = available_timezones()


class InvalidProfile(ValueError):
    """A value a person must correct; the message says how."""


def normalise_interest(raw: str) -> str:
    """'  Machine Learning ' and 'machine_learning' are the same tag: 'machine-learning'."""
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().lower().strip()
    tag = _TAG_INVALID.sub("", _TAG_SEPARATORS.sub("-", text))
    tag = re.sub(r"-{2,}", "-", tag).strip("-.")
    if not tag or len(tag) > 40:
        raise InvalidProfile(f"interest {raw!r} must have 1 to 40 letters or digits")
    return tag


def normalise_interests(values: list[str]) -> list[str]:
    tags = list(dict.fromkeys(normalise_interest(v) for v in values))
    if len(tags) > MAX_INTERESTS:
        raise InvalidProfile(f"at most {MAX_INTERESTS} interests, got {len(tags)}")
    return tags


def normalise_language(raw: str) -> str:
    primary, _, rest = raw.strip().partition("-")
    tag = primary.lower() + (f"-{rest}" if rest else "")
    if not LANGUAGE_TAG.match(tag):
        raise InvalidProfile(f"language {raw!r} is not a BCP 47 tag such as 'en' or 'pt-BR'")
    return tag


def normalise_languages(values: list[str]) -> list[str]:
    tags = list(dict.fromkeys(normalise_language(v) for v in values))
    if len(tags) > MAX_LANGUAGES:
        raise InvalidProfile(f"at most {MAX_LANGUAGES} languages, got {len(tags)}")
    return tags


def normalise_phone(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise InvalidProfile(f"phone {raw!r} must be in international E.164 form, e.g. +447700900123") from None
    # "Possible" (right length for the country) rather than "valid": numbering plans change faster
    # than the library's metadata, and a wrongly refused number locks a person out of SMS.
    if not phonenumbers.is_possible_number(number):
        raise InvalidProfile(f"phone {raw!r} is not a possible number; use E.164 form, e.g. +447700900123")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_timezone(name: str) -> str:
    if name not in _TIMEZONES:
        raise InvalidProfile(f"time zone {name!r} is not an IANA time zone name such as 'Europe/London'")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError:  # pragma: no cover - listed but not loadable
        raise InvalidProfile(f"time zone {name!r} is not available") from None
    return name


def validate_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise InvalidProfile("slug must be 1 to 63 lowercase letters, digits or hyphens, not starting or ending with '-'")
    return slug


@dataclass(frozen=True)
class FieldDefinition:
    key: str
    label: str
    type: str  # text | single_choice | multiple_choice | number
    options: tuple[str, ...] = ()
    required: bool = False


def validate_field_definitions(definitions: list[FieldDefinition]) -> list[FieldDefinition]:
    seen = set()
    for definition in definitions:
        if not CUSTOM_FIELD_KEY.match(definition.key):
            raise InvalidProfile(f"custom field key {definition.key!r} must be lowercase letters, digits or '_'")
        if definition.key in seen:
            raise InvalidProfile(f"custom field key {definition.key!r} is defined twice")
        seen.add(definition.key)
        is_choice = definition.type in ("single_choice", "multiple_choice")
        if is_choice and len(definition.options) < 2:
            raise InvalidProfile(f"choice field {definition.key!r} needs at least two options")
        if not is_choice and definition.options:
            raise InvalidProfile(f"field {definition.key!r} of type {definition.type} takes no options")
        if len(set(definition.options)) != len(definition.options):
            raise InvalidProfile(f"choice field {definition.key!r} repeats an option")
    return definitions


def validate_custom_values(definitions: list[FieldDefinition], values: dict, *, partial: bool = False) -> dict:
    """Check answers against the programme's definitions; return them in canonical form."""
    by_key = {d.key: d for d in definitions}
    unknown = sorted(set(values) - set(by_key))
    if unknown:
        known = ", ".join(sorted(by_key)) or "none"
        raise InvalidProfile(f"unknown custom field(s) {', '.join(unknown)}; this programme defines: {known}")
    clean = {}
    for key, value in values.items():
        clean[key] = _custom_value(by_key[key], value)
    if not partial:
        missing = [f"{d.label} ({d.key})" for d in definitions if d.required and d.key not in clean]
        if missing:
            raise InvalidProfile(f"the programme requires an answer to: {'; '.join(missing)}")
    return clean


def _custom_value(definition: FieldDefinition, value):
    key = definition.key
    if definition.type == "text":
        if not isinstance(value, str) or len(value) > 500:
            raise InvalidProfile(f"custom field {key!r} takes text of at most 500 characters")
        return value.strip()
    if definition.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidProfile(f"custom field {key!r} takes a number")
        return float(value)
    if definition.type == "single_choice":
        if value not in definition.options:
            raise InvalidProfile(f"custom field {key!r} must be one of: {', '.join(definition.options)}")
        return value
    if not isinstance(value, list) or any(v not in definition.options for v in value):
        raise InvalidProfile(f"custom field {key!r} takes a list drawn from: {', '.join(definition.options)}")
    return list(dict.fromkeys(value))


def check_role_rules(role: str, *, capacity: int | None, is_minor: bool) -> int:
    """Return the effective capacity for the role."""
    if role == "mentee":
        if capacity:
            raise InvalidProfile("capacity applies to mentors only; leave it out for a mentee")
        return 0
    if is_minor:
        raise InvalidProfile("a mentor cannot be a minor")
    capacity = 1 if capacity is None else capacity
    if not 0 <= capacity <= MAX_MENTOR_CAPACITY:
        raise InvalidProfile(f"a mentor's capacity must be between 0 (not taking new mentees for now) "
                             f"and {MAX_MENTOR_CAPACITY}")
    return capacity


# -- locale and availability (issue 14) ------------------------------------------------------------
LOCALES = ("en", "es")  # the languages ementor's app and emails are written in
MAX_AVAILABILITY = 500
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+|\b)\d(?:[\s().-]*\d){6,}")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|io|co|uk|es|me|ly)\b", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9_.]{2,}")


class MinorContactDetails(InvalidProfile):
    """A minor's profile text would share a way to reach them off the platform."""


def validate_locale(value: str | None) -> str | None:
    if value is None:
        return None
    tag = value.strip().lower().replace("_", "-").split("-")[0]
    if tag not in LOCALES:
        raise InvalidProfile(f"locale {value!r} is not one ementor speaks; choose one of: {', '.join(LOCALES)}")
    return tag


def clean_availability(value: str | None) -> str | None:
    """When the person is usually free, in their own words (e.g. 'weekday evenings after 6pm')."""
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > MAX_AVAILABILITY:
        raise InvalidProfile(f"availability takes at most {MAX_AVAILABILITY} characters")
    return text or None


def contact_details_in(text: str | None) -> list[str]:
    """What in a piece of profile text is a way to reach someone off the platform: email, phone, link, handle."""
    if not text:
        return []
    found = ["email"] if _EMAIL.search(text) else []
    rest = _EMAIL.sub(" ", text)  # an address's domain and @ are not a link or a handle as well
    for kind, pattern in (("phone", _PHONE), ("link", _LINK), ("social_handle", _HANDLE)):
        if pattern.search(rest):
            found.append(kind)
    return found


def check_minor_text(is_minor: bool, fields: dict[str, str | None]) -> None:
    """A minor's public profile text never carries contact details: contact stays on the platform."""
    if not is_minor:
        return
    for field, text in fields.items():
        kinds = contact_details_in(text)
        if kinds:
            raise MinorContactDetails(
                f"{field} seems to contain {', '.join(k.replace('_', ' ') for k in kinds)}: to keep young people "
                "safe, contact stays on ementor, so a profile cannot share an email, a phone number, a link or a "
                "social media name")


# -- who may read whose public profile ----------------------------------------------------------
MATCHED_STATUSES = ("proposed", "active")


def may_read_public_profile(*, viewer_person_id: str | None, target_role: str, pair_status: str | None) -> bool:
    """A mentor's public profile is open to everyone signed in to the organisation (mentees choose
    among them); a mentee's only to a person in a proposed or active match with them. Contact
    details are never part of it."""
    if target_role == "mentor":
        return True
    return viewer_person_id is not None and pair_status in MATCHED_STATUSES


# -- API keys: an id to find the key, a secret stored only as a hash --------------------------
API_KEY_PREFIX = "emk"


@dataclass(frozen=True)
class NewApiKey:
    key_id: str
    secret_hash: str
    plaintext: str


def new_api_key() -> NewApiKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return NewApiKey(key_id, hash_secret(secret), f"{API_KEY_PREFIX}_{key_id}_{secret}")


def parse_api_key(plaintext: str) -> tuple[str, str] | None:
    prefix, _, rest = plaintext.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != API_KEY_PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough; no salt or KDF needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)
