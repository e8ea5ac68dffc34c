"""What use of the knowledge library adds to the counters: first reads, "Was this helpful?", questions asked.

Like domain.py, pure: each fact's merged state contributes `scope|period|name` amounts. The reader's
programme comes with the event, so these facts need no match. Per-article names
(`article_reads:<id>`, `article_helpful:<id>`, `article_not_helpful:<id>`) let a report rank articles
over any range; a first read is one reader, so an article's reads over a range count people.
"""

from __future__ import annotations

from collections import Counter

from .domain import key, parse_time, scopes, week_of

READ_RULES = {"at": "min"}
RATING_RULES = {"answer": "seq"}  # the reader's latest answer wins, whatever the order of arrival
QUESTION_RULES = {"at": "min"}


def read_contributions(state: dict) -> dict[str, float]:
    at = parse_time(state.get("at"))
    if at is None:
        return {}
    out: Counter = Counter()
    for scope in scopes(state.get("programme") or ""):
        out[key(scope, week_of(at), "articles_read")] += 1
        out[key(scope, week_of(at), f"articles_read_by_{state['role']}")] += 1
        out[key(scope, week_of(at), f"article_reads:{state['article']}")] += 1
    return dict(out)


def rating_contributions(state: dict) -> dict[str, float]:
    """One reader's answer now, counted in the week they gave it."""
    answer = state.get("answer")
    if not answer:
        return {}
    week, verdict = week_of(parse_time(answer["at"])), "helpful" if answer["helpful"] else "not_helpful"
    out: Counter = Counter()
    for scope in scopes(state.get("programme") or ""):
        out[key(scope, week, f"articles_{verdict}")] += 1
        out[key(scope, week, f"article_{verdict}:{state['article']}")] += 1
    return dict(out)


def question_contributions(state: dict) -> dict[str, float]:
    at = parse_time(state.get("at"))
    if at is None:
        return {}
    out: Counter = Counter()
    for scope in scopes(state.get("programme")):  # staff's questions (no programme): the organisation's only
        out[key(scope, week_of(at), "questions_asked")] += 1
        out[key(scope, week_of(at), "questions_answered")] += int(bool(state.get("answered")))
    return {k: v for k, v in out.items() if v}
