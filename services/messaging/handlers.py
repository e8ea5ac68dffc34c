"""The messaging use cases: plain functions over the repository, called by the entrypoints."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from ementor_contracts import (
    COORDINATOR,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    MessageApproved,
    MessageHeld,
    MessageRejected,
    MessageSent,
)

from ementor.platform.errors import Conflict, Invalid, NotFound, RateLimited
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal

from . import domain, moderation, retention, schemas, topic_settings
from .documents import Conversation, Message, Moderation, utcnow
from .repository import MessagingRepository, NewMessage, Pending

log = logging.getLogger(__name__)

SYSTEM = "system"
GUARDIAN_CONSENT = "guardian_consent"  # the pause reason while a minor's guardian consent is not granted
AUDIT_REPAIR_AFTER = timedelta(seconds=30)

# Answers "is this person a minor?" from the profiles service: True/False, or None if it cannot say.
MinorLookup = Callable[[str, str], "bool | None"]


# -- the match lifecycle, from matching's events ---------------------------------------------------
def _identity(event) -> dict:
    return {"mentor_id": event.mentor_id, "mentee_id": event.mentee_id,
            "programme_id": getattr(event, "programme_id", None)}


def match_proposed(repo: MessagingRepository, tenant_id: str, event: MatchProposed) -> None:
    repo.advance_conversation(tenant_id, event.match_id, "proposed", fields={}, on_insert=_identity(event))


def match_declined(repo: MessagingRepository, tenant_id: str, event: MatchDeclined) -> None:
    repo.advance_conversation(tenant_id, event.match_id, "declined", fields={}, on_insert=_identity(event))


def match_accepted(repo: MessagingRepository, tenant_id: str, event: MatchAccepted, at: datetime,
                   lookup_minor: MinorLookup) -> None:
    """Open the conversation, with the moderation policy the mentee's age calls for.

    Whether the mentee is a minor comes from our projection of profile events; if we never saw
    their profile we ask the profiles service, and if it cannot answer we assume a minor: the
    strict policy is the safe default, and the next profile event corrects it.
    """
    known = repo.participants(tenant_id, [event.mentor_id, event.mentee_id])
    erased = any(p.erased for p in known.values())
    mentee = known.get(event.mentee_id)
    if mentee is not None and mentee.is_minor is not None:
        minor, source = mentee.is_minor, "profile"
    else:
        answer = None if erased else lookup_minor(tenant_id, event.mentee_id)
        if answer is None:
            minor, source = True, "assumed"
            log.warning("match %s: profiles could not say whether mentee %s is a minor; assuming so",
                        event.match_id, event.mentee_id)
        else:
            minor, source = answer, "profile"
            repo.apply_profile(tenant_id, event.mentee_id, role="mentee", is_minor=answer, as_of=utcnow())
    fields = {**_identity(event), "opened_at": at, "mentee_is_minor": minor, "minor_source": source}
    if erased:
        repo.advance_conversation(tenant_id, event.match_id, "ended", on_insert={},
                                  fields={**fields, "ended_at": at, "ended_reason": "person_erased"})
        return
    repo.advance_conversation(tenant_id, event.match_id, "active", fields=fields, on_insert={})
    # A profile event may have been applied between our read and our write: read it again.
    latest = repo.participants(tenant_id, [event.mentee_id]).get(event.mentee_id)
    if latest is not None and latest.is_minor is not None and latest.is_minor != minor:
        repo.set_mentee_minor(tenant_id, event.mentee_id, latest.is_minor, match_id=event.match_id)
    if latest is not None and latest.guardian_consent is not None:
        repo.set_paused(tenant_id, event.mentee_id, GUARDIAN_CONSENT,
                        domain.paused_for_consent(latest.guardian_consent), match_id=event.match_id)


def match_ended(repo: MessagingRepository, tenant_id: str, event: MatchEnded, at: datetime) -> None:
    repo.advance_conversation(tenant_id, event.match_id, "ended", on_insert=_identity(event),
                              fields={"ended_at": at, "retention_due": True,
                                      "ended_reason": event.reason or f"ended by {event.ended_by}"})
    retention.store().learn(tenant_id, None)  # the organisation is known to the retention job from now on


def match_learned(repo: MessagingRepository, tenant_id: str, match: dict, at: datetime,
                  lookup_minor: MinorLookup) -> None:
    """Record a match matching told us of over RPC, as its lifecycle event will when it arrives.

    Between a proposal and its event reaching us, a request about the match would otherwise get
    404; the event, when it comes, finds the conversation already at its status (a no-op).
    """
    identity = {"mentor_id": match["mentor_id"], "mentee_id": match["mentee_id"],
                "programme_id": match.get("programme_id")}
    status = match["status"]
    if status in ("active", "ended"):
        accepted = MatchAccepted(match_id=match["id"], mentor_id=match["mentor_id"], mentee_id=match["mentee_id"],
                                 programme_id=match.get("programme_id"))
        match_accepted(repo, tenant_id, accepted, at, lookup_minor)
    if status == "ended":
        repo.advance_conversation(tenant_id, match["id"], "ended", on_insert=identity,
                                  fields={"ended_at": at, "retention_due": True,
                                          "ended_reason": match.get("end_reason") or "ended"})
    elif status in ("proposed", "declined"):
        repo.advance_conversation(tenant_id, match["id"], status, fields={}, on_insert=identity)


def profile_changed(repo: MessagingRepository, tenant_id: str, *, person_id: str, role: str, is_minor: bool,
                    at: datetime) -> None:
    """Keep whether each person is a minor; a change applies to their open conversations at once."""
    if repo.apply_profile(tenant_id, person_id, role=role, is_minor=is_minor, as_of=at) and role == "mentee":
        repo.set_mentee_minor(tenant_id, person_id, is_minor)


def guardian_consent_changed(repo: MessagingRepository, tenant_id: str, person_id: str, state: str,
                             at: datetime) -> None:
    """A minor's conversations are paused until their guardian's consent is granted (withdrawal: at once)."""
    if repo.apply_consent(tenant_id, person_id, state, at):
        repo.set_paused(tenant_id, person_id, GUARDIAN_CONSENT, domain.paused_for_consent(state))


def person_erased(repo: MessagingRepository, tenant_id: str, person_id: str) -> None:
    """Remove the bodies of everything they wrote, withdraw their held messages, close their conversations.

    Messages the other person wrote stay (they are that person's words); ids, times and lengths
    stay so statistics and the audit log remain whole. Safe to repeat.
    """
    now = utcnow()
    repo.erase_participant(tenant_id, person_id)
    for message in repo.erase_messages_of(tenant_id, person_id, now):
        repo.append_audit(tenant_id, message=message, decision="withdrawn", actor=SYSTEM, at=now,
                          reason=message.moderation.reason)
        repo.audit_written(tenant_id, message.id)
    repo.close_conversations_of(tenant_id, person_id, now)


# -- conversations over HTTP -----------------------------------------------------------------------
def conversation_for(repo: MessagingRepository, auth: Principal, match_id: str, *,
                     cached: bool = False) -> Conversation:
    """The conversation, if this token may see it. A person outside the match gets the same 404 as
    for a match that does not exist: which matches others have is not theirs to learn."""
    conversation = repo.conversation(auth.tenant_id, match_id, cached=cached)
    if conversation is None or (auth.is_person and auth.person_id not in conversation.participants):
        raise NotFound(f"no conversation for match {match_id} that you take part in", code="match_not_found")
    return conversation


def _not_active(conversation: Conversation) -> Conflict:
    explain = {
        "proposed": "it has not been accepted by both sides yet",
        "declined": "it was declined",
        "ended": "it has ended" + (f" ({conversation.ended_reason})" if conversation.ended_reason else ""),
    }.get(conversation.status, conversation.status)
    return Conflict(f"match {conversation.id} is not active: {explain}", code="match_not_active",
                    details={"status": conversation.status})


def _paused(conversation: Conversation) -> Conflict:
    if GUARDIAN_CONSENT in conversation.paused_for:
        return Conflict("messages are paused: the mentee is a minor and their guardian's consent is not granted "
                        "(or was withdrawn); they resume once consent is granted", code="guardian_consent_required",
                        details={"paused_for": list(conversation.paused_for)})
    return Conflict(f"match {conversation.id} is paused", code="match_paused",
                    details={"paused_for": list(conversation.paused_for)})


def readable_conversation(repo: MessagingRepository, auth: Principal, match_id: str) -> Conversation:
    """History stays readable after a match ends; before it starts there is none."""
    conversation = conversation_for(repo, auth, match_id)
    if conversation.status in ("proposed", "declined"):
        raise _not_active(conversation)
    return conversation


def _call(fn, *args):
    return fn(*args)


def post_message(repo: MessagingRepository, auth: Principal, match_id: str, text: str, *,
                 offload: Callable = _call, card: dict | None = None) -> tuple[NewMessage, list[Pending]]:
    """Store a message, delivered or held. `offload(fn, *args)` runs the moderation scan; the
    service passes one that moves long texts off the event loop (a scan is linear in the text,
    but 4,000 characters of it can take some milliseconds)."""
    conversation = conversation_for(repo, auth, match_id, cached=True)
    if conversation.status != "active":
        raise _not_active(conversation)
    if conversation.paused_for:
        raise _paused(conversation)
    tenant_id, sender_id = auth.tenant_id, auth.person_id
    settings = repo.settings(tenant_id)
    limit = domain.RateLimit(settings.messages_per_minute)
    wait = repo.take_send_allowance(tenant_id, sender_id, limit, time.time())
    if wait is not None:
        seconds = domain.retry_after_seconds(wait)
        raise RateLimited(
            f"you can send {limit.per_minute} messages a minute; try again in {seconds} s",
            retry_after=seconds,
        )
    verdict = offload(moderation.moderate, text, moderation.policy_for(settings, minor=conversation.mentee_is_minor))
    now = utcnow()
    message = NewMessage(
        tenant_id=tenant_id, match_id=match_id, sender_id=sender_id,
        recipient_id=conversation.other(sender_id), body=text, status="held" if verdict.held else "delivered",
        created_at=now, delivered_at=None if verdict.held else now, held_reasons=list(verdict.reasons),
        findings=list(verdict.findings), card=card,
    )
    ids = {"message_id": message.id, "match_id": match_id, "sender_id": sender_id,
           "recipient_id": message.recipient_id}
    if verdict.held:
        event = MessageHeld(**ids, reasons=list(verdict.reasons))
    else:
        event = MessageSent(**ids, length=message.length, topics=topic_settings.tag(tenant_id, text),
                            delivered_at=now)
    pending = repo.add_message(message, [event])
    if verdict.held:
        repo.append_audit(tenant_id, message=message, decision="held", actor=SYSTEM, at=now)
        repo.audit_written(tenant_id, message.id)
    return message, pending


def list_messages(repo: MessagingRepository, auth: Principal, match_id: str,
                  query: schemas.MessagesQuery) -> schemas.MessageList:
    readable_conversation(repo, auth, match_id)
    items = repo.messages(auth.tenant_id, match_id, viewer_person_id=auth.person_id,
                          coordinator=auth.is_coordinator, limit=query.limit + 1, before=query.cursor)
    return page_of(schemas.MessageList, items, query.limit, lambda m: message_view(m, auth))


def conversation_view(repo: MessagingRepository, auth: Principal,
                      conversation: Conversation) -> schemas.ConversationView:
    view = schemas.ConversationView(
        match_id=conversation.id, status=conversation.status, mentor_id=conversation.mentor_id,
        mentee_id=conversation.mentee_id,
        moderation_policy="minor" if conversation.mentee_is_minor else "adult",
        opened_at=conversation.opened_at, ended_at=conversation.ended_at,
        ended_reason=conversation.ended_reason, paused_for=list(conversation.paused_for or []),
    )
    if auth.is_person:
        marker = (conversation.read or {}).get(auth.person_id)
        view.last_read_message_id = marker["message_id"] if marker else None
        view.unread = repo.unread_count(auth.tenant_id, conversation.id, auth.person_id, marker)
    return view


def conversation_stats(repo: MessagingRepository, auth: Principal, match_id: str,
                       now: datetime | None = None) -> schemas.ConversationStatsView:
    conversation = readable_conversation(repo, auth, match_id)
    summaries = repo.message_summaries(auth.tenant_id, match_id)
    timeline = [(m["sender_id"], m["delivered_at"]) for m in summaries if m["status"] == "delivered"]
    stats = domain.conversation_stats(timeline, conversation.participants, now or utcnow())
    roles = {conversation.mentor_id: "mentor", conversation.mentee_id: "mentee"}

    def count(person_id: str, status: str) -> int:
        return sum(1 for m in summaries if m["sender_id"] == person_id and m["status"] == status)

    return schemas.ConversationStatsView(
        match_id=match_id,
        people=[schemas.PersonStatsView(person_id=p.person_id, role=roles[p.person_id], delivered=p.delivered,
                                        held=count(p.person_id, "held"),
                                        rejected=count(p.person_id, "rejected"),
                                        median_response_seconds=p.median_response_seconds)
                for p in stats.people if p.person_id in roles],
        total_delivered=stats.total_delivered, median_response_seconds=stats.median_response_seconds,
        last_message_at=stats.last_message_at, days_since_last_message=stats.days_since_last_message,
    )


# -- moderation ----------------------------------------------------------------------------------
def decide(repo: MessagingRepository, auth: Principal, message_id: str, *, approve: bool,
           reason: str | None) -> tuple[Message, list[Pending]]:
    tenant_id = auth.tenant_id
    message = repo.message(tenant_id, message_id)
    if message is None:
        raise NotFound(f"no message {message_id} in this organisation", code="message_not_found")
    if message.status != "held":
        raise _already_decided(message)
    ids = {"message_id": message.id, "match_id": message.match_id, "sender_id": message.sender_id,
           "recipient_id": message.recipient_id}
    now = utcnow()
    if approve:
        conversation = repo.conversation(tenant_id, message.match_id)
        if conversation is None or conversation.status != "active":
            raise Conflict("the match has ended, so the message can no longer be delivered; "
                           "reject it instead",
                           code="match_not_active",
                           details={"status": conversation.status if conversation else None})
        # Approval makes the message visible: MessageSent follows, so notifications tells the recipient.
        events = [MessageApproved(**ids, moderator_id=COORDINATOR),
                  MessageSent(**ids, length=message.length, delivered_at=now,
                              topics=topic_settings.tag(tenant_id, message.body or ""))]
        status, decision, delivered_at = "delivered", "approved", now
    else:
        events = [MessageRejected(**ids, moderator_id=COORDINATOR, reason=reason)]
        status, decision, delivered_at = "rejected", "rejected", None
    moderation = Moderation(decision=decision, decided_by=auth.actor, decided_at=now, reason=reason)
    result = repo.decide(tenant_id, message_id, status=status, moderation=moderation, events=events,
                         delivered_at=delivered_at)
    if result is None:  # another coordinator decided first
        raise _already_decided(repo.message(tenant_id, message_id) or message)
    decided, pending = result
    repo.append_audit(tenant_id, message=decided, decision=decision, actor=auth.actor, at=now, reason=reason)
    repo.audit_written(tenant_id, decided.id)
    return decided, pending


def _already_decided(message: Message) -> Conflict:
    decision = message.moderation.decision if message.moderation else None
    what = decision or message.status
    return Conflict(f"message {message.id} is not waiting for moderation: it was {what}",
                    code="already_decided", details={"status": message.status, "decision": decision})


def repair_audit(repo: MessagingRepository, now: datetime | None = None) -> int:
    """Append audit entries a crash may have left unwritten (the decision itself is on the message)."""
    repaired = 0
    for message in repo.messages_awaiting_audit((now or utcnow()) - AUDIT_REPAIR_AFTER):
        if message.held_reasons:
            repo.append_audit(message.tenant_id, message=message, decision="held", actor=SYSTEM,
                              at=message.created_at)
        if message.moderation:
            moderation = message.moderation
            repo.append_audit(message.tenant_id, message=message, decision=moderation.decision,
                              actor=moderation.decided_by, at=moderation.decided_at, reason=moderation.reason)
        repo.audit_written(message.tenant_id, message.id)
        repaired += 1
    return repaired


# -- views ---------------------------------------------------------------------------------------
def message_view(message: Message, auth: Principal) -> schemas.MessageView:
    insider = auth.is_coordinator or auth.person_id == message.sender_id
    moderation = message.moderation
    return schemas.MessageView(
        id=message.id, match_id=message.match_id, sender_id=message.sender_id,
        recipient_id=message.recipient_id,
        body=message.body, length=message.length, status=message.status,
        held_reasons=list(message.held_reasons) if insider else [],
        findings=[schemas.FindingView(kind=f.kind, text=f.text) for f in message.findings]
        if auth.is_coordinator else None,
        moderation=schemas.ModerationView(decision=moderation.decision, decided_by=moderation.decided_by,
                                          decided_at=moderation.decided_at, reason=moderation.reason)
        if moderation and insider else None,
        created_at=message.created_at, delivered_at=message.delivered_at, erased=bool(message.erased),
        card=schemas.CardView(**message.card) if getattr(message, "card", None) else None,
    )


def audit_view(entry) -> schemas.AuditEntryView:
    return schemas.AuditEntryView(id=entry.id, at=entry.at, actor=entry.actor, decision=entry.decision,
                                  message_id=entry.message_id, match_id=entry.match_id, reason=entry.reason,
                                  held_reasons=list(entry.held_reasons))


def settings_view(repo: MessagingRepository, tenant_id: str) -> schemas.SettingsView:
    value = repo.settings(tenant_id)
    return schemas.SettingsView(
        blocked_words=list(value.blocked_words),
        hold_contact_details_for_adults=value.hold_contact_details_for_adults,
        hold_links_for_adults=value.hold_links_for_adults, messages_per_minute=value.messages_per_minute,
        minors=schemas.MinorPolicy(safeguarding_phrases=list(moderation.SAFEGUARDING_PHRASES)),
        updated_at=repo.settings_updated_at(tenant_id),
    )


def update_settings(repo: MessagingRepository, tenant_id: str,
                    body: schemas.UpdateSettings) -> schemas.SettingsView:
    try:
        words = moderation.clean_blocked_words(body.blocked_words)
    except ValueError as exc:
        raise Invalid(str(exc), details=[{"field": "blocked_words", "message": str(exc)}]) from None
    repo.save_settings(tenant_id, domain.ModerationSettings(
        blocked_words=words, hold_contact_details_for_adults=body.hold_contact_details_for_adults,
        hold_links_for_adults=body.hold_links_for_adults, messages_per_minute=body.messages_per_minute,
    ), utcnow())
    return settings_view(repo, tenant_id)
