"""Moderation: what holds a message, and why. Needs neither nameko nor MongoDB.

Moderation is tuned for recall over precision: a false hold costs a coordinator one click, a
missed phone number in a conversation with a child can cost far more. Everything here is
deterministic and unit-tested directly (tests/unit/messaging).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from . import risk
from .domain import MAX_BLOCKED_WORD_CHARS, MAX_BLOCKED_WORDS, ModerationSettings

MAX_FINDINGS_PER_KIND = 10

# Why a message is held: the reasons carried by MessageHeld.
CONTACT_DETAILS = "contact_details"
LINK = "link"
FLAGGED_WORD = "flagged_word"

# What was found: finer than the reason, shown to coordinators only.
KIND_REASON = {
    "email": CONTACT_DETAILS,
    "phone": CONTACT_DETAILS,
    "social_handle": CONTACT_DETAILS,
    "contact_request": CONTACT_DETAILS,
    "link": LINK,
    "flagged_word": FLAGGED_WORD,
    **{category: category for category in risk.PATTERNS},  # self_harm, abuse_disclosure, grooming, bullying
}

# Held in every conversation with a minor, on top of the organisation's own list: phrases that
# safeguarding guidance for youth mentoring asks moderators to look at.
SAFEGUARDING_PHRASES = (
    "our secret",
    "our little secret",
    "keep this between us",
    "just between us",
    "don't tell your parents",
    "don't tell your mum",
    "don't tell your dad",
    "don't tell anyone",
    "delete this message",
    "delete these messages",
    "delete our chat",
    "are you alone",
    "home alone",
    "meet in person",
    "meet up alone",
    "send me a photo",
    "send me a pic",
    "send me a picture",
    "send a selfie",
)


@dataclass(frozen=True)
class Finding:
    kind: str  # email | phone | social_handle | contact_request | link | flagged_word
    text: str

    @property
    def reason(self) -> str:
        return KIND_REASON[self.kind]


@dataclass(frozen=True)
class Policy:
    """What to hold in one conversation, derived from the organisation's settings and the mentee."""

    hold_contact_details: bool
    hold_links: bool
    blocked_words: tuple[str, ...] = ()
    minor: bool = False


def policy_for(settings: ModerationSettings, *, minor: bool) -> Policy:
    """A minor's conversation always holds contact details and links, and the safeguarding phrases."""
    if minor:
        return Policy(True, True, tuple(settings.blocked_words) + SAFEGUARDING_PHRASES, minor=True)
    return Policy(settings.hold_contact_details_for_adults, settings.hold_links_for_adults,
                  tuple(settings.blocked_words))


@dataclass(frozen=True)
class Verdict:
    held: bool
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default=())


def moderate(text: str, policy: Policy) -> Verdict:
    """Hold the message if it carries anything the policy holds; say why."""
    findings = []
    for finding in scan(text, policy.blocked_words):
        reason = finding.reason
        if (reason == CONTACT_DETAILS and policy.hold_contact_details) \
                or (reason == LINK and policy.hold_links) or reason == FLAGGED_WORD:
            findings.append(finding)
    # Risk is held in every conversation; grooming only where the mentee is a minor (it is about children).
    findings += [Finding(category, words) for category, words in risk.risks(text)
                 if category != risk.GROOMING or policy.minor]
    reasons = tuple(dict.fromkeys(f.reason for f in findings))
    return Verdict(bool(findings), reasons, tuple(findings))


def clean_blocked_words(words: list[str]) -> tuple[str, ...]:
    """Trimmed, whitespace-collapsed, de-duplicated case-insensitively; order kept."""
    seen: dict[str, str] = {}
    for raw in words:
        word = " ".join(raw.split())
        if not word:
            raise ValueError("a blocked word cannot be empty")
        if len(word) > MAX_BLOCKED_WORD_CHARS:
            raise ValueError(f"blocked word {word[:20]!r}... is longer than "
                             f"{MAX_BLOCKED_WORD_CHARS} characters")
        if not any(ch.isalnum() for ch in word):
            raise ValueError(f"blocked word {word!r} needs at least one letter or digit")
        seen.setdefault(_fold(word), word)
    if len(seen) > MAX_BLOCKED_WORDS:
        raise ValueError(f"at most {MAX_BLOCKED_WORDS} blocked words, got {len(seen)}")
    return tuple(seen.values())


