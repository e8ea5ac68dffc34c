"""The assignment solver: exactly optimal (checked against brute force and the Hungarian method),
never breaks a constraint, and beats greedy where greedy goes wrong."""

from __future__ import annotations

import numpy as np
import pytest

from services.matching import solver

pytestmark = pytest.mark.unit


def edges_of(scores: np.ndarray):
    i, j = np.nonzero(scores >= 0)
    return i, j, scores[i, j]


def random_instance(rng, n: int, m: int, ineligible: float = 0.3):
    scores = np.round(rng.random((n, m)), 3)
    scores[rng.random((n, m)) < ineligible] = -1.0
    capacities = rng.integers(0, 3, size=m)
    return scores, capacities


@pytest.mark.parametrize("seed", range(40))
def test_solve_finds_the_brute_force_optimum_on_tiny_instances(seed):
    rng = np.random.default_rng(seed)
    scores, capacities = random_instance(rng, int(rng.integers(1, 6)), int(rng.integers(1, 4)))
    best = solver.brute_force(scores, capacities)
    found = solver.solve(len(scores), capacities, *edges_of(scores))
    assert found.total == pytest.approx(best.total, abs=1e-9)
    solver.check(found, scores, capacities)


@pytest.mark.parametrize("seed", range(5))
def test_solve_equals_the_hungarian_method_over_expanded_places(seed):
    rng = np.random.default_rng(100 + seed)
    scores, capacities = random_instance(rng, 120, 40)
    exact = solver.exact_by_slots(scores, capacities)
    found = solver.solve(len(scores), capacities, *edges_of(scores))
    assert found.total == pytest.approx(exact.total, abs=1e-6)
    solver.check(found, scores, capacities)
    solver.check(exact, scores, capacities)


def test_greedy_is_worse_than_optimal_where_the_best_pair_blocks_two_good_ones():
    # Ana's best mentor is also the only good one for Ben: greedy gives it to Ana and strands Ben.
    scores = np.array([[0.90, 0.80],
                       [0.85, 0.10]])
    capacities = np.array([1, 1])
    greedy = solver.greedy(2, capacities, *edges_of(scores))
    best = solver.solve(2, capacities, *edges_of(scores))
    assert greedy.total == pytest.approx(1.0)
    assert best.total == pytest.approx(1.65)
    assert best.mentor_of.tolist() == [1, 0]


def test_nobody_is_assigned_to_an_ineligible_pair_or_beyond_capacity():
    rng = np.random.default_rng(7)
    for _ in range(20):
        scores, capacities = random_instance(rng, 60, 15, ineligible=0.6)
        found = solver.solve(len(scores), capacities, *edges_of(scores))
        solver.check(found, scores, capacities)
        assert found.matched <= capacities.sum()


def test_the_dual_prices_certify_the_optimum():
    rng = np.random.default_rng(3)
    scores, capacities = random_instance(rng, 80, 25)
    ei, ej, ew = edges_of(scores)
    found = solver.solve(len(scores), capacities, ei, ej, ew)
    prices, surplus = solver.dual_prices(capacities, ei, ej, ew, found)
    assert (prices >= 0).all() and (surplus >= 0).all()
    slack = surplus[ei] + prices[ej] - ew
    assert slack.min() >= -1e-6  # dual feasible on every edge
    chosen = found.mentor_of[ei] == ej
    assert np.abs(slack[chosen]).max() <= 1e-6  # tight on the chosen pairs
    dual_objective = surplus.sum() + float(np.dot(prices, capacities))
    assert dual_objective == pytest.approx(found.total, abs=1e-4)  # strong duality: nothing better exists


def test_empty_problems_have_empty_answers():
    assert solver.solve(0, np.array([1]), [], [], []).total == 0.0
    assert solver.solve(3, np.array([], dtype=int), [], [], []).mentor_of.tolist() == [-1, -1, -1]
