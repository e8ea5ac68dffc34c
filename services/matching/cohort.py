# Over 400 lines on purpose: the two passes and the column-generation loop share the block layout and caches.
"""A cohort run from loaded candidates to its assignment: pure, no nameko, no MongoDB.

The optimum over *all* mentee-mentor pairs is found without handing all pairs to the solver:

1. Score every mentee against every mentor with a free place, a block of mentees at a time;
   keep each mentee's best `k` eligible mentors as candidate pairs, and keep every score in a
   compact 16-bit cache (when it fits the memory budget; otherwise scores are recomputed).
2. Solve the maximum-score assignment over the candidate pairs exactly (`solver.solve`).
3. Price every pair left out (column generation): with the optimal dual values of step 2 -- a
   price per mentor place, a surplus per mentee -- a left-out pair can only improve the result
   if score - price > surplus. Add the most promising such pairs per mentee and solve again.
   When no pair prices out, the assignment is the exact optimum over all pairs and the duals
   prove it; before that, they still bound the optimum from above (`Plan.upper_bound`).

A short candidate list alone loses quality as cohorts grow -- popular mentors are on every
list while others are on none, so their places go unused -- and pricing repairs exactly that
(docs/matching.md has the measurements).
"""

from __future__ import annotations

import math
import mmap
import multiprocessing as mp
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import solver
from .scoring import MenteeBatch, MentorIndex, Person, Rules

DEFAULT_K = 16  # candidate mentors per mentee in the first pass
PER_ROW = 8  # left-out pairs added per mentee in each pricing round
MAX_ROUNDS = 3  # pricing rounds at most
TARGET_GAP = 1e-4  # stop once the total is proven within 0.01 % of the optimum over all pairs
TOLERANCE = 1e-5  # a pair must price out by more than this (scores are float32)
BLOCK_ROWS = 512
PRUNE = 0.05  # between rounds, drop candidate pairs whose reduced score is below -PRUNE
CACHE_BUDGET_BYTES = 400 * 2**20  # the 16-bit score cache is used when it fits in this
QUANTUM = 1.0 / 65534  # cache: 0 = ruled out, 1 + round(score / QUANTUM) otherwise
HALF_QUANTUM = QUANTUM / 2 + 1e-7

REASONS = {
    "no_mentors": "no mentor in the programme has a free place",
    "no_shared_interests": "no mentor with a free place shares enough interests",
    "no_vetted_mentor": "a minor: no vetted mentor with a free place shares enough interests",
    "repeat_pair": "the only suitable mentors were declined or ended before",
    "mentors_full": "every suitable mentor's places went to mentees they suit better",
}

Progress = Callable[[str, float], None]


