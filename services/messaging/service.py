"""Messaging service entrypoints: conversations, messages, moderation, and the events they follow."""

from __future__ import annotations

import logging

import eventlet
from ementor_contracts import (
    CloudEvent,
    GuardianConsentChanged,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
)
from eventlet import tpool
from nameko.rpc import RpcProxy, rpc

from ementor.platform.concern_pauses import PausesOnConcerns
from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import HandOverOutbox
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal
from ementor.platform.retention_job import EnforcesRetention
from ementor.platform.revocation import Revocations
from ementor.platform.schedule import leased_timer

from . import (
    concern_context,
    handlers,
    live,
    person_posts,
    reading,
    retention,
    schemas,
    subject_access,
    topic_settings,
)
from .documents import DOCUMENTS, Conversation, Message, utcnow
from .repository import MessagingRepository

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
PEOPLE = ("mentor", "mentee")
PROFILES_TIMEOUT_SECONDS = 5.0
MATCHING_TIMEOUT_SECONDS = 3.0
LONG_TEXT_CHARS = 1000


def _scan_off_the_loop(scan, text: str, *args):
    """Moderate a long text in a real thread, so other requests keep being served meanwhile."""
    if len(text) > LONG_TEXT_CHARS:
        return tpool.execute(scan, text, *args)
    return scan(text, *args)


