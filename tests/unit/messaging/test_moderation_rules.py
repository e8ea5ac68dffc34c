"""Moderation detection: what is found, what is not, and what each policy holds."""

from __future__ import annotations

import pytest

from services.messaging.domain import ModerationSettings, visible_to
from services.messaging.moderation import (
    SAFEGUARDING_PHRASES,
    clean_blocked_words,
    moderate,
    policy_for,
    scan,
)

pytestmark = pytest.mark.unit


def kinds(text: str, words: tuple[str, ...] = ()) -> list[str]:
    return sorted({finding.kind for finding in scan(text, words)})


@pytest.mark.parametrize("text", [
    "email me at jamie.fisher@gmail.com",
    "JAMIE.FISHER+mentor@school.example.org.uk",
    "jamie [at] example [dot] org",
    "jamie(at)example(dot)com",
    "jamie at example dot com",
    "jamie.fisher at example.com",
    "jamie_f at example.co.uk",
    "jamie @ example . com",
    "jamie at hotmail",
    "ｊａｍｉｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # full-width
])
def test_email_addresses_are_found_however_they_are_written(text):
    assert "email" in kinds(text)


@pytest.mark.parametrize("text", [
    "call me on 07700 900123",
    "+44 (0) 7700-900-123",
    "0 7 7 0 0 9 0 0 1 2 3",
    "07700.900.123",
    "seven seven zero zero nine zero zero one two three",
    "Seven Seven Oh Oh, nine oh oh, one two three",
    "double seven oh oh nine double oh one two three",
    "0770 nine 00 one 23",
    "０７７００９００１２３",  # full-width digits
    "07\u200b700\u200b900\u200b123",  # zero-width spaces between digits
])
def test_phone_numbers_are_found_with_spacing_and_spelling(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize("text", [
    "I scored 1500 points in 2024",
    "We met on 12/05/2024, the 2023-2024 season, 10.30-11.45 on Tuesday",
    "Meet at 2024-05-12 at 10:30",
    "one of the two things",
    "Chapter 11, page 394",
    "£1,250,000 is a lot",
])
def test_ordinary_numbers_dates_and_times_are_not_phone_numbers(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text", [
    "see https://example.com/path?x=1",
    "http://192.168.0.1:8080/admin",
    "go to www.example.org",
    "check example.com",
    "EXAMPLE.COM",
    "robotics-club.org.uk/join",
    "bit.ly/3xYz",
    "join discord.gg/abcd",
    "t.me/jamie",
    "example dot com",
    "example(dot)com",
    "example [.] com",
    "look at robotics-club.org.uk",  # a link, not an e-mail address
    "https://zoom.us/j/123456789",  # a link, not (also) a phone number
])
def test_links_are_found_including_bare_and_obfuscated_domains(text):
    assert kinds(text) == ["link"]


@pytest.mark.parametrize("text", [
    "I did it.It was fine",  # a missing space is not a domain
    "ok.so what now",
    "e.g. this, i.e. that, etc.",
    "my file is notes.py and report.pdf",
    "Node.js and Vue.js are fun",
    "It costs 3.50 and v2.1 is out",
    "Mr.Smith said hi",
])
def test_sentences_with_dots_are_not_links(text):
    assert kinds(text) == []


CONTACT_REQUESTS = [
    "add me on snapchat",
    "DM me on Insta",
    "my snap is jamie_f",
    "my number is below",
    "My email: see profile",
    "whatsapp me later",
    "follow me @jamie_f",
]


@pytest.mark.parametrize("text", CONTACT_REQUESTS)
def test_requests_to_move_off_the_platform_are_contact_details(text):
    assert {f.reason for f in scan(text)} == {"contact_details"}


@pytest.mark.parametrize("text", [
    "see you @5pm", "I'm @ school", "It was on TikTok yesterday", "Call me maybe",
])
def test_everyday_mentions_are_not_contact_details(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text, found", [
    ("Is it a SECRET?", ["secret"]),
    ("s e c r e t", ["secret"]),
    ("s.e.c.r.e.t", ["secret"]),
    ("s3cr3t", ["secret"]),
    ("se\u200bcret", ["secret"]),
    ("Secrets and secretary", []),  # whole words only
    ("shall we MEET\n  UP", ["meet up"]),
    ("I love c++!", ["c++"]),
    ("The class assessment", []),  # "ass" is not inside other words
])
def test_blocked_words_match_whole_words_case_insensitively(text, found):
    words = ("secret", "meet up", "c++", "ass")
    assert [f.text for f in scan(text, words) if f.kind == "flagged_word"] == found


