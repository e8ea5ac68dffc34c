"""Applying facts: merge a fact's state, and add the difference in its contributions to the counters.

`touch` is the one path every event takes, so every event is idempotent and order-tolerant in
the same way: the merged state does not change on a replay, and the contributions are always
derived from the whole merged state, never from the event alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from . import domain, reading, survey_counts
from .repository import InsightsRepository

CAS_ATTEMPTS = 30


class ConcurrentChange(Exception):
    """Another event kept changing the same fact; the event is retried by the consumer."""


def match_context(match: dict | None) -> dict:
    """What contributions need to know about a fact's match (unknown parts are None)."""
    if not match:
        return {"programme": None, "mentor_id": None}
    return {"programme": (match.get("programme_id") or "") if match.get("programme_known") else None,
            "mentor_id": match.get("mentor_id"), "mentee_id": match.get("mentee_id")}


def _sender_role(state: dict, ctx: dict) -> str | None:
    if ctx.get("mentor_id") and state.get("sender_id") == ctx["mentor_id"]:
        return "mentor"
    if ctx.get("mentee_id") and state.get("sender_id") == ctx["mentee_id"]:
        return "mentee"
    return None


def _message(state: dict, ctx: dict) -> dict:
    if not state.get("placed"):
        return {}  # not yet placed in its conversation
    facts = domain.MessageFacts(at=domain.parse_time(state["at"]), sender_role=_sender_role(state, ctx),
                                reply_seconds=state.get("reply_seconds"),
                                first_response_seconds=state.get("first_response_seconds"),
                                topics=tuple(state.get("topics") or ()))
    return domain.message_contributions(facts, ctx["programme"])


CONTRIBUTE: dict[str, Callable[[dict, dict], dict]] = {
    "message": _message,
    "topic": lambda s, ctx: domain.topic_conversation_contributions(s["topic"], s["period"], ctx["programme"]),
    "match": lambda s, ctx: domain.match_contributions(s, ctx["programme"]),
    "person": lambda s, ctx: domain.person_contributions(s),
    "session": lambda s, ctx: domain.session_contributions(s, ctx["programme"]),
    "goal": lambda s, ctx: domain.goal_contributions(s, ctx["programme"]),
    "held": lambda s, ctx: domain.held_contributions(s, ctx["programme"]),
    "nudge": lambda s, ctx: domain.nudge_contributions(s, ctx["programme"]),
    "personnudge": lambda s, ctx: {},  # counted once tied to the match it was about
    "read": lambda s, ctx: reading.read_contributions(s),
    "rating": lambda s, ctx: reading.rating_contributions(s),
    "question": lambda s, ctx: reading.question_contributions(s),
    "article": lambda s, ctx: {},  # an article's title, for reports
    "survey": lambda s, ctx: survey_counts.contributions(s),
}
RULES = {"match": domain.MATCH_RULES, "person": domain.PERSON_RULES, "session": domain.SESSION_RULES,
         "goal": domain.GOAL_RULES, "held": domain.HELD_RULES, "nudge": domain.NUDGE_RULES,
         "read": reading.READ_RULES, "rating": reading.RATING_RULES, "question": reading.QUESTION_RULES,
         "survey": survey_counts.SURVEY_RULES}


def _settle(repo: InsightsRepository, tenant_id: str, fact: dict) -> bool:
    """Apply a difference a previous attempt stored but did not get to apply; True if there was one."""
    if not fact.get("pending"):
        return False
    repo.apply(tenant_id, fact.get("match_id"), fact["pending"])
    repo.clear_pending(tenant_id, fact["key"], fact["version"])
    return True


def touch(repo: InsightsRepository, tenant_id: str, key: str, kind: str, partial: dict, *,
          match_id: str | None = None, at: datetime | None = None, sender_id: str | None = None,
          person_id: str | None = None, ctx: dict | None = None, replace: Callable[[dict], dict] | None = None) -> tuple[dict, bool]:
    """Merge `partial` into the fact (or `replace(old_state)` it) and apply what that changes.

    Returns (new state, whether anything changed)."""
    partial = domain.normalise_times(partial)
    for _ in range(CAS_ATTEMPTS):
        current = repo.fact(tenant_id, key)
        if current and _settle(repo, tenant_id, current):
            continue
        old_state = current["state"] if current else {}
        state = replace(old_state) if replace else domain.merge(old_state, partial, RULES.get(kind, {}))
        context = ctx if ctx is not None else match_context(repo.match(tenant_id, match_id) if match_id else None)
        contrib = CONTRIBUTE[kind](state, context)
        old_contrib = current["contrib"] if current else {}
        if current and state == old_state and contrib == old_contrib:
            return state, False
        delta = domain.diff(old_contrib, contrib)
        version = current["version"] if current else 0
        if repo.put_fact(tenant_id, key, kind, state=state, contrib=contrib, pending=delta, version=version,
                         match_id=match_id, at=at, sender_id=sender_id, person_id=person_id):
            repo.apply(tenant_id, match_id, delta)
            repo.clear_pending(tenant_id, key, version + 1)
            return state, True
    raise ConcurrentChange(f"fact {key} kept changing")


def refold(repo: InsightsRepository, tenant_id: str, match_id: str) -> None:
    """The match's programme or people became known: re-derive every fact of the match."""
    ctx = match_context(repo.match(tenant_id, match_id))
    for fact in repo.facts_of_match(tenant_id, match_id):
        touch(repo, tenant_id, fact["key"], fact["kind"], {}, match_id=match_id, ctx=ctx,
              replace=lambda state: state)