@dataclass
class Edges:
    mentee: np.ndarray  # int64 batch rows
    mentor: np.ndarray  # int64 mentor positions
    score: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.mentee)

    @staticmethod
    def empty() -> Edges:
        return Edges(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))

    @staticmethod
    def concat(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Edges:
        if not parts:
            return Edges.empty()
        return Edges(np.concatenate([p[0] for p in parts]).astype(np.int64),
                     np.concatenate([p[1] for p in parts]).astype(np.int64),
                     np.concatenate([p[2] for p in parts]).astype(np.float32))

    def merged(self, other: Edges, n_mentors: int) -> Edges:
        mentee = np.concatenate([self.mentee, other.mentee])
        mentor = np.concatenate([self.mentor, other.mentor])
        score = np.concatenate([self.score, other.score])
        _, unique = np.unique(mentee * n_mentors + mentor, return_index=True)
        return Edges(mentee[unique], mentor[unique], score[unique])


@dataclass
class Plan:
    pairs: list[tuple[str, str, float]]  # (mentee id, mentor id, score), best first
    unmatched: list[dict]  # {"mentee_id", "reason", "message", "eligible_mentors"}
    total_score: float
    upper_bound: float  # no assignment over all pairs scores more (LP duality); inf if unpriced
    optimal: bool  # proven optimal over all pairs
    rounds: int = 0
    edges: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    index: MentorIndex | None = field(default=None, repr=False)  # the mentors it was solved over



def _blocks(n: int, block_rows: int):
    for start in range(0, n, block_rows):
        yield start, min(n, start + block_rows)


class ScoreCache:
    """Every pair's score in 16 bits (error < 8e-6), so pricing rounds need no rescoring.

    With `shared=True` the codes live in an anonymous shared mapping, so processes forked later
    (the parallel passes) read and write the same cache.
    """

    def __init__(self, n: int, m: int, shared: bool = False):
        if shared and n * m:
            self._buffer = mmap.mmap(-1, n * m * 2)
            self.codes = np.frombuffer(self._buffer, dtype=np.uint16).reshape(n, m)
        else:
            self.codes = np.zeros((n, m), dtype=np.uint16)

    @staticmethod
    def fits(n: int, m: int, budget: int = CACHE_BUDGET_BYTES) -> bool:
        return n * m * 2 <= budget

    def store(self, start: int, scores: np.ndarray) -> None:
        # code = 1 + round(score / QUANTUM) = trunc(score / QUANTUM + 1.5); ruled out (< 0) -> 0
        codes = scores * np.float32(1.0 / QUANTUM)
        codes += np.float32(1.5)
        np.maximum(codes, np.float32(0.0), out=codes)
        np.copyto(self.codes[start:start + len(scores)], codes, casting="unsafe")


# -- the two passes over all pairs, block by block ---------------------------------------------------
def _top_block(batch: MenteeBatch, cache: ScoreCache | None, start: int, stop: int, k: int):
    """Rows [start, stop): each row's best k eligible mentors; their scores into the cache."""
    m = batch.index.n
    scores = batch.scores(start, stop)
    if cache is not None:
        cache.store(start, scores)
    if 0 < k < m:
        kth = np.maximum(np.partition(scores, m - k, axis=1)[:, m - k], 0.0)
        flat = np.flatnonzero(scores >= kth[:, None])
        rows, cols = np.divmod(flat, m)
        values = scores.ravel()[flat]
        keep = _first_k_per_row(rows, values, kth, k)
        rows, cols, values = rows[keep], cols[keep], values[keep]
    else:
        flat = np.flatnonzero(scores >= 0)
        rows, cols = np.divmod(flat, m)
        values = scores.ravel()[flat]
    return rows + start, cols, values


def _price_block(batch: MenteeBatch, cache: ScoreCache | None, start: int, stop: int, prices: np.ndarray,
                 surplus: np.ndarray, per_row: int, tolerance: float):
    """Rows [start, stop): the pairs that price out (best per_row a row), and the rows' bound excess."""
    m = batch.index.n
    p32 = prices.astype(np.float32)
    if cache is not None:  # in cache units: an upper bound of score_ij - p_j is QUANTUM * (code_ij - c_j) + lift
        c = (prices / QUANTUM).astype(np.float32)
        lift = HALF_QUANTUM - QUANTUM
        need = ((surplus[start:stop] + tolerance - lift) / QUANTUM).astype(np.float32)[:, None]
        slack = np.float32(2 * HALF_QUANTUM / QUANTUM)
        gain = cache.codes[start:stop].astype(np.float32)
    else:
        c, slack = p32, np.float32(0.0)
        need = (surplus[start:stop] + tolerance).astype(np.float32)[:, None]
        gain = batch.scores(start, stop)
    gain -= c[None, :]  # (an upper bound of) score - price
    flat = np.flatnonzero(gain > need)
    if len(flat) > 2 * per_row * (stop - start) and per_row < m:
        # many pairs price out (early rounds): only each mentee's best per_row (give or take the
        # cache's error) can be chosen below, so rank each row once rather than every candidate
        kth = np.partition(gain, m - per_row, axis=1)[:, m - per_row]
        flat = np.flatnonzero((gain > need) & (gain >= (kth - slack)[:, None]))
    if not len(flat):
        return None
    rows, cols = np.divmod(flat, m)
    exact = batch.pair_scores(rows + start, cols) if cache is not None else gain.ravel()[flat] + p32[cols]
    gains = exact - p32[cols] - surplus[start + rows].astype(np.float32)
    real = gains > tolerance
    rows, cols, gains, exact = rows[real], cols[real], gains[real], exact[real]
    order = np.lexsort((-gains, rows))
    rows, cols, gains, exact = rows[order], cols[order], gains[order], exact[order]
    first = np.searchsorted(rows, rows, side="left")
    keep = (np.arange(len(rows)) - first) < per_row
    best = np.zeros(stop - start)  # each row's largest gain over its surplus (0 if none)
    np.maximum.at(best, rows, gains.astype(np.float64))
    return rows[keep] + start, cols[keep], exact[keep], float((best - tolerance).clip(min=0).sum())


_FORKED: tuple | None = None  # (batch, cache) inherited by forked pass workers


def _forked_block(task):
    name, start, stop, args = task
    batch, cache = _FORKED
    return (_top_block if name == "top" else _price_block)(batch, cache, start, stop, *args)


class Passes:
    """Runs the passes over all pairs: here, or on forked processes sharing the batch and the cache.

    numpy holds the GIL through most of this work, so threads would not help; processes forked
    after the batch is built share it (copy-on-write) and the cache (a shared mapping) for free.
    Only used in a process without eventlet (the solver worker, benchmarks).
    """

    def __init__(self, batch: MenteeBatch, cache: ScoreCache | None, block_rows: int, workers: int):
        global _FORKED
        self.batch, self.cache, self.block_rows = batch, cache, block_rows
        self.pool = None
        if workers > 1 and batch.n > block_rows and "fork" in mp.get_all_start_methods():
            _FORKED = (batch, cache)
            self.pool = mp.get_context("fork").Pool(workers)

    def run(self, name: str, args: tuple, progress: Progress | None, stage: str) -> list:
        blocks = list(_blocks(self.batch.n, self.block_rows))
        if self.pool is not None:
            results = self.pool.imap(_forked_block, [(name, start, stop, args) for start, stop in blocks])
        else:
            work = _top_block if name == "top" else _price_block
            results = (work(self.batch, self.cache, start, stop, *args) for start, stop in blocks)
        out = []
        for done, result in enumerate(results, 1):
            out.append(result)
            if progress:
                progress(stage, done / len(blocks))
        return out

    def close(self) -> None:
        global _FORKED
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None
        _FORKED = None


def _first_k_per_row(rows: np.ndarray, values: np.ndarray, kth: np.ndarray, k: int) -> np.ndarray:
    """Of row-major candidates at or above each row's k-th value, keep exactly k a row (ties by column)."""
    above = values > kth[rows]
    room = k - np.bincount(rows[above], minlength=len(kth))
    ties = np.flatnonzero(~above)
    tie_rows = rows[ties]
    rank = np.arange(len(ties)) - np.searchsorted(tie_rows, tie_rows, side="left")
    keep = above.copy()
    keep[ties[rank < room[tie_rows]]] = True
    return keep


def top_candidates(batch: MenteeBatch, k: int, *, cache: ScoreCache | None = None, block_rows: int = BLOCK_ROWS,
                   progress: Progress | None = None, passes: Passes | None = None) -> Edges:
    """Each mentee's best k eligible mentors; fills `cache` with every score on the way."""
    if batch.n == 0 or batch.index.n == 0:
        return Edges.empty()
    passes = passes or Passes(batch, cache, block_rows, 1)
    return Edges.concat(passes.run("top", (k,), progress, "scoring"))


def price(batch: MenteeBatch, prices: np.ndarray, surplus: np.ndarray, capacities: np.ndarray, *,
          cache: ScoreCache | None = None, per_row: int = PER_ROW, tolerance: float = TOLERANCE,
          block_rows: int = BLOCK_ROWS, progress: Progress | None = None,
          passes: Passes | None = None) -> tuple[float, Edges]:
    """(An upper bound on the optimum over all pairs, the left-out pairs that price out).

    For any prices p >= 0, sum_j capacity_j * p_j + sum_i max(0, max_j score_ij - p_j) bounds
    every assignment's total from above (weak LP duality). A row with no pair pricing out has
    max_j score_ij - p_j <= surplus_i + tolerance, so it adds at most that; a row with some adds its
    best pair's exact value. With the restricted problem's optimal duals the bound meets the
    assignment's total (up to the tolerance) exactly when no pair prices out.
    """
    passes = passes or Passes(batch, cache, block_rows, 1)
    found = [r for r in passes.run("price", (prices, surplus, per_row, tolerance), progress, "pricing")
             if r is not None]
    bound = float(np.dot(capacities.astype(np.float64), prices)) + float(surplus.sum()) + tolerance * batch.n
    bound += sum(r[3] for r in found)
    return bound, Edges.concat([r[:3] for r in found])


@dataclass
class Solution:
    assignment: solver.Assignment
    edges: Edges
    upper_bound: float
    optimal: bool
    rounds: int


def optimise(batch: MenteeBatch, capacities: np.ndarray, *, k: int = DEFAULT_K, max_rounds: int = MAX_ROUNDS,
             per_row: int = PER_ROW, target_gap: float = TARGET_GAP, use_cache: bool | None = None,
             prune: float | None = PRUNE, block_rows: int = BLOCK_ROWS, workers: int = 1,
             progress: Progress | None = None, timings: dict[str, float] | None = None) -> Solution:
    """Column generation: candidates, solve, price the rest, repeat until proven or good enough.

    Stops when no left-out pair prices out (optimal), when the proven gap is at most
    `target_gap`, or after `max_rounds` pricing rounds (then with a final pricing pass that
    only bounds the result).
    """
    timings = {} if timings is None else timings
    for key in ("scoring_s", "solving_s", "duals_s", "pricing_s"):
        timings.setdefault(key, 0.0)
    n, m = batch.n, batch.index.n
    if use_cache is None:
        use_cache = ScoreCache.fits(n, m)
    cache = ScoreCache(n, m, shared=workers > 1) if use_cache and n and m else None
    passes = Passes(batch, cache, block_rows, workers)
    try:
        return _optimise(batch, capacities, cache, passes, k=k, max_rounds=max_rounds, per_row=per_row,
                         target_gap=target_gap, prune=prune, block_rows=block_rows, progress=progress,
                         timings=timings)
    finally:
        passes.close()


def _optimise(batch: MenteeBatch, capacities: np.ndarray, cache: ScoreCache | None, passes: Passes, *, k: int,
              max_rounds: int, per_row: int, target_gap: float, prune: float | None, block_rows: int,
              progress: Progress | None, timings: dict[str, float]) -> Solution:
    n, m = batch.n, batch.index.n
    t = time.perf_counter()
    edges = top_candidates(batch, k, cache=cache, block_rows=block_rows, progress=progress, passes=passes)
    timings["scoring_s"] += time.perf_counter() - t
    upper_bound, optimal, rounds = math.inf, False, 0
    assignment = None
    while True:
        t = time.perf_counter()
        if progress:
            progress("solving", rounds / (max_rounds + 1))
        assignment = solver.solve(n, capacities, edges.mentee, edges.mentor, edges.score)
        timings["solving_s"] += time.perf_counter() - t
        if n == 0 or m == 0:
            return Solution(assignment, edges, 0.0, True, rounds)
        t = time.perf_counter()
        duals, surplus = solver.dual_prices(capacities, edges.mentee, edges.mentor, edges.score, assignment)
        timings["duals_s"] += time.perf_counter() - t
        t = time.perf_counter()
        bound, extra = price(batch, duals, surplus, capacities, cache=cache, per_row=per_row, block_rows=block_rows,
                             progress=progress, passes=passes)
        timings["pricing_s"] += time.perf_counter() - t
        upper_bound = min(upper_bound, max(bound, assignment.total))
        if len(extra) == 0:
            optimal = True
            break
        if upper_bound > 0 and (upper_bound - assignment.total) / upper_bound <= target_gap:
            break
        if rounds >= max_rounds:
            break
        rounds += 1
        if prune is not None:
            # Columns far from pricing in (reduced score well below 0) are dropped to keep the
            # solver fast; if one is needed after all, pricing finds it again.
            reduced = edges.score - duals[edges.mentor] - surplus[edges.mentee]
            kept = reduced >= -prune
            edges = Edges(edges.mentee[kept], edges.mentor[kept], edges.score[kept])
        edges = edges.merged(extra, m)
    return Solution(assignment, edges, upper_bound, optimal, rounds)


def explain_unmatched(index: MentorIndex, mentee: Person, excluded: Sequence[str] = ()) -> dict:
    found = index.candidates(mentee, excluded)
    has_place = ~found.ineligible["mentor_at_capacity"]
    shares = has_place & ~found.ineligible["too_few_shared_interests"]
    safe = shares & ~found.ineligible["mentor_not_vetted"]
    fresh = safe & ~found.ineligible["repeat_pair"]
    if not has_place.any():
        reason = "no_mentors"
    elif not shares.any():
        reason = "no_shared_interests"
    elif not safe.any():
        reason = "no_vetted_mentor"
    elif not fresh.any():
        reason = "repeat_pair"
    else:
        reason = "mentors_full"
    return {"mentee_id": mentee.id, "reason": reason, "message": REASONS[reason],
            "eligible_mentors": int(fresh.sum())}


def plan(mentees: Sequence[Person], mentors: Sequence[Person], rules: Rules, *,
         excluded_pairs: Mapping[str, Sequence[str]] | None = None, k: int = DEFAULT_K,
         max_rounds: int = MAX_ROUNDS, per_row: int = PER_ROW, target_gap: float = TARGET_GAP,
         use_cache: bool | None = None, prune: float | None = PRUNE, block_rows: int = BLOCK_ROWS,
         workers: int = 1, progress: Progress | None = None) -> Plan:
    """The assignment of `mentees` to `mentors` (whose `places` are their free places) of maximum
    total score, with a proven bound on how far below the optimum over all pairs it can be."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    excluded_pairs = excluded_pairs or {}
    index = MentorIndex([m for m in mentors if m.places > 0], rules)
    batch = index.batch(mentees, excluded_pairs)
    timings["prepare_s"] = time.perf_counter() - started
    found = optimise(batch, index.places, k=k, max_rounds=max_rounds, per_row=per_row, target_gap=target_gap,
                     use_cache=use_cache, prune=prune, block_rows=block_rows, workers=workers, progress=progress,
                     timings=timings)

    t = time.perf_counter()
    assignment, edges = found.assignment, found.edges
    chosen = assignment.mentor_of[edges.mentee] == edges.mentor
    score_of = np.zeros(batch.n, dtype=np.float64)
    score_of[edges.mentee[chosen]] = edges.score[chosen]
    pairs, unmatched = [], []
    for row, j in enumerate(assignment.mentor_of.tolist()):
        mentee = mentees[int(batch.order[row])]
        if j >= 0:
            pairs.append((mentee.id, index.ids[j], float(score_of[row])))
        else:
            unmatched.append(explain_unmatched(index, mentee, excluded_pairs.get(mentee.id, ())))
    pairs.sort(key=lambda p: (-p[2], p[0]))
    unmatched.sort(key=lambda u: u["mentee_id"])
    timings["explaining_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started
    total = float(sum(p[2] for p in pairs))
    return Plan(pairs=pairs, unmatched=unmatched, total_score=total,
                upper_bound=max(found.upper_bound, total), optimal=found.optimal, rounds=found.rounds,
                edges=len(edges), timings=timings, index=index)
