"""Mentees waiting for a mentor: those with no proposed or active match, each with how many mentors
"Find a mentor" would offer them now, so a coordinator sees who has nobody to choose from."""

from __future__ import annotations

from . import schemas
from .candidates import TenantView
from .documents import utcnow
from .domain import Candidate
from .repository import MatchingRepository

BLOCK = 500  # mentees scored at once: a (BLOCK × mentors) float32 matrix
SCAN = 2_000  # mentees a page examines at most, so one request stays short however big the organisation


def waiting_mentees(repo: MatchingRepository, view: TenantView, query: schemas.WaitingQuery) -> schemas.WaitingList:
    matched = repo.open_mentee_ids(view.tenant_id)
    waiting = sorted((p for p in view.people.values()
                      if p.role == "mentee" and p.id not in matched and (query.cursor is None or p.id > query.cursor)),
                     key=lambda p: p.id)
    items: list[schemas.WaitingMentee] = []
    for start in range(0, len(waiting), BLOCK):
        if start >= SCAN:  # a page with fewer items than asked: the next one reads on from here
            return schemas.WaitingList(items=items, next_cursor=waiting[start - 1].id)
        block = waiting[start:start + BLOCK]
        counts = mentors_to_choose(view, block)
        for mentee in block:
            if query.no_mentor and counts[mentee.id] > 0:
                continue
            items.append(schemas.WaitingMentee(mentee_id=mentee.id, programme_id=mentee.programme_id,
                                               mentors_to_choose=counts[mentee.id],
                                               awaiting_consent=mentee.awaits_consent))
            if len(items) > query.limit:  # one more than asked: there is a next page
                return schemas.WaitingList(items=items[:query.limit], next_cursor=items[query.limit - 1].mentee_id)
    return schemas.WaitingList(items=items, next_cursor=None)


def mentors_to_choose(view: TenantView, mentees: list[Candidate]) -> dict[str, int]:
    """How many mentors each mentee's recommendations would list, with no limit: the same index and
    rules (a free place, shared interests, vetting for a minor, no earlier pair)."""
    at = utcnow()
    counts: dict[str, int] = {}
    by_programme: dict[str | None, list[Candidate]] = {}
    for mentee in mentees:
        by_programme.setdefault(mentee.programme_id, []).append(mentee)
    for programme_id, group in by_programme.items():
        index = view.index(programme_id).index
        if index.n == 0:
            counts.update((m.id, 0) for m in group)
            continue
        scores = index.score_block([m.person(at) for m in group],
                                   {m.id: view.closed[m.id] for m in group if m.id in view.closed})
        counts.update(zip((m.id for m in group), (scores >= 0).sum(axis=1).tolist(), strict=True))
    return counts

