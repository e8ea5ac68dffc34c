"""Cohort runs end to end in memory: the exact optimum over all pairs, explained misses."""

from __future__ import annotations

import numpy as np
import pytest

from bench.matching_data import cohort as synthetic_cohort
from services.matching import cohort, solver
from services.matching.scoring import MentorIndex, Person, Rules

pytestmark = pytest.mark.unit


def exact_optimum(mentees, mentors, rules, excluded=None) -> float:
    index = MentorIndex([m for m in mentors if m.places > 0], rules)
    scores = index.score_block(mentees, excluded).astype(np.float64)
    return solver.exact_by_slots(scores, index.places).total


@pytest.mark.parametrize("k", [1, 4, 16])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_run_reaches_the_exact_optimum_over_all_pairs(seed, k):
    mentees, mentors = synthetic_cohort(300, 90, n_tags=40, seed=seed)
    rules = Rules(field_key="sector")
    result = cohort.plan(mentees, mentors, rules, k=k, max_rounds=20, target_gap=0.0)
    assert result.optimal  # pricing proved it...
    assert result.total_score == pytest.approx(exact_optimum(mentees, mentors, rules), abs=1e-3)  # ...and it is
    # the proof's own slack: under 2e-5 a mentee (float32 scores, the 16-bit cache's rounding)
    assert result.total_score <= result.upper_bound <= result.total_score + 2e-5 * len(mentees)


def test_short_candidate_lists_alone_lose_quality_that_pricing_wins_back():
    mentees, mentors = synthetic_cohort(400, 120, n_tags=40, seed=4)
    rules = Rules()
    exact = exact_optimum(mentees, mentors, rules)
    short = cohort.plan(mentees, mentors, rules, k=2, max_rounds=0)
    priced = cohort.plan(mentees, mentors, rules, k=2, max_rounds=20, target_gap=0.0)
    assert short.total_score < exact - 1.0
    assert priced.total_score == pytest.approx(exact, abs=1e-3)


def test_the_run_beats_greedy_and_never_breaks_a_constraint():
    mentees, mentors = synthetic_cohort(300, 90, n_tags=30, seed=5)
    rules = Rules(field_key="sector", min_shared_interests=1)
    excluded = {mentees[0].id: [mentors[0].id, mentors[1].id]}
    result = cohort.plan(mentees, mentors, rules, excluded_pairs=excluded)
    index = MentorIndex([m for m in mentors if m.places > 0], rules)
    scores = index.score_block(mentees, excluded)
    ei, ej = np.nonzero(scores >= 0)
    greedy = solver.greedy(len(mentees), index.places, ei, ej, scores[ei, ej])
    assert result.total_score > greedy.total
    by_id = {m.id: m for m in mentors}
    load: dict[str, int] = {}
    mentee_of = {m.id: m for m in mentees}
    for mentee_id, mentor_id, score in result.pairs:
        mentee, mentor = mentee_of[mentee_id], by_id[mentor_id]
        load[mentor_id] = load.get(mentor_id, 0) + 1
        assert set(mentee.interests) & set(mentor.interests)
        assert mentor.vetted or not mentee.is_minor
        assert mentor_id not in excluded.get(mentee_id, [])
        assert score == pytest.approx(scores[mentees.index(mentee), index.position[mentor_id]], abs=1e-6)
    assert all(load[m] <= by_id[m].places for m in load)
    assert len({p[0] for p in result.pairs}) == len(result.pairs)


def test_the_score_cache_changes_nothing_but_speed():
    mentees, mentors = synthetic_cohort(500, 150, n_tags=50, seed=6)
    with_cache = cohort.plan(mentees, mentors, Rules(), use_cache=True, target_gap=0.0, max_rounds=20)
    without = cohort.plan(mentees, mentors, Rules(), use_cache=False, target_gap=0.0, max_rounds=20)
    assert with_cache.total_score == pytest.approx(without.total_score, abs=1e-4)
    assert with_cache.optimal and without.optimal


def test_every_unmatched_mentee_gets_the_reason():
    mentors = [
        Person(id="law-unvetted", interests=("law",), places=1),
        Person(id="music", interests=("music",), vetted=True, places=1),
        Person(id="chess", interests=("chess",), vetted=True, places=1),
    ]
    mentees = [
        Person(id="a-minor", interests=("law",), is_minor=True),  # only an unvetted mentor shares law
        Person(id="b-golf", interests=("golf",)),  # nobody shares golf
        Person(id="c-music", interests=("music",)),
        Person(id="d-music", interests=("music",)),  # one music place, two music mentees
        Person(id="e-chess", interests=("chess",)),  # declined chess before
    ]
    result = cohort.plan(mentees, mentors, Rules(), excluded_pairs={"e-chess": ["chess"]})
    reasons = {u["mentee_id"]: u["reason"] for u in result.unmatched}
    assert reasons == {"a-minor": "no_vetted_mentor", "b-golf": "no_shared_interests", "d-music": "mentors_full",
                       "e-chess": "repeat_pair"} or reasons == {
        "a-minor": "no_vetted_mentor", "b-golf": "no_shared_interests", "c-music": "mentors_full",
        "e-chess": "repeat_pair"}
    assert len(result.pairs) == 1 and result.pairs[0][1] == "music"
    nobody = cohort.plan(mentees[:2], [], Rules())
    assert {u["reason"] for u in nobody.unmatched} == {"no_mentors"}


def test_an_empty_cohort_is_an_empty_optimal_plan():
    result = cohort.plan([], [Person(id="m", interests=("x",), places=2)], Rules())
    assert result.pairs == [] and result.unmatched == [] and result.total_score == 0.0 and result.optimal
