"""Survey results from counters: what each survey adds, and the results a date range reads back.

Each survey is a fact (`survey:<id>`: its moment, programme, week of issue and, once answered, its
ratings), touched when it is issued and when it is answered (and again from its own
SurveySubmitted, in case the process stopped between the answer and the count). It adds to its
week of issue: `survey_requested:<moment>`, `survey_answered:<moment>` and, per question, the
1-5 distribution `survey_rated:<moment>:<question>:<n>` (the mean comes from it). So results
read one bucket per week, like every other report, however many surveys there were. Pure.
"""

from __future__ import annotations

from collections import Counter

from .domain import key, parse_time, scopes, week_of
from .surveys import MOMENTS, RATING_MAX, RATING_MIN

SURVEY_RULES = {"issued_at": "min"}


def contributions(state: dict) -> dict[str, float]:
    issued = parse_time(state.get("issued_at"))
    if issued is None:
        return {}  # answered before the issue was counted: it counts once the issue is
    moment, week = state["moment"], week_of(issued)
    out: Counter = Counter()
    for scope in scopes(state.get("programme") or ""):
        out[key(scope, week, f"survey_requested:{moment}")] += 1
        if state.get("ratings"):
            out[key(scope, week, f"survey_answered:{moment}")] += 1
            for question, value in state["ratings"].items():
                out[key(scope, week, f"survey_rated:{moment}:{question}:{value}")] += 1
    return dict(out)


def results(summed: dict, texts: dict[str, str]) -> dict:
    """Response rate per moment; responses, mean and distribution per (moment, question)."""
    moments = []
    for moment in MOMENTS:
        requested = int(summed.get(f"survey_requested:{moment}", 0))
        answered = int(summed.get(f"survey_answered:{moment}", 0))
        moments.append({"moment": moment, "requested": requested, "answered": answered,
                        "response_rate": round(answered / requested, 3) if requested else None})
    rated: dict[tuple[str, str], dict[str, int]] = {}
    for name, count in summed.items():
        if name.startswith("survey_rated:") and count:
            _, moment, question, value = name.split(":")
            rated.setdefault((moment, question), {str(n): 0 for n in range(RATING_MIN, RATING_MAX + 1)})[value] = int(count)
    questions = []
    for (moment, question), distribution in sorted(rated.items(), key=lambda e: (MOMENTS.index(e[0][0]), e[0][1])):
        responses = sum(distribution.values())
        mean = sum(int(n) * c for n, c in distribution.items()) / responses
        questions.append({"moment": moment, "question_id": question, "text": texts.get(question, question),
                          "responses": responses, "mean": round(mean, 2), "distribution": distribution})
    return {"moments": moments, "questions": questions}
