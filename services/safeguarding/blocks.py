"""Blocks: a participant blocks the other person of a match; the match ends and they are never matched again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ementor_contracts import PersonBlocked

from ementor.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ementor.platform.principal import Principal

from . import audit, schemas
from .documents import Block
from .repository import Duplicate, SafeguardingRepository, aware

# Asks matching for the latest match between two people: a dict, or None if they never had one.
PairFacts = Callable[[str, str, str], "dict | None"]


def block(repo: SafeguardingRepository, auth: Principal, person_id: str, blocked_id: str, pair_facts: PairFacts,
          now: datetime) -> Block:
    if person_id != auth.person_id:
        raise Forbidden("you can only block people from your own account (the path's person id is yours)",
                        code="not_your_account")
    if blocked_id == person_id:
        raise Invalid("you cannot block yourself", code="cannot_block_self",
                      details=[{"field": "person_id", "message": "this is your own id"}])
    match = pair_facts(auth.tenant_id, person_id, blocked_id)
    if match is None:
        raise NotFound(f"no person {blocked_id} that you have been matched with", code="person_not_found")
    open_match = match if match["status"] in ("proposed", "active") else None
    doc = Block(tenant_id=auth.tenant_id, pair=":".join(sorted((person_id, blocked_id))), person_id=person_id,
                blocked_person_id=blocked_id, match_id=match["id"], created_at=now)
    doc.record(PersonBlocked(block_id=doc.id, person_id=person_id, blocked_person_id=blocked_id,
                             match_id=open_match["id"] if open_match else None,
                             mentor_id=match["mentor_id"], mentee_id=match["mentee_id"]))
    try:
        repo.add_block(doc)
    except Duplicate:
        raise Conflict("you have blocked this person already", code="already_blocked") from None
    audit.record(repo, auth.tenant_id, now, auth.actor, "person_blocked", doc.id,
                 {"blocked_person_id": blocked_id, "match_id": match["id"]})
    return doc


def block_view(doc: Block) -> schemas.BlockView:
    return schemas.BlockView(id=doc.id, person_id=doc.person_id, blocked_person_id=doc.blocked_person_id,
                             match_id=doc.match_id, created_at=aware(doc.created_at))
