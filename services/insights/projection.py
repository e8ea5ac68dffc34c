"""The projections fed by other services' events: people, matches, sessions, goals, moderation, nudges.

Each handler turns its event into a partial fact (ids and times only) and `touch`es it; the
match's health is then re-assessed. Safe to repeat, safe in any order.
"""

from __future__ import annotations

from datetime import datetime

from . import conversation, domain, health
from .facts import refold, touch
from .repository import InsightsRepository


def _status(state: dict) -> str:
    for status, field in (("ended", "ended_at"), ("declined", "declined_at"), ("active", "accepted_at")):
        if state.get(field):
            return status
    return "proposed"


def programme_created(repo: InsightsRepository, tenant_id: str, programme_id: str, name: str) -> None:
    repo.remember_programme(tenant_id, programme_id, name)


def person_registered(repo: InsightsRepository, tenant_id: str, person_id: str, role: str,
                      programme_id: str | None, at: datetime, locale: str | None = None) -> None:
    if programme_id:
        repo.remember_programme(tenant_id, programme_id)
    touch(repo, tenant_id, f"person:{person_id}", "person",
          {"registered_at": at, "role": role, "programme": programme_id or "", "locale": _said(locale, at)})


def person_updated(repo: InsightsRepository, tenant_id: str, person_id: str, locale: str | None,
                   at: datetime) -> None:
    """Only the language is kept from an update: surveys are issued in it (survey_words.py)."""
    touch(repo, tenant_id, f"person:{person_id}", "person", {"locale": _said(locale, at)})


def _said(locale: str | None, at: datetime) -> dict:
    # "" is "unset" (a None would be skipped by the merge); the latest profile event wins in any order.
    return {"value": locale or "", "at": domain.iso(at)}


def locale_of(repo: InsightsRepository, tenant_id: str, person_id: str) -> str | None:
    fact = repo.fact(tenant_id, f"person:{person_id}") or {}
    return ((fact.get("state") or {}).get("locale") or {}).get("value") or None


def match_changed(repo: InsightsRepository, tenant_id: str, event, at: datetime, stage: str, now: datetime) -> None:
    """A lifecycle event: merge its time, learn who and which programme, re-derive if newly known."""
    before = repo.match(tenant_id, event.match_id) or {}
    fields = {"mentor_id": event.mentor_id, "mentee_id": event.mentee_id}
    if hasattr(event, "programme_id") and stage in ("proposed_at", "accepted_at"):
        fields.update(programme_id=event.programme_id or "", programme_known=True)
        if event.programme_id:
            repo.remember_programme(tenant_id, event.programme_id)
    repo.set_match(tenant_id, event.match_id, fields)
    state, _ = touch(repo, tenant_id, f"match:{event.match_id}", "match", {stage: at}, match_id=event.match_id)
    repo.set_match(tenant_id, event.match_id, {"status": _status(state), "accepted_at": domain.parse_time(state.get("accepted_at")),
                                               "ended_at": domain.parse_time(state.get("ended_at"))})
    newly_known = (fields.get("programme_known") and not before.get("programme_known")) or not before.get("mentor_id")
    if newly_known:
        refold(repo, tenant_id, event.match_id)
        conversation.replace_messages(repo, tenant_id, event.match_id)
    person_stage = {"proposed_at": "matched_at", "accepted_at": "active_at", "ended_at": "ended_at"}.get(stage)
    if person_stage:
        for person_id in (event.mentor_id, event.mentee_id):
            partial = {person_stage: at}
            if person_stage != "matched_at":
                partial["matched_at"] = at  # an acceptance implies the proposal (which may arrive later)
            touch(repo, tenant_id, f"person:{person_id}", "person", partial)
    for person_id in (event.mentor_id, event.mentee_id):
        conversation.attribute_nudges(repo, tenant_id, person_id)
    refresh_health(repo, tenant_id, event.match_id, now)


def session_changed(repo: InsightsRepository, tenant_id: str, event, kind: str) -> None:
    timing = {"seq": event.sequence, "starts_at": domain.iso(event.starts_at),
              "ends_at": domain.iso(getattr(event, "ends_at", None) or event.starts_at)}
    partial: dict = {"timing": timing}
    if kind == "rescheduled":
        partial["reschedules"] = [event.sequence]
    if kind == "cancelled":
        partial = {"cancelled": True, "timing": {**timing, "seq": -1}}  # a cancellation never moves the time
    touch(repo, tenant_id, f"session:{event.session_id}", "session", partial, match_id=event.match_id,
          at=event.starts_at)