# Invisible characters people (or keyboards) slip between letters to dodge filters.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), invisible characters removed."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_QUOTES)


def _fold(text: str) -> str:
    return normalise(text).casefold().replace("'", "")


# Top-level domains we recognise in bare domains like "example.com". Deliberately not every
# TLD: two-letter ones that are everyday English words ("to", "is", "so", "it", "in", "no",
# "at", "be", "am") are left out, so "ok.so" typed without a space is not a link.
_TLDS = [
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "mobi", "app", "dev",
    "io", "ai", "co", "me", "ly", "tv", "gg", "cc", "fm", "uk", "us", "ca", "au", "nz", "ie", "de", "fr",
    "es", "nl", "eu", "ch", "se", "dk", "fi", "pl", "pt", "ru", "cn", "jp", "kr", "br", "mx", "za", "ng",
    "ke", "gh", "sg", "hk", "tw", "xyz", "online", "site", "website", "live", "club", "link", "shop",
    "store", "blog", "page", "top", "tech", "space", "fun", "icu", "vip", "wiki", "chat", "social", "zone",
    "world", "today", "email", "art", "news", "tk", "ml", "ga", "cf", "gq", "ws", "la", "gl", "sh", "ac",
    "im", "gy",
]
_TLD_ALT = "|".join(sorted(_TLDS, key=len, reverse=True))
_OBFUSCATED_TLD_ALT = "com|net|org|co\\.uk|co|uk|io|me|ly|tv|gg|app|info|edu"

_SCHEME_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"']+|\bwww\d{0,3}\.[^\s<>\"']+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(
    rf"(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?P<tld>{_TLD_ALT})(?![\w\-])(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# A dot written so that it is not a plain ".": "[.]", "(dot)", " dot ". The alternatives never
# match the same text two ways (that would make a long run of them exponential to reject).
_SPELLED_DOT = r"(?:\s*+[\[\(\{]\s*+(?:\.|dot)\s*+[\]\)\}]\s*+|\s++dot\s++)"
_DOT = rf"(?:{_SPELLED_DOT}|\s++\.\s++)"
_OBFUSCATED_DOMAIN = re.compile(rf"(?<![\w\-])[a-z0-9\-]++{_DOT}(?:{_OBFUSCATED_TLD_ALT})\b", re.IGNORECASE)
_IP_ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?:/[^\s]*)?\b")

# Patterns start only where a run of name characters starts ((?<!...)) and take runs whole (++):
# a 4,000-character message of "a.a.a..." must cost linear time, not quadratic.
_NAME = r"(?<![\w.+%\-])[\w.+%\-]++"
_EMAIL = re.compile(rf"{_NAME}@[\w\-]++(?:\.[\w\-]++)*\.[a-z]{{2,}}\b", re.IGNORECASE)
_AT = r"(?:\s*@\s*|\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*)"
_ANY_DOT = rf"(?:\s*+\.\s*+|{_SPELLED_DOT})"
# "jamie [at] example [dot] org", "jamie @ example . com"; and with a plain " at " only when the
# dot is spelled out or the name could not be an English word, so "look at example.com" is a link.
_OBFUSCATED_EMAILS = (
    re.compile(rf"{_NAME}{_AT}[\w\-]++(?:{_ANY_DOT}[\w\-]++)*?{_ANY_DOT}(?:{_OBFUSCATED_TLD_ALT})\b",
               re.IGNORECASE),
    re.compile(rf"{_NAME}\s+at\s+[\w\-]++(?:{_ANY_DOT}[\w\-]++)*?{_SPELLED_DOT}(?:{_OBFUSCATED_TLD_ALT})\b",
               re.IGNORECASE),
    re.compile(rf"(?<![\w.+%\-])(?=[a-z]*+[\d._+%\-]){_NAME}\s+at\s+[\w\-]++(?:\.[\w\-]++)*\.(?:{_OBFUSCATED_TLD_ALT})\b",
               re.IGNORECASE),
)
_MAIL_PROVIDER = re.compile(
    _NAME + r"\s*(?:@|\s+at\s+|[\[\(]\s*at\s*[\]\)])\s*"
    r"(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|aol|protonmail|proton|msn)\b",
    re.IGNORECASE,
)

