"""Risk categories in moderation, pinned on the tune set (bench/data/risk/tune.jsonl): every serious
positive caught (the recall target), hard negatives left alone. Held-out figures live in bench/risk.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from services.messaging import moderation, risk
from services.messaging.domain import ModerationSettings

DATA = Path(__file__).parents[3] / "bench" / "data" / "risk"
TUNE = [json.loads(line) for line in (DATA / "tune.jsonl").read_text().splitlines() if line]
HELDOUT = [json.loads(line) for line in (DATA / "heldout.jsonl").read_text().splitlines() if line]
LABEL = {"self-harm": risk.SELF_HARM, "abuse-disclosure": risk.ABUSE, "grooming": risk.GROOMING,
         "bullying": risk.BULLYING}


@pytest.mark.parametrize("label", sorted(LABEL))
def test_every_tune_positive_is_caught(label):
    missed = [row["text"] for row in TUNE if label in row["categories"]
              and LABEL[label] not in {c for c, _ in risk.risks(row["text"])}]
    assert missed == []


def test_idioms_and_benign_secrets_are_not_risk():
    for text in ("this homework is killing me", "my dad will kill me if i fail my driving test",
                 "i wanna die of embarrassment", "dont tell anyone but i got the highest mark in the class!",
                 "Can you send me a photo of your personal statement plan?", "Let's move our session to next Monday."):
        assert risk.risks(text) == [], text


def test_a_serious_category_holds_the_message_with_its_own_reason():
    child = moderation.policy_for(ModerationSettings(), minor=True)
    adult = moderation.policy_for(ModerationSettings(), minor=False)
    assert moderation.moderate("i want to kill myself", adult).reasons == ("self_harm",)
    assert "grooming" in moderation.moderate("Keep this between us, yeah?", child).reasons
    assert moderation.moderate("Keep this between us, yeah?", adult).held is False  # grooming: minors only


def risks_as_written(text: str) -> list[tuple[str, str]]:
    """The patterns compiled as written, case-insensitive, each category on its own: what risk.py's
    faster compiled form must agree with."""
    def compiled(phrases):
        return re.compile("|".join(f"(?:{p})" for p in phrases), re.IGNORECASE)

    cleaned = compiled(risk.IDIOMS).sub(" ", text.replace("\u2019", "'").replace("\u2018", "'"))
    found = []
    for category, phrases in risk.PHRASES.items():
        match = compiled(phrases).search(cleaned)
        if match is not None:
            found.append((category, match.group(0)))
    return found


def test_the_faster_patterns_find_the_same_words_as_the_patterns_as_written():
    texts = [row["text"] for row in TUNE + HELDOUT]
    texts += [text.upper() for text in texts] + [text.title() for text in texts]
    texts += ["I’m so dead lol, but I Want To Die", "İstanbul trip: KEEP THIS BETWEEN US",
              "This exam is killing me. I want to KILL MYSELF", "£20 if you send a pic of you"]
    disagree = [(text, risk.risks(text), risks_as_written(text)) for text in texts
                if risk.risks(text) != risks_as_written(text)]
    assert disagree == []
    assert sum(bool(risks_as_written(text)) for text in texts) > 400  # the comparison covers real matches


def test_the_words_reported_are_the_writers_own():
    assert risk.risks("Honestly I Want To Die") == [(risk.SELF_HARM, "Want To Die")]
    assert risk.risks("İİ: this week is killing me, I WANT TO DIE") == [(risk.SELF_HARM, "WANT TO DIE")]


def test_only_alternatives_written_with_a_word_boundary_need_one():
    pattern = risk._any(r"\bcat|dog", r"\b(?:owl|[|]x)")
    assert pattern.search("hotdog").group(0) == "dog"  # "dog" has no \b of its own
    assert pattern.search("scat") is None
    assert pattern.search("a|x").group(0) == "|x"  # a "|" in a class does not split
    assert risk._top_level_alternatives(r"a[^]|]b|c") == [r"a[^]|]b", "c"]
