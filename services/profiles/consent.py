"""Guardian consent rules that need neither nameko nor MongoDB: states, decisions, link tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

NOT_REQUIRED, PENDING, GRANTED, DECLINED, WITHDRAWN = "not_required", "pending", "granted", "declined", "withdrawn"
STATES = (NOT_REQUIRED, PENDING, GRANTED, DECLINED, WITHDRAWN)

# A decision link must survive a guardian who reads email once a week; a withdrawal link stays
# usable for as long as a mentoring year lasts (staff can always record a withdrawal offline).
DECISION_LINK_TTL = timedelta(days=14)
WITHDRAWAL_LINK_TTL = timedelta(days=400)
DECIDE, WITHDRAW = "decide", "withdraw"
TOKEN_PREFIX = "gct"

# What the guardian is told about how contact with their child is supervised (the consent page and email).
SUPERVISION = (
    ("Messages between your child and their mentor are moderated: anything with contact details, links or "
     "worrying phrases is held for a coordinator before it is delivered."),
    "Contact stays on the platform: phone numbers and email addresses are never shared between them.",
    "Video sessions are booked on the platform, and the video link works only in the booked slot.",
    "Mentors of minors are background-checked by the organisation before they can be matched.",
)

# Decision -> resulting state, and the states each decision may be taken from.
_OUTCOME = {"grant": GRANTED, "decline": DECLINED, "withdraw": WITHDRAWN}
_ALLOWED_FROM = {
    "grant": (PENDING, DECLINED, WITHDRAWN),
    "decline": (PENDING, WITHDRAWN),
    "withdraw": (GRANTED,),
}


class ConsentRefused(ValueError):
    """A decision the current state does not allow; `code` and the message say why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def needs_consent(role: str, is_minor: bool) -> bool:
    return role == "mentee" and is_minor


def initial_state(role: str, is_minor: bool) -> str:
    return PENDING if needs_consent(role, is_minor) else NOT_REQUIRED


def current_state(role: str, is_minor: bool, stored: str | None) -> str:
    """Records from before guardian consent have no state: a minor mentee among them is pending."""
    if not needs_consent(role, is_minor):
        return NOT_REQUIRED
    return stored if stored in (PENDING, GRANTED, DECLINED, WITHDRAWN) else PENDING


def decide(state: str, decision: str) -> str:
    """The state after `decision`; raises ConsentRefused if the current state does not allow it."""
    if state == NOT_REQUIRED:
        raise ConsentRefused("guardian_consent_not_required", "this person is not a minor mentee: no guardian consent applies")
    if state not in _ALLOWED_FROM[decision]:
        if decision == "withdraw":
            raise ConsentRefused("guardian_consent_not_granted", f"consent is {state}, so there is nothing to withdraw")
        raise ConsentRefused("guardian_consent_already_decided", f"consent is already {state}")
    return _OUTCOME[decision]


def first_name(name: str) -> str:
    return (name.split() or [name])[0]


# -- link tokens: the plaintext only in the email, a hash in the database ------------------------
@dataclass(frozen=True)
class LinkToken:
    plaintext: str
    token_hash: str
    expires_at: datetime


def new_link_token(purpose: str, now: datetime) -> LinkToken:
    ttl = DECISION_LINK_TTL if purpose == DECIDE else WITHDRAWAL_LINK_TTL
    plaintext = f"{TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"
    return LinkToken(plaintext, hash_token(plaintext), now + ttl)


def hash_token(plaintext: str) -> str:
    # 256 random bits: a fast hash is enough, no salt or KDF needed.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def looks_like_token(plaintext: str) -> bool:
    return plaintext.startswith(f"{TOKEN_PREFIX}_") and 20 <= len(plaintext) <= 100


def ip_hash(secret: str, address: str | None) -> str | None:
    """Evidence that a decision came from one network address, without keeping the address."""
    if not address:
        return None
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


class MailNotSent(Exception):
    """The mail server did not take an email (profiles' mailer raises it)."""