_PLATFORMS = (
    r"(?:whats\s?app|snap(?:chat)?|insta(?:gram)?|telegram|discord|kik|tik\s?tok|wechat|signal|facebook|fb|"
    r"messenger|skype|imessage|facetime|twitter|viber)"
)
# Run on lower-cased text (risk.lower_alike), like _DIGITISH: without IGNORECASE, Python's engine
# gives up on a position several times faster.
_CONTACT_REQUESTS = (
    re.compile(rf"\b(?:add|dm|message|msg|text|call|ring|find|follow|contact|reach|hit)\s+me\s+(?:up\s+)?"
               rf"(?:on|at|via|through|over)\s+{_PLATFORMS}\b"),
    re.compile(rf"\bmy\s+(?:{_PLATFORMS}|(?:phone\s+|mobile\s+|cell\s+)?number|mobile|cell|phone|e-?mail"
               rf"(?:\s+address)?|home\s+address|address|handle|user\s?name)\s*(?:is\b|=|:)"),
    re.compile(rf"\b{_PLATFORMS}\s+me\b"),
)
_HANDLE = re.compile(
    r"(?<![\w@.])@(?!\d{1,2}(?::\d{2})?\s*(?:am|pm)\b)(?=[\w.]{0,29}[a-z])[\w.]{3,30}", re.IGNORECASE
)

_NUMBER_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3",
    "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_REPEAT_WORDS = {"double": 2, "triple": 3}
_DIGITISH = re.compile(
    r"\d|\b(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|double|triple)\b"
)
_AT_WORD = re.compile(r"\bat\b", re.IGNORECASE)
_PHONE_TOKEN = re.compile(r"\d|[^\W\d_]+|\s+|[^\w\s]|_")
_PHONE_SEPARATORS = set("+.-()/,_*\u2013\u2014[]")
MIN_PHONE_DIGITS = 7
_NOT_A_PHONE = (
    re.compile(r"^\d{1,2}[./\- ]\d{1,2}[./\- ](?:19|20)?\d{2}$"),  # 12/05/2024, 12.05.24
    re.compile(r"^(?:19|20)\d{2}[./\- ]\d{1,2}[./\- ]\d{1,2}$"),  # 2024-05-12
    re.compile(r"^(?:19|20)\d{2}\s*[\-\u2013/]\s*(?:(?:19|20)\d{2}|\d{2})$"),  # 2023-2024, 2023/24
    re.compile(r"^\d{1,2}[.:]\d{2}\s*[\-\u2013]\s*\d{1,2}[.:]\d{2}$"),  # 10.30-11.45
    re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$"),  # 1,250,000
)


