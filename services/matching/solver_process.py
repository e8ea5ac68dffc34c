"""The cohort solver as its own process: `python -m services.matching.solver_process`.

A matching run is seconds of numpy and OR-Tools work; in the service it would stall the eventlet
hub (every request and event of the replica would wait). The service starts this module as a
child process through eventlet's green subprocess, writes the problem to its stdin (a pickle:
the child is our own code, never fed by a client), and reads JSON lines back: progress while it
works, then the result. The child runs without eventlet, so numpy and BLAS use real threads.
"""

from __future__ import annotations

import os

# The passes run on one thread per core; BLAS must not start its own threads on top of them.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json
import pickle
import sys
import time
from dataclasses import dataclass, field

from .cohort import plan
from .scoring import Person, Rules


@dataclass
class Problem:
    mentees: list[Person]
    mentors: list[Person]  # places = free places
    rules: Rules
    excluded_pairs: dict[str, list[str]] = field(default_factory=dict)
    options: dict = field(default_factory=dict)


def solve(problem: Problem, emit) -> dict:
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.25:
            last[0] = now
            emit({"progress": {"stage": stage, "fraction": round(float(fraction), 3)}})

    options = {"workers": os.cpu_count() or 1, **problem.options}
    result = plan(problem.mentees, problem.mentors, problem.rules, excluded_pairs=problem.excluded_pairs,
                  progress=progress, **options)
    emit({"progress": {"stage": "explaining", "fraction": 0.0}})
    started = time.perf_counter()
    mentees = {m.id: m for m in problem.mentees}
    index = result.index
    pairs = []
    for mentee_id, mentor_id, score in result.pairs:
        reasons = index.explainer(mentees[mentee_id]).reasons(index.position[mentor_id]) if index is not None else {}
        pairs.append({"mentee_id": mentee_id, "mentor_id": mentor_id, "score": score, "reasons": reasons})
    timings = dict(result.timings)
    timings["reasons_s"] = time.perf_counter() - started
    return {
        "pairs": pairs,
        "unmatched": result.unmatched,
        "total_score": result.total_score,
        "upper_bound": result.upper_bound,
        "optimal": result.optimal,
        "rounds": result.rounds,
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }


def main() -> int:
    problem: Problem = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout

    def emit(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    emit({"result": solve(problem, emit)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