def test_a_policy_holds_only_what_it_is_set_to_hold():
    adults = policy_for(ModerationSettings(), minor=False)
    assert moderate("see example.com", adults).held is False  # links between adults: allowed by default
    verdict = moderate("ring 07700 900123 or see example.com", adults)
    assert (verdict.held, verdict.reasons) == (True, ("contact_details",))
    assert [f.kind for f in verdict.findings] == ["phone"]

    relaxed = policy_for(ModerationSettings(hold_contact_details_for_adults=False), minor=False)
    assert moderate("ring 07700 900123", relaxed).held is False


def test_a_minors_policy_holds_links_contact_details_and_safeguarding_phrases_whatever_the_settings():
    relaxed = ModerationSettings(hold_contact_details_for_adults=False, hold_links_for_adults=False)
    child = policy_for(relaxed, minor=True)
    assert moderate("see example.com", child).reasons == ("link",)
    assert moderate("ring 07700 900123", child).reasons == ("contact_details",)
    assert moderate("It\u2019s our secret, don\u2019t tell your parents", child).reasons == ("flagged_word", "grooming")
    assert moderate("It's our secret", policy_for(relaxed, minor=False)).held is False
    assert all(moderate(phrase.upper(), child).held for phrase in SAFEGUARDING_PHRASES)


def test_every_reason_is_reported_once_in_order_found():
    verdict = moderate("mail a@b.com, call 07700900123, see x.io, vape", policy_for(
        ModerationSettings(blocked_words=("vape",), hold_links_for_adults=True), minor=False))
    assert verdict.reasons == ("contact_details", "link", "flagged_word")


def test_a_plain_message_is_not_held():
    text = "Hi Jamie! How did the robotics club go on Tuesday? I'd love to hear about your project."
    assert moderate(text, policy_for(ModerationSettings(), minor=True)) .held is False


def test_blocked_words_are_cleaned_and_validated():
    assert clean_blocked_words(["  Vape ", "party   tonight", "VAPE"]) == ("Vape", "party tonight")
    for bad in ([""], ["   "], ["x" * 101], ["!!!"]):
        with pytest.raises(ValueError):
            clean_blocked_words(bad)
    with pytest.raises(ValueError):
        clean_blocked_words([f"word{i}" for i in range(501)])


def test_who_sees_a_message():
    assert visible_to("delivered", "a", viewer_person_id="b", coordinator=False)
    assert visible_to("held", "a", viewer_person_id="a", coordinator=False)
    assert not visible_to("held", "a", viewer_person_id="b", coordinator=False)
    assert not visible_to("rejected", "a", viewer_person_id="b", coordinator=False)
    assert visible_to("held", "a", viewer_person_id=None, coordinator=True)


def _corpus() -> list[str]:
    """Every labelled text in bench/data (risk, topics, knowledge questions) and the contact requests
    above, as written, upper-cased and title-cased."""
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parents[3] / "bench" / "data"
    rows = [json.loads(line) for path in sorted(data.glob("*/*.jsonl")) for line in path.read_text().splitlines() if line]
    texts = [text for row in rows if (text := row.get("text") or row.get("question"))]
    texts += [*CONTACT_REQUESTS, "İİ: ADD ME ON SNAPCHAT", "İstanbul! My Phone Number Is 07700 900123",
              "call me on seven seven oh oh nine double oh one two three"]
    return texts + [text.upper() for text in texts] + [text.title() for text in texts]


def test_contact_requests_and_spelled_numbers_are_found_as_by_the_patterns_written_case_insensitive():
    """The patterns run on lower-cased text without IGNORECASE; they must find what the same patterns
    find case-insensitively in the text as written, and report the writer's own words."""
    import re

    from services.messaging import moderation

    as_written = [re.compile(p.pattern, re.IGNORECASE) for p in moderation._CONTACT_REQUESTS]
    digitish = re.compile(moderation._DIGITISH.pattern, re.IGNORECASE)
    texts = _corpus()
    requests = 0
    for text in texts:
        normal = moderation.normalise(text)
        expected = [m.group(0).strip() for p in as_written for m in p.finditer(normal)][:moderation.MAX_FINDINGS_PER_KIND]
        found = [f.text for f in scan(text) if f.kind == "contact_request"]
        assert found == expected, text
        requests += bool(found)
        phoneish = len(digitish.findall(normal)) >= moderation.MIN_PHONE_DIGITS
        assert (len(moderation._DIGITISH.findall(moderation.risk.lower_alike(normal)))
                >= moderation.MIN_PHONE_DIGITS) is phoneish, text
    assert len(texts) > 4000 and requests >= 80  # the comparison covers real matches
    assert [f.text for f in scan("İİ: ADD ME ON SNAPCHAT") if f.kind == "contact_request"] == ["ADD ME ON SNAPCHAT"]