def scan(text: str, blocked_words: tuple[str, ...] = ()) -> list[Finding]:
    """Everything in the text a policy might hold, in the order found."""
    text = normalise(text)
    findings: list[Finding] = []
    spans: list[tuple[int, int]] = []

    counts: dict[str, int] = {}

    def add(kind: str, match: re.Match, *, check_overlap: bool = True) -> None:
        if counts.get(kind, 0) >= MAX_FINDINGS_PER_KIND:
            return  # enough to decide and to show; the rest adds nothing but cost
        start, end = match.span()
        if check_overlap and any(s <= start < e or s < end <= e for s, e in spans):
            return  # already covered, e.g. the domain of an e-mail address
        counts[kind] = counts.get(kind, 0) + 1
        spans.append((start, end))
        findings.append(Finding(kind, text[start:end].strip()))  # the writer's own words, as written

    if "@" in text or _AT_WORD.search(text):
        for pattern in (_EMAIL, *_OBFUSCATED_EMAILS, _MAIL_PROVIDER):
            for match in pattern.finditer(text):
                add("email", match)
    for match in _SCHEME_URL.finditer(text):
        add("link", match)
    for match in _BARE_DOMAIN.finditer(text):
        tld = match.group("tld")
        if tld.islower() or tld.isupper():  # "it.It" is a missing space, not a domain
            add("link", match)
    for pattern in (_OBFUSCATED_DOMAIN, _IP_ADDRESS):
        for match in pattern.finditer(text):
            add("link", match)
    masked = _mask(text, spans)  # digits inside links and addresses are not phone numbers
    if len(_DIGITISH.findall(risk.lower_alike(masked))) >= MIN_PHONE_DIGITS:
        for start, end in _phone_spans(masked)[:MAX_FINDINGS_PER_KIND]:
            spans.append((start, end))
            findings.append(Finding("phone", text[start:end]))
    if "@" in masked:
        for match in _HANDLE.finditer(masked):
            add("social_handle", match)
    lowered = risk.lower_alike(text)
    for pattern in _CONTACT_REQUESTS:
        for match in pattern.finditer(lowered):
            add("contact_request", match, check_overlap=False)
    findings.extend(Finding("flagged_word", word) for word in flagged_words(text, blocked_words))
    return findings


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Runs of at least 7 digits, written as digits or words ("seven seven oh"), with separators."""
    found = []
    digits = 0
    start = end = None
    gap = 0
    repeat = 1

    def close() -> None:
        if start is not None and digits >= MIN_PHONE_DIGITS:
            span_text = text[start:end].strip()
            if not any(pattern.match(span_text) for pattern in _NOT_A_PHONE):
                found.append((start, end))

    for token in _PHONE_TOKEN.finditer(text):
        value = token.group(0)
        lowered = value.lower()
        if value.isdigit() or lowered in _NUMBER_WORDS:
            if start is None:
                start = token.start()
            digits += repeat
            repeat, gap, end = 1, 0, token.end()
        elif lowered in _REPEAT_WORDS:  # "double seven" is 77
            repeat = _REPEAT_WORDS[lowered]
        elif value.isspace() or value in _PHONE_SEPARATORS:
            gap += 1
            if gap > 3 and start is not None:
                close()
                start, digits, gap, repeat = None, 0, 0, 1
        else:
            close()
            start, digits, gap, repeat = None, 0, 0, 1
    close()
    return found


# Blocked words are matched on three views of the text, so "S E C R E T", "s.e.c.r.e.t" and
# "s3cr3t" are caught as well as "Secret!"; always on word boundaries, so "class" is not "ass".
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:\w[\s.\-_*]){2,}\w(?!\w)")


def _views(text: str) -> tuple[str, ...]:
    folded = _fold(text)
    squeezed = _SPACED_LETTERS.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), folded)
    leet = folded.translate(_LEET)
    return tuple(dict.fromkeys((folded, squeezed, leet)))


@dataclass(frozen=True)
class _WordMatcher:
    phrases: frozenset  # blocked words made only of letters/digits, as tuples of tokens
    starts: frozenset  # the first token of each: a phrase is looked for only where one is
    longest: int
    others: re.Pattern | None  # the few with other characters ("c++"), as one regex


_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=512)
def _word_matcher(words: tuple[str, ...]) -> _WordMatcher:
    phrases, others = set(), set()
    for word in words:
        tokens = tuple(_fold(word).split())
        if not tokens:
            continue
        if all(_TOKEN.fullmatch(token) for token in tokens):
            phrases.add(tokens)
        else:
            others.add(r"\s+".join(re.escape(token) for token in tokens))
    pattern = None
    if others:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(others, key=len, reverse=True)) + r")(?!\w)")
    return _WordMatcher(frozenset(phrases), frozenset(p[0] for p in phrases),
                        max((len(p) for p in phrases), default=0), pattern)


def flagged_words(text: str, blocked_words: tuple[str, ...]) -> list[str]:
    """Blocked words found in the text. Words are compared token by token (a set lookup per
    token, so 500 blocked words cost no more than 5); a phrase's words must be separated by
    whitespace only."""
    if not blocked_words:
        return []
    matcher = _word_matcher(tuple(blocked_words))
    found: dict[str, None] = {}
    for view in _views(text):
        if matcher.phrases:
            tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(view)]
            for i in range(len(tokens)):
                if tokens[i][0] not in matcher.starts:
                    continue
                for n in range(1, min(matcher.longest, len(tokens) - i) + 1):
                    if n > 1 and not view[tokens[i + n - 2][2]:tokens[i + n - 1][1]].isspace():
                        break
                    phrase = tuple(token for token, _, _ in tokens[i:i + n])
                    if phrase in matcher.phrases:
                        found[" ".join(phrase)] = None
        if matcher.others is not None:
            for match in matcher.others.finditer(view):
                found[" ".join(match.group(0).split())] = None
    return list(found)
