"""Optimal cohort assignment: a maximum-weight b-matching solved as a min-cost flow.

    source --1--> mentee i --1, cost -score(i, j)--> mentor j --capacity_j--> sink
                  mentee i --1, cost 0 (stays unmatched)-----------------------^

Every mentee sends one unit of flow, either through a mentor (gaining the pair's score) or
straight to the sink (unmatched, gaining nothing). The minimum-cost flow is the assignment with
the largest total score that respects every mentor's capacity; pairs ruled out by a hard
constraint simply have no arc. Scores are scaled to integers (micro-points) for the solver.

Pure module: numpy and OR-Tools only. A greedy assignment and an exact brute-force/Hungarian
reference live here too, for tests and the benchmark.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

SCALE = 1_000_000  # scores are in [0, 1]; micro-points keep rounding far below any reported figure


@dataclass
class Assignment:
    mentor_of: np.ndarray  # int64 (n_mentees,): the mentor position, or -1 when unmatched
    total: float  # the sum of the chosen pairs' scores

    @property
    def matched(self) -> int:
        return int((self.mentor_of >= 0).sum())


def solve(n_mentees: int, capacities: np.ndarray, ei: np.ndarray, ej: np.ndarray, ew: np.ndarray) -> Assignment:
    """The assignment of maximum total score over the given eligible pairs (edges).

    `ei`, `ej`, `ew`: mentee position, mentor position and score of each eligible pair (each
    pair at most once). `capacities`: free places per mentor.
    """
    n_mentors = len(capacities)
    ei = np.asarray(ei, dtype=np.int64)
    ej = np.asarray(ej, dtype=np.int64)
    ew = np.asarray(ew, dtype=np.float64)
    mentor_of = np.full(n_mentees, -1, dtype=np.int64)
    if n_mentees == 0 or len(ei) == 0:
        return Assignment(mentor_of, 0.0)
    source = n_mentees + n_mentors
    sink = source + 1
    mentee_nodes = np.arange(n_mentees, dtype=np.int64)
    mentor_nodes = n_mentees + np.arange(n_mentors, dtype=np.int64)
    capacities = np.asarray(capacities, dtype=np.int64)
    tails = np.concatenate([
        np.full(n_mentees, source), ei, mentee_nodes, mentor_nodes,
    ])
    heads = np.concatenate([
        mentee_nodes, n_mentees + ej, np.full(n_mentees, sink), np.full(n_mentors, sink),
    ])
    caps = np.concatenate([
        np.ones(n_mentees, dtype=np.int64), np.ones(len(ei), dtype=np.int64),
        np.ones(n_mentees, dtype=np.int64), np.maximum(capacities, 0),
    ])
    costs = np.concatenate([
        np.zeros(n_mentees, dtype=np.int64), -np.rint(ew * SCALE).astype(np.int64),
        np.zeros(n_mentees, dtype=np.int64), np.zeros(n_mentors, dtype=np.int64),
    ])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[source] = n_mentees
    supplies[sink] = -n_mentees
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - the network always has a feasible flow
        raise RuntimeError(f"min-cost flow failed with status {status}")
    first = n_mentees
    pair_flows = flow.flows(np.arange(first, first + len(ei), dtype=np.int64))
    used = np.flatnonzero(pair_flows > 0)
    mentor_of[ei[used]] = ej[used]
    return Assignment(mentor_of, float(ew[used].sum()))


def greedy(n_mentees: int, capacities: np.ndarray, ei, ej, ew) -> Assignment:
    """Best pair first, skipping full mentors and matched mentees: what a spreadsheet would do."""
    ei = np.asarray(ei, dtype=np.int64)
    ej = np.asarray(ej, dtype=np.int64)
    ew = np.asarray(ew, dtype=np.float64)
    left = np.asarray(capacities, dtype=np.int64).copy()
    mentor_of = np.full(n_mentees, -1, dtype=np.int64)
    total = 0.0
    for e in np.argsort(-ew, kind="stable"):
        i, j = ei[e], ej[e]
        if mentor_of[i] < 0 and left[j] > 0:
            mentor_of[i] = j
            left[j] -= 1
            total += ew[e]
    return Assignment(mentor_of, float(total))


def exact_by_slots(scores: np.ndarray, capacities: np.ndarray) -> Assignment:
    """The exact optimum over a dense score matrix (negative = ineligible), via the Hungarian method.

    Each mentor is expanded into one column per place, and every mentee gets a private "unmatched"
    column worth 0, so the rectangular assignment problem is exactly the b-matching. Cheap up to a
    few thousand mentees and places; the reference the solver is checked against.
    """
    from scipy.optimize import linear_sum_assignment

    n, m = scores.shape
    capacities = np.asarray(capacities, dtype=np.int64)
    slot_owner = np.repeat(np.arange(m), np.maximum(capacities, 0))
    gain = np.where(scores >= 0, scores, -1e9)[:, slot_owner]
    unmatched = np.full((n, n), -1e9)
    np.fill_diagonal(unmatched, 0.0)
    matrix = np.hstack([gain, unmatched])
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    mentor_of = np.full(n, -1, dtype=np.int64)
    total = 0.0
    for i, c in zip(rows, cols):
        if c < len(slot_owner) and gain[i, c] > -1e8:
            mentor_of[i] = slot_owner[c]
            total += float(scores[i, slot_owner[c]])
    return Assignment(mentor_of, total)


def brute_force(scores: np.ndarray, capacities: np.ndarray) -> Assignment:
    """Every possible assignment of a tiny instance, the best kept: the slowest, surest reference."""
    n, m = scores.shape
    best_total, best = 0.0, (-1,) * n
    choices = [[-1] + [j for j in range(m) if scores[i, j] >= 0] for i in range(n)]
    for combo in itertools.product(*choices):
        load = np.zeros(m, dtype=np.int64)
        total = 0.0
        for i, j in enumerate(combo):
            if j >= 0:
                load[j] += 1
                total += float(scores[i, j])
        if (load <= capacities).all() and total > best_total + 1e-12:
            best_total, best = total, combo
    return Assignment(np.asarray(best, dtype=np.int64), best_total)


def check(assignment: Assignment, scores: np.ndarray, capacities: np.ndarray) -> None:
    """Raise if an assignment breaks a constraint: an ineligible pair, or a mentor over capacity."""
    load = np.zeros(len(capacities), dtype=np.int64)
    for i, j in enumerate(assignment.mentor_of):
        if j >= 0:
            if scores[i, j] < 0:
                raise AssertionError(f"mentee {i} assigned to ineligible mentor {j}")
            load[j] += 1
    over = np.flatnonzero(load > np.asarray(capacities))
    if len(over):
        raise AssertionError(f"mentors over capacity: {over.tolist()}")


def dual_prices(capacities: np.ndarray, ei, ej, ew, assignment: Assignment, *, lowest: bool = True,
                max_rounds: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """Optimal dual values of the restricted problem: a price per mentor place and a surplus per mentee.

    For an optimal assignment over the edges, prices p >= 0 and surpluses u >= 0 with
    u_i + p_j >= score(i, j) on every edge (equality on chosen pairs, p = 0 where places are left,
    u = 0 for unmatched mentees) exist by LP duality. They solve a system of difference
    constraints on the prices, i.e. shortest paths from a root node, found here by a vectorised
    Bellman-Ford. With them, any pair left out of the edges can be priced: it could improve the
    assignment only if score(i, j) - p_j > u_i.
    """
    capacities = np.asarray(capacities, dtype=np.int64)
    m = len(capacities)
    root = m
    ei = np.asarray(ei, dtype=np.int64)
    ej = np.asarray(ej, dtype=np.int64)
    # In the solver's integer micro-points, so the optimum it found is exactly optimal here too.
    ew = np.rint(np.asarray(ew, dtype=np.float64) * SCALE).astype(np.int64)
    mentor_of = assignment.mentor_of
    own = mentor_of[ei]
    chosen = own == ej
    own_score = np.zeros(len(mentor_of), dtype=np.int64)
    own_score[ei[chosen]] = ew[chosen]
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    matched_edge = (own >= 0) & ~chosen
    unmatched_edge = own < 0
    # Constraint x_v <= x_u + w is an arc u -> v of length w; prices are distances from the root.
    matched_mentees = np.flatnonzero(mentor_of >= 0)
    spare = np.flatnonzero(load < capacities)
    tails = np.concatenate([
        ej[matched_edge],                                  # p_own <= p_j + s_own - s_j
        np.full(len(matched_mentees), root),               # p_own <= s_own (u >= 0)
        np.full(len(spare), root),                         # p_j <= 0 where places are left
        ej[unmatched_edge],                                # 0 <= p_j - s_ij for unmatched mentees
        np.arange(m),                                      # 0 <= p_j
    ])
    heads = np.concatenate([
        own[matched_edge],
        mentor_of[matched_mentees],
        spare,
        np.full(int(unmatched_edge.sum()), root),
        np.full(m, root),
    ])
    lengths = np.concatenate([
        own_score[ei[matched_edge]] - ew[matched_edge],
        own_score[matched_mentees],
        np.zeros(len(spare), dtype=np.int64),
        -ew[unmatched_edge],
        np.zeros(m, dtype=np.int64),
    ])
    if lowest:  # the lowest prices: the same constraints on y = -p, i.e. every arc reversed
        tails, heads = heads, tails
    order = np.argsort(heads, kind="stable")
    tails, heads, lengths = tails[order], heads[order], lengths[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
    targets = heads[starts]
    unreached = np.iinfo(np.int64).max // 4
    dist = np.full(m + 1, unreached, dtype=np.int64)
    dist[root] = 0
    for _ in range(max_rounds):
        best = np.minimum.reduceat(dist[tails] + lengths, starts)
        improved = best < dist[targets]
        if not improved.any():
            break
        dist[targets[improved]] = best[improved]
    else:  # pragma: no cover - only with a non-optimal assignment (a negative cycle)
        raise RuntimeError("dual prices did not converge: the assignment is not optimal")
    dist = dist - dist[root]
    if lowest:
        prices = np.where(dist[:m] >= unreached // 2, 0, np.maximum(-dist[:m], 0))
    else:
        prices = np.where(dist[:m] >= unreached // 2, 0, np.maximum(dist[:m], 0))
    surplus = np.zeros(len(mentor_of), dtype=np.int64)
    surplus[matched_mentees] = own_score[matched_mentees] - prices[mentor_of[matched_mentees]]
    return prices / SCALE, np.maximum(surplus, 0) / SCALE