class MessagingService(Revocations, EnforcesRetention, PausesOnConcerns):
    name = "messaging"

    repo: MessagingRepository = Repository(MessagingRepository, (*DOCUMENTS, *retention.RETENTION_DOCUMENTS,
                                                                 *topic_settings.TOPIC_DOCUMENTS))
    outbox = HandOverOutbox(Message, Conversation, *topic_settings.TOPIC_DOCUMENTS)
    settings = AppSettings()
    profiles = RpcProxy("profiles")
    matching = RpcProxy("matching")

    retention_module = retention  # the leased job and its subscribers: EnforcesRetention

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    # -- messages -----------------------------------------------------------------------------
    @api("POST", "/v1/matches/<match_id>/messages", roles=PEOPLE, body=schemas.PostMessage,
         response=schemas.MessageView, status=201,
         summary="Send a message to the other person of an active match",
         description="201 with status `delivered`, or `held` when moderation holds it for a coordinator. "
                     "404 if the match is unknown or you are not part of it; 409 `match_not_active` if it is "
                     "proposed, declined or ended; 429 with Retry-After past the per-person rate limit.")
    def post_message(self, auth: Principal, match_id: str, body: schemas.PostMessage):
        self._learn_match(auth.tenant_id, match_id)
        message, events = handlers.post_message(self.repo, auth, match_id, body.body,
                                                offload=_scan_off_the_loop)
        self.outbox.hand_over(Message, auth.tenant_id, message.id, events)
        live.WAKEUPS.wake((auth.tenant_id, match_id))
        return handlers.message_view(message, auth)

    @rpc
    def post_for_person(self, tenant_id: str, person_id: str, role: str, match_id: str, body: str,
                        card: dict | None = None) -> dict:
        """Post for a person through the moderated path (knowledge: "ask my mentor", shared articles)."""
        self._learn_match(tenant_id, match_id)
        return person_posts.post_for_person(
            self.repo, tenant_id, person_id, role, match_id, body, card, offload=_scan_off_the_loop,
            hand_over=lambda message_id, events: self.outbox.hand_over(Message, tenant_id, message_id, events))

    @api("GET", "/v1/matches/<match_id>/messages/live", response_media_type="text/event-stream", pass_request=True,
         summary="The conversation's messages as they arrive (server-sent events, for the web app)",
         description="`text/event-stream`: one `message` event (data: a MessageView as JSON) for each message "
                     "the viewer can see that is new or whose status changed (held → delivered or rejected); the "
                     "newest 50 first on connecting, so a page merges by id. The stream ends after 50 s and "
                     "the browser's EventSource reconnects (`retry: 500`). New messages are sent at once when "
                     "posted through the same replica, within a second otherwise. 409 `match_not_active` "
                     "before the match starts.")
    def live_messages(self, auth: Principal, match_id: str, request):
        self._learn_match(auth.tenant_id, match_id)
        handlers.readable_conversation(self.repo, auth, match_id)
        repo = self.repo

        def fetch():
            return repo.messages(auth.tenant_id, match_id, viewer_person_id=auth.person_id,
                                 coordinator=auth.is_coordinator, limit=live.BATCH, before=None)

        def view(message):
            return handlers.message_view(message, auth).model_dump(mode="json")
        return live.event_stream(request, live.stream(fetch, view, (auth.tenant_id, match_id)))

    @api("GET", "/v1/matches/<match_id>/messages", query=schemas.MessagesQuery, response=schemas.MessageList,
         summary="A conversation's messages, newest first",
         description="The mentor and mentee see delivered messages and their own held or rejected ones; "
                     "a coordinator of the organisation sees everything.")
    def list_messages(self, auth: Principal, match_id: str, query: schemas.MessagesQuery):
        self._learn_match(auth.tenant_id, match_id)
        return handlers.list_messages(self.repo, auth, match_id, query)

    @api("POST", "/v1/matches/<match_id>/messages/read", roles=PEOPLE, body=schemas.MarkRead,
         response=schemas.ConversationView,
         summary="Mark the conversation read up to a message; returns the unread count")
    def mark_read(self, auth: Principal, match_id: str, body: schemas.MarkRead):
        self._learn_match(auth.tenant_id, match_id)
        view, events = reading.mark_read(self.repo, auth, match_id, body.up_to_message_id)
        self.outbox.hand_over(Conversation, auth.tenant_id, match_id, events)
        return view

    @api("GET", "/v1/matches/<match_id>/conversation", response=schemas.ConversationView,
         summary="A conversation's state, moderation policy and (for its people) unread count")
    def get_conversation(self, auth: Principal, match_id: str):
        self._learn_match(auth.tenant_id, match_id)
        conversation = handlers.conversation_for(self.repo, auth, match_id)
        return handlers.conversation_view(self.repo, auth, conversation)

    @api("GET", "/v1/matches/<match_id>/messages/stats", roles=COORDINATOR,
         response=schemas.ConversationStatsView,
         summary="Conversation statistics for a coordinator")
    def conversation_stats(self, auth: Principal, match_id: str):
        self._learn_match(auth.tenant_id, match_id)
        return handlers.conversation_stats(self.repo, auth, match_id)

    # -- moderation ---------------------------------------------------------------------------
    @api("GET", "/v1/moderation/messages", roles=COORDINATOR, query=schemas.QueueQuery,
         response=schemas.MessageList,
         summary="The moderation queue (held messages, oldest first) or past decisions")
    def moderation_queue(self, auth: Principal, query: schemas.QueueQuery):
        items = self.repo.moderation_queue(auth.tenant_id, status=query.status, match_id=query.match_id,
                                           limit=query.limit + 1, after=query.cursor)
        return page_of(schemas.MessageList, items, query.limit, lambda m: handlers.message_view(m, auth))

    @api("POST", "/v1/moderation/messages/<message_id>/approve", roles=COORDINATOR, body=schemas.Decision,
         response=schemas.MessageView,
         summary="Approve a held message: it is delivered (MessageApproved, then MessageSent)")
    def approve(self, auth: Principal, message_id: str, body: schemas.Decision):
        message, events = handlers.decide(self.repo, auth, message_id, approve=True, reason=body.reason)
        self.outbox.hand_over(Message, auth.tenant_id, message.id, events)
        live.WAKEUPS.wake((auth.tenant_id, message.match_id))
        return handlers.message_view(message, auth)

    @api("POST", "/v1/moderation/messages/<message_id>/reject", roles=COORDINATOR, body=schemas.Decision,
         response=schemas.MessageView,
         summary="Reject a held message: it is never delivered (MessageRejected)")
    def reject(self, auth: Principal, message_id: str, body: schemas.Decision):
        message, events = handlers.decide(self.repo, auth, message_id, approve=False, reason=body.reason)
        self.outbox.hand_over(Message, auth.tenant_id, message.id, events)
        live.WAKEUPS.wake((auth.tenant_id, message.match_id))
        return handlers.message_view(message, auth)

    @api("GET", "/v1/moderation/audit", roles=("coordinator", "audit_log"), query=schemas.AuditQuery,
         response=schemas.AuditList,
         summary="The moderation audit log, newest first (append-only: no endpoint changes it)")
    def audit(self, auth: Principal, query: schemas.AuditQuery):
        items = self.repo.audit_entries(auth.tenant_id, message_id=query.message_id, match_id=query.match_id,
                                        limit=query.limit + 1, before=query.cursor)
        return page_of(schemas.AuditList, items, query.limit, handlers.audit_view)

    @api("GET", "/v1/settings/messaging", roles=COORDINATOR, response=schemas.SettingsView,
         summary="The organisation's moderation and rate-limit settings")
    def get_settings(self, auth: Principal):
        return handlers.settings_view(self.repo, auth.tenant_id)

    @api("PUT", "/v1/settings/messaging", roles=COORDINATOR, body=schemas.UpdateSettings,
         response=schemas.SettingsView,
         summary="Replace the organisation's moderation and rate-limit settings")
    def put_settings(self, auth: Principal, body: schemas.UpdateSettings):
        return handlers.update_settings(self.repo, auth.tenant_id, body)

    @api("GET", "/v1/settings/topics", roles=("coordinator", "safeguarding_lead"),
         response=schemas.TopicSettingsView, summary="The organisation's conversation topics",
         description="Every topic in force (messages and goals are tagged with them; insights counts them), "
                     "whether each is a default, a changed default or the organisation's own, and the "
                     "defaults it removed.")
    def get_topics(self, auth: Principal):
        return topic_settings.view(auth.tenant_id)

    @api("PUT", "/v1/settings/topics", roles=COORDINATOR, body=schemas.UpdateTopics,
         response=schemas.TopicSettingsView, summary="Replace the organisation's changes to the default topics",
         description="The whole list of entries `{id, label?, keywords?, removed?}`: a default's id relabels it, "
                     "adds keywords or removes it; another id adds a topic (label and a keyword required). "
                     "422 names the field at fault. TopicTaxonomyChanged tells matching and insights; messages "
                     "delivered from now on are tagged with it (every replica within seconds).")
    def put_topics(self, auth: Principal, body: schemas.UpdateTopics):
        return topic_settings.put(auth, body, utcnow())

    # -- events from matching and profiles -------------------------------------------------------
    @subscribe(MatchProposed)
    def on_match_proposed(self, event: MatchProposed, envelope: CloudEvent):
        handlers.match_proposed(self.repo, envelope.tenantid, event)

    @subscribe(MatchAccepted)
    def on_match_accepted(self, event: MatchAccepted, envelope: CloudEvent):
        handlers.match_accepted(self.repo, envelope.tenantid, event, envelope.time, self._mentee_is_minor)

    @subscribe(MatchDeclined)
    def on_match_declined(self, event: MatchDeclined, envelope: CloudEvent):
        handlers.match_declined(self.repo, envelope.tenantid, event)

    @subscribe(MatchEnded)
    def on_match_ended(self, event: MatchEnded, envelope: CloudEvent):
        handlers.match_ended(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(ProfileCreated)
    def on_profile_created(self, event: ProfileCreated, envelope: CloudEvent):
        handlers.profile_changed(self.repo, envelope.tenantid, person_id=event.person_id, role=event.role,
                                 is_minor=event.is_minor, at=envelope.time)
        if event.guardian_consent is not None:
            handlers.guardian_consent_changed(self.repo, envelope.tenantid, event.person_id, event.guardian_consent,
                                              envelope.time)

    @subscribe(ProfileUpdated)
    def on_profile_updated(self, event: ProfileUpdated, envelope: CloudEvent):
        handlers.profile_changed(self.repo, envelope.tenantid, person_id=event.person_id, role=event.role,
                                 is_minor=event.is_minor, at=envelope.time)
        if event.guardian_consent is not None:
            handlers.guardian_consent_changed(self.repo, envelope.tenantid, event.person_id, event.guardian_consent,
                                              envelope.time)

    @subscribe(GuardianConsentChanged)
    def on_guardian_consent(self, event: GuardianConsentChanged, envelope: CloudEvent):
        handlers.guardian_consent_changed(self.repo, envelope.tenantid, event.person_id, event.state, envelope.time)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope: CloudEvent):
        handlers.person_erased(self.repo, envelope.tenantid, event.person_id)

    @rpc
    def concern_messages(self, tenant_id: str, match_id: str, message_id: str | None) -> list[dict]:
        """For safeguarding leads (the safeguarding service checks who asks): the conversation around a concern."""
        return concern_context.concern_messages(self.repo, tenant_id, match_id, message_id)

    @leased_timer(interval=60)
    def repair_audit(self):
        repaired = handlers.repair_audit(self.repo)
        if repaired:
            log.warning("appended %d moderation audit entries that a crash had left unwritten", repaired)

    def _learn_match(self, tenant_id: str, match_id: str) -> None:
        """A match we have no conversation for may be one whose event is still on its way: ask matching."""
        if self.repo.conversation(tenant_id, match_id, cached=True) is not None:
            return
        try:
            with eventlet.Timeout(MATCHING_TIMEOUT_SECONDS):
                match = self.matching.match_facts(tenant_id, match_id)
        except eventlet.Timeout:
            log.warning("matching did not answer within %.0fs about match %s", MATCHING_TIMEOUT_SECONDS, match_id)
            return
        except Exception as exc:  # noqa: BLE001 - matching not deployed, or failing: answer from what we know
            log.warning("could not ask matching about match %s: %r", match_id, exc)
            return
        if match is not None:
            handlers.match_learned(self.repo, tenant_id, match, utcnow(), self._mentee_is_minor)

    def _mentee_is_minor(self, tenant_id: str, person_id: str) -> bool | None:
        try:
            with eventlet.Timeout(PROFILES_TIMEOUT_SECONDS):
                contacts = self.profiles.get_contacts(tenant_id, [person_id])
        except eventlet.Timeout:
            log.warning("profiles did not answer within %.0fs", PROFILES_TIMEOUT_SECONDS)
            return None
        except Exception as exc:  # noqa: BLE001 - profiles not deployed, or failing: the caller assumes a minor
            log.warning("could not ask profiles about %s: %r", person_id, exc)
            return None
        entry = (contacts or {}).get(person_id)
        return None if entry is None else bool(entry.get("is_minor"))