def goal_changed(repo: InsightsRepository, tenant_id: str, goal_id: str, match_id: str, field: str,
                 at: datetime, now: datetime) -> None:
    touch(repo, tenant_id, f"goal:{goal_id}", "goal", {field: at}, match_id=match_id, at=at)
    refresh_health(repo, tenant_id, match_id, now)


def message_held(repo: InsightsRepository, tenant_id: str, message_id: str, match_id: str, at: datetime) -> None:
    touch(repo, tenant_id, f"held:{message_id}", "held", {"held_at": at}, match_id=match_id, at=at)


def message_decided(repo: InsightsRepository, tenant_id: str, message_id: str, match_id: str, decision: str,
                    at: datetime) -> None:
    touch(repo, tenant_id, f"held:{message_id}", "held", {"decided_at": at, "decision": decision},
          match_id=match_id)


def message_sent(repo: InsightsRepository, tenant_id: str, event, at: datetime, now: datetime) -> None:
    new, match = conversation.message_delivered(repo, tenant_id, event.match_id, event.message_id,
                                                event.sender_id, at, list(getattr(event, "topics", []) or []))
    if new:
        refresh_health(repo, tenant_id, event.match_id, now, match)


def is_nudge(event) -> bool:
    """A notification insights counts: a reminder to a mentor or mentee about a quiet match."""
    return event.cause_event_type in conversation.NUDGE_CAUSES and event.person_id != "coordinator"


def notification_sent(repo: InsightsRepository, tenant_id: str, event, at: datetime, now: datetime) -> None:
    if not is_nudge(event):
        return
    conversation.nudge_sent(repo, tenant_id, event.cause_event_id, event.person_id, at)
    for match in repo.active_matches_of(tenant_id, event.person_id):
        refresh_health(repo, tenant_id, match["match_id"], now)


def article_read(repo: InsightsRepository, tenant_id: str, event, at: datetime) -> None:
    """A reader's first open of an article (their id stays only in the fact's key, gone on erasure)."""
    touch(repo, tenant_id, f"article:{event.article_id}", "article", {}, replace=lambda _: {"title": event.title})
    touch(repo, tenant_id, f"read:{event.article_id}:{event.reader_id}", "read",
          {"at": at, "article": event.article_id, "role": event.reader_role, "programme": event.programme_id or ""},
          person_id=event.reader_id)


def article_rated(repo: InsightsRepository, tenant_id: str, event, at: datetime) -> None:
    touch(repo, tenant_id, f"rating:{event.article_id}:{event.reader_id}", "rating",
          {"answer": {"seq": event.answer_seq, "helpful": event.helpful, "at": domain.iso(at)},
           "article": event.article_id, "programme": event.programme_id or ""}, person_id=event.reader_id)


def advice_asked(repo: InsightsRepository, tenant_id: str, event, at: datetime) -> None:
    programme = None if event.asker_role == "staff" else event.programme_id or ""
    touch(repo, tenant_id, f"question:{event.question_id}", "question",
          {"at": at, "answered": event.answered, "programme": programme})


def person_erased(repo: InsightsRepository, tenant_id: str, person_id: str) -> None:
    """Counters are anonymous and stay; the person's id goes from every match and fact that names it."""
    for match in repo.active_matches_of(tenant_id, person_id):
        repo.set_match(tenant_id, match["match_id"], {"status": "ended", "risk_pending": False, "risk_at": None})
    repo.forget_person(tenant_id, person_id)


def signals_of(match: dict) -> health.Signals | None:
    accepted = domain.parse_time(match.get("accepted_at"))
    if match.get("status") != "active" or accepted is None:
        return None
    return health.Signals(accepted_at=accepted, last_message_at=domain.aware(match.get("last_message_at")),
                          counters=match.get("counters") or {})


def refresh_health(repo: InsightsRepository, tenant_id: str, match_id: str, now: datetime,
                   match: dict | None = None) -> None:
    """Re-score the match and foresee when it will cross the line (the at-risk list reads that).
    `match`, when given, is the match as stored now."""
    match = match or repo.match(tenant_id, match_id)
    if match is None:
        return
    signals = signals_of(match)
    if signals is None:
        repo.set_match(tenant_id, match_id, {"risk_at": None, "risk_pending": False, "score": None, "reasons": []})
        return
    assessed = health.assess(signals, now)
    risk = health.risk_at(signals, now)
    spell_start = signals.last_message_at or signals.accepted_at
    announced = domain.aware(match.get("announced_at"))
    owed = risk is not None and (announced is None or announced < spell_start)
    repo.set_match(tenant_id, match_id, {"score": assessed.score, "reasons": assessed.reasons, "risk_at": risk,
                                         "risk_pending": owed})
