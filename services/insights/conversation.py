"""A match's conversation: messages placed in time order, their topics, and nudges followed by activity.

In order (the usual case) a message is placed from the match's last message alone. A message
older than the last one seen, or a race between two messages, re-places every message of the
match from its facts, so the counters come out as if the events had arrived in order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import domain
from .facts import CONTRIBUTE, match_context, touch
from .repository import InsightsRepository

NUDGE_CAUSES = ("RelationshipAtRisk", "MatchIdle")


def message_delivered(repo: InsightsRepository, tenant_id: str, match_id: str, message_id: str, sender_id: str,
                      at: datetime, topics: list[str]) -> tuple[bool, dict | None]:
    """Count a delivered message once. Returns whether it was new, and the match as stored after it when
    that is known without another read (None: read it again)."""
    key = f"message:{message_id}"
    match = repo.match(tenant_id, match_id)
    if match is None:
        repo.set_match(tenant_id, match_id, {})
        match = repo.match(tenant_id, match_id)
    last = domain.aware(match.get("last_message_at"))
    state = {"sender_id": sender_id, "at": at, "topics": sorted(set(topics))}
    in_order = last is None or at >= last
    if in_order:
        replied = last is not None and match.get("last_sender_id") != sender_id
        first_reply = replied and not (match.get("counters") or {}).get("replies")
        first_at = domain.aware(match.get("first_message_at"))
        state.update(placed=True, reply_seconds=(at - last).total_seconds() if replied else None,
                     first_response_seconds=(at - first_at).total_seconds() if first_reply and first_at else None)
    ctx = match_context(match)
    _, new = touch(repo, tenant_id, key, "message", {}, match_id=match_id, at=at, sender_id=sender_id,
                   ctx=ctx, replace=lambda old: old or domain.normalise_times(state))
    if not new:
        return False, None
    # The message's own counters are in by now, so the moved match is current for its health.
    after = repo.move_last_message(tenant_id, match_id, match.get("last_message_at"), at, sender_id) \
        if in_order else None
    if after is None:
        replace_messages(repo, tenant_id, match_id)
    for topic in state["topics"]:  # topic counts are organisation-wide and per programme: no match counters
        for period in (domain.week_of(at), domain.ALL):
            touch(repo, tenant_id, f"topic:{match_id}:{topic}:{period}", "topic", {}, match_id=match_id, ctx=ctx,
                  replace=lambda old, t=topic, p=period: old or {"topic": t, "period": p})
    if (match.get("counters") or {}).get("nudges_sent"):  # a nudge attributed later looks for messages itself
        _follow_nudges(repo, tenant_id, match_id, at)
        after = None  # a followed nudge changed the match's counters
    return True, after


def replace_messages(repo: InsightsRepository, tenant_id: str, match_id: str) -> None:
    """Place every message of the match again, in time order, and correct what each one adds."""
    facts = repo.facts_of_match(tenant_id, match_id, kind="message")
    ordered = [(domain.aware(f["at"]), f["sender_id"], f["_id"]) for f in facts]
    placements = domain.place_messages(ordered)
    ctx = match_context(repo.match(tenant_id, match_id))
    for fact, (reply, first) in zip(facts, placements, strict=True):
        wanted = {"placed": True, "reply_seconds": reply, "first_response_seconds": first}
        state = fact.get("state") or {}
        if not fact.get("pending") and all(state.get(k) == v for k, v in wanted.items()) and fact.get("contrib") \
                == CONTRIBUTE["message"](state, ctx):
            continue  # placed as it should be: only the messages the late one moved are written
        touch(repo, tenant_id, fact["key"], "message", {}, match_id=match_id, ctx=ctx,
              replace=lambda old, w=wanted: {**old, **w})
    if ordered:
        repo.set_match(tenant_id, match_id, {"first_message_at": ordered[0][0], "last_message_at": ordered[-1][0],
                                             "last_sender_id": ordered[-1][1]})


def _follow_nudges(repo: InsightsRepository, tenant_id: str, match_id: str, at: datetime) -> None:
    """A message within a week after a nudge means the nudge was followed by activity."""
    since = at - timedelta(days=domain.NUDGE_FOLLOW_DAYS)
    for nudge in repo.facts_of_match(tenant_id, match_id, kind="nudge", at_from=since, at_to=at):
        touch(repo, tenant_id, nudge["key"], "nudge", {"followed_at": at}, match_id=match_id)


def nudge_sent(repo: InsightsRepository, tenant_id: str, cause_event_id: str, person_id: str, at: datetime) -> None:
    """A nudge reached a person: kept against the person until we know which match it was about."""
    touch(repo, tenant_id, f"personnudge:{person_id}:{cause_event_id}", "personnudge",
          {"cause": cause_event_id}, person_id=person_id, at=at)
    attribute_nudges(repo, tenant_id, person_id)


def attribute_nudges(repo: InsightsRepository, tenant_id: str, person_id: str) -> list[str]:
    """Tie a person's nudges to the matches active when they were sent: one nudge per cause and match,
    however many people it reached. Returns the matches that got a new nudge."""
    nudges = repo.facts_of_person(tenant_id, person_id, "personnudge")
    if not nudges:
        return []
    touched = []
    for match in repo.matches_of(tenant_id, person_id):
        started = domain.parse_time(match.get("accepted_at"))
        ended = domain.aware(match.get("ended_at"))
        for nudge in nudges:
            at = domain.aware(nudge["at"])
            if started is None or at < started or (ended is not None and at > ended):
                continue
            match_id = match["match_id"]
            later = repo.facts_of_match(tenant_id, match_id, kind="message", at_from=at,
                                        at_to=at + timedelta(days=domain.NUDGE_FOLLOW_DAYS))
            partial = {"at": at, "followed_at": domain.aware(later[0]["at"]) if later else None}
            _, new = touch(repo, tenant_id, f"nudge:{nudge['state']['cause']}:{match_id}", "nudge", partial,
                           match_id=match_id, at=at)
            if new:
                touched.append(match_id)
    return touched
