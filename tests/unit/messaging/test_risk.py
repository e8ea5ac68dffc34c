"""Risk categories in moderation, pinned on the tune set (bench/data/risk/tune.jsonl): every serious
positive caught (the recall target), hard negatives left alone. Held-out figures live in bench/risk.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.messaging import moderation, risk
from services.messaging.domain import ModerationSettings

TUNE = [json.loads(line) for line in
        (Path(__file__).parents[3] / "bench" / "data" / "risk" / "tune.jsonl").read_text().splitlines() if line]
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
