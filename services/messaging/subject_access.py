"""Messaging's part of a subject-access export: the person's conversations and messages.

Decision (docs/decisions.md, "Subject access"): the person gets every message they wrote, whatever
became of it, and the other person's messages that were delivered to them -- they were written to
them and they have read them already. The other person's held, rejected or withdrawn messages are
not included: they never reached this person, and moderation's findings about someone else are
that person's data.
"""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Conversation, Message

CONVERSATION_FIELDS = ("id", "status", "mentor_id", "mentee_id", "programme_id", "opened_at", "ended_at",
                       "ended_reason", "paused_for")


def export_person(tenant_id: str, person_id: str) -> dict:
    conversations = []
    for role in ("mentor_id", "mentee_id"):
        conversations += [pick(c, *CONVERSATION_FIELDS) for c in
                          Conversation.raw().find({"tenant_id": tenant_id, role: person_id}).limit(EXPORT_LIMIT)]
    messages, own, received = [], 0, 0
    for conversation in conversations:
        found = Message.raw().find({"tenant_id": tenant_id, "match_id": conversation["id"]}).sort("_id", 1)
        for message in found.limit(EXPORT_LIMIT):
            if message.get("sender_id") == person_id:
                own += 1
                messages.append({**pick(message, "id", "match_id", "body", "status", "held_reasons", "created_at",
                                        "delivered_at", "card"), "from": "you",
                                 "moderation": pick(message.get("moderation") or {}, "decision", "decided_at", "reason")})
            elif message.get("status") == "delivered":
                received += 1
                messages.append({**pick(message, "id", "match_id", "body", "created_at", "delivered_at", "card"),
                                 "from": "the other person", "sender_id": message.get("sender_id")})
    summary = [(f"Messages: {plural(len(conversations), 'conversation')}, with {plural(own, 'message')} you wrote "
               f"(including any held or rejected by moderation, and why) and {plural(received, 'message')} the other "
               "person wrote to you."),
               ("Messages the other person wrote that never reached you (held or rejected by moderation) are not "
               "included: they are that person's data.")]
    return part("messaging", {"conversations": conversations, "messages": messages}, summary)
