"""Messages another service posts for a person, through the same moderated path as the API.

The knowledge service uses it for "ask my mentor" (the person's own question, as they wrote it)
and for a mentor sharing an article (a card). Errors come back as values, not exceptions: a
refusal (not their match, match not active, rate limit, a held message) is an answer the caller
shows the person, not a fault of the call.
"""

from __future__ import annotations

from collections.abc import Callable

from ementor.platform.errors import DomainError
from ementor.platform.principal import Principal

from . import handlers
from .repository import MessagingRepository

CARD_KINDS = ("article",)


def post_for_person(repo: MessagingRepository, tenant_id: str, person_id: str, role: str, match_id: str,
                    body: str, card: dict | None, offload: Callable, hand_over: Callable) -> dict:
    if role not in ("mentor", "mentee"):
        return {"ok": False, "error": "Forbidden", "code": "role_not_allowed", "message": "only mentors and mentees post"}
    if card is not None:
        card = {"kind": str(card.get("kind")), "article_id": str(card.get("article_id")),
                "title": str(card.get("title"))[:300]}
        if card["kind"] not in CARD_KINDS:
            return {"ok": False, "error": "Invalid", "code": "bad_card", "message": "unknown card kind"}
    auth = Principal(role=role, tenant_id=tenant_id, person_id=person_id)
    body = (body or "").strip()[:4000]
    if not body:
        return {"ok": False, "error": "Invalid", "code": "validation_failed", "message": "the message is empty"}
    try:
        message, events = handlers.post_message(repo, auth, match_id, body, offload=offload, card=card)
    except DomainError as exc:
        return {"ok": False, "error": type(exc).__name__, "code": exc.code, "message": exc.message,
                "retry_after": getattr(exc, "retry_after", None)}
    hand_over(message.id, events)
    return {"ok": True, "message_id": message.id, "status": message.status}
