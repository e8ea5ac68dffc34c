"""The scorer: vectorised scores equal the obvious per-pair arithmetic; reasons explain them exactly."""

from __future__ import annotations

import numpy as np
import pytest

from services.matching.scoring import (
    MentorIndex,
    Person,
    Rules,
    Weights,
    pair_eligible,
    pair_score,
    timezone_gap_hours,
)

pytestmark = pytest.mark.unit

TAGS = [f"t{i}" for i in range(12)]


def random_people(rng, n: int, prefix: str, mentors: bool) -> list[Person]:
    people = []
    for i in range(n):
        k = int(rng.integers(1, 5))
        weights = np.linspace(3, 1, len(TAGS))  # a few tags more popular than others
        interests = tuple(rng.choice(TAGS, size=k, replace=False, p=weights / weights.sum()))
        langs = tuple(rng.choice(["en", "fr", "pl", "en-GB"], size=int(rng.integers(0, 3)), replace=False))
        people.append(Person(
            id=f"{prefix}{i}", interests=interests, languages=langs,
            utc_offset_minutes=int(rng.choice([0, 60, -300, 330, 720, -660])),
            custom_fields={"sector": str(rng.choice(["a", "b", "c"]))} if rng.random() < 0.8 else {},
            is_minor=bool(not mentors and rng.random() < 0.4), vetted=bool(mentors and rng.random() < 0.6),
            places=int(rng.integers(0, 3)) if mentors else 0,
        ))
    return people


RULES = [
    Rules(),
    Rules(field_key="sector"),
    Rules(weights=Weights(interests=2.0, language=0.0, timezone=1.0, field=3.0), field_key="sector",
          min_shared_interests=2),
    Rules(weights=Weights(interests=0.0, language=1.0, timezone=1.0, field=0.0), min_shared_interests=1),
    Rules(min_shared_interests=0),
]


@pytest.mark.parametrize("rules", RULES, ids=lambda r: f"min{r.min_shared_interests}-{r.field_key}-{r.weights}")
def test_vectorised_scores_equal_the_per_pair_reference_and_rule_out_exactly_the_ineligible(rules):
    rng = np.random.default_rng(1)
    mentors = random_people(rng, 40, "mr", mentors=True)
    mentees = random_people(rng, 60, "me", mentors=False)
    excluded = {"me3": ["mr1", "mr2"], "me10": ["mr5"]}
    index = MentorIndex(mentors, rules)
    scores = index.score_block(mentees, excluded)
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            eligible = pair_eligible(mentee, mentor, rules, excluded.get(mentee.id, ()))
            assert (scores[i, j] >= 0) == eligible, (mentee, mentor)
            if eligible:
                assert scores[i, j] == pytest.approx(pair_score(mentee, mentor, rules, mentors), abs=1e-5)


def test_rarer_shared_interests_count_more():
    common = [Person(id=f"c{i}", interests=("music",), places=1) for i in range(8)]
    rare = Person(id="rare", interests=("astronomy",), places=1)
    mentee = Person(id="m", interests=("music", "astronomy"))
    index = MentorIndex([*common, rare], Rules())
    found, order = index.top(mentee, 3)
    assert index.ids[order[0]] == "rare"
    assert found.score[index.position["rare"]] > found.score[index.position["c0"]]


def test_reasons_add_up_to_the_score_and_name_what_is_shared():
    rng = np.random.default_rng(5)
    mentors = random_people(rng, 30, "mr", mentors=True)
    mentees = random_people(rng, 20, "me", mentors=False)
    rules = Rules(field_key="sector")
    index = MentorIndex(mentors, rules)
    for mentee in mentees:
        found = index.candidates(mentee)
        for j, mentor in enumerate(mentors):
            reasons = index.reasons(mentee, j)
            total = sum(part["contribution"] for part in reasons.values())
            raw = pair_score(mentee, mentor, rules, mentors)
            assert total == pytest.approx(raw, abs=3e-4)  # four rounded contributions
            if found.score[j] >= 0:
                assert found.score[j] == pytest.approx(raw, abs=1e-5)
            shared = {s["interest"] for s in reasons["interests"]["shared"]}
            assert shared == set(mentee.interests) & set(mentor.interests)
            assert reasons["timezone"]["gap_hours"] == pytest.approx(
                float(timezone_gap_hours(mentee.utc_offset_minutes, mentor.utc_offset_minutes)), abs=0.01)
            assert set(reasons) == {"interests", "language", "timezone", "field"}


def test_language_is_shared_by_primary_subtag():
    mentor = Person(id="a", interests=("x",), languages=("en-GB",), places=1)
    mentee = Person(id="b", interests=("x",), languages=("en",))
    index = MentorIndex([mentor], Rules())
    assert index.reasons(mentee, 0)["language"] == {"weight": 0.25, "factor": 1.0, "contribution": round(0.25 / 1.5, 4),
                                                    "shared": ["en"]}


def test_timezone_gap_is_measured_round_the_clock():
    assert float(timezone_gap_hours(12 * 60, -11 * 60)) == 1.0
    assert float(timezone_gap_hours(0, 330)) == 5.5


def test_hard_constraints_rule_out_pairs_and_recommendations_skip_them():
    vetted = Person(id="vetted", interests=("law",), vetted=True, places=1)
    unvetted = Person(id="unvetted", interests=("law", "music"), vetted=False, places=2)
    full = Person(id="full", interests=("law", "music"), vetted=True, places=0)
    declined = Person(id="declined", interests=("law", "music"), vetted=True, places=1)
    stranger = Person(id="stranger", interests=("golf",), vetted=True, places=3)
    index = MentorIndex([vetted, unvetted, full, declined, stranger], Rules())
    minor = Person(id="kid", interests=("law", "music"), is_minor=True)
    found, order = index.top(minor, 10, excluded=["declined"])
    assert [index.ids[j] for j in order] == ["vetted"]
    assert found.ineligible["mentor_not_vetted"][index.position["unvetted"]]
    assert found.ineligible["mentor_at_capacity"][index.position["full"]]
    assert found.ineligible["repeat_pair"][index.position["declined"]]
    assert found.ineligible["too_few_shared_interests"][index.position["stranger"]]
    adult = Person(id="adult", interests=("law", "music"))
    _, order = index.top(adult, 10)
    # sharing two interests beats one; equal scores in a stable order (by id)
    assert [index.ids[j] for j in order] == ["declined", "unvetted", "vetted"]


def test_a_freed_place_makes_a_full_mentor_eligible_again():
    mentor = Person(id="m", interests=("law",), places=0)
    index = MentorIndex([mentor], Rules())
    mentee = Person(id="e", interests=("law",))
    assert index.top(mentee, 5)[1].size == 0
    index.set_places(0, 1)
    assert index.top(mentee, 5)[1].tolist() == [0]


def test_pair_scores_equal_block_scores():
    rng = np.random.default_rng(9)
    mentors = random_people(rng, 50, "mr", mentors=True)
    mentees = random_people(rng, 80, "me", mentors=False)
    for rules in RULES:
        index = MentorIndex(mentors, rules)
        batch = index.batch(mentees, {"me1": ["mr0"]})
        block = batch.scores(0, batch.n)
        rows = rng.integers(0, batch.n, 500)
        cols = rng.integers(0, index.n, 500)
        assert np.allclose(batch.pair_scores(rows, cols), block[rows, cols], atol=1e-6)
