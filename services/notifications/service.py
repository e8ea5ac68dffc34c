"""Notifications service entrypoints: event consumers, the delivery loop, the nudge job and the API."""

from __future__ import annotations

import logging

from ementor_contracts import (
    CloudEvent,
    ConversationRead,
    GoalCompleted,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    MessageHeld,
    MessageSent,
    PersonErased,
    RelationshipAtRisk,
    SessionCancelled,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
    SurveyRequested,
)
from nameko.rpc import RpcProxy, rpc

from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.group_call import SharedGroupCall
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.principal import Principal
from ementor.platform.retention_job import EnforcesRetention
from ementor.platform.revocation import Revocations
from ementor.platform.schedule import leased_timer
from ementor.platform.settings import NotificationsSettings

from . import delivery, domain, handlers, planning, retention, schemas, sms_callbacks, subject_access
from .delivery_loop import Wake, delivery_loop
from .documents import DOCUMENTS, Delivery
from .profiles import Profiles, contacts_together, lookups_stopped
from .repository import NotificationsRepository
from .senders import MailerProvider, SmsProvider

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)


class NotificationsService(Revocations, EnforcesRetention):
    name = "notifications"

    repo: NotificationsRepository = Repository(NotificationsRepository, (*DOCUMENTS, *retention.RETENTION_DOCUMENTS))
    outbox = EventOutbox(Delivery)
    settings = AppSettings(NotificationsSettings)
    profiles_rpc = RpcProxy("profiles")
    contact_lookups = SharedGroupCall(contacts_together, stopped=lookups_stopped)
    mailer = MailerProvider()
    sms = SmsProvider()
    wake = Wake()

    # Transient failures are retried with this back-off (tests use a faster one).
    retry_policy = domain.RetryPolicy()

    retention_module = retention  # the leased job and its subscribers: EnforcesRetention

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    @property
    def profiles(self) -> Profiles:
        return Profiles(self.profiles_rpc, self.contact_lookups)

    def _notify(self, event, envelope: CloudEvent) -> None:
        self.wake(*planning.notify(self.repo, self.profiles, self.settings, self.sms, event, envelope))

    # -- events a person should hear about -----------------------------------------------------
    @subscribe(MatchProposed)
    def on_match_proposed(self, event: MatchProposed, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(MatchAccepted)
    def on_match_accepted(self, event: MatchAccepted, envelope: CloudEvent):
        self.repo.match_accepted(envelope.tenantid, event.match_id, event.mentor_id, event.mentee_id,
                                 event.programme_id, envelope.time)
        self._notify(event, envelope)

    @subscribe(MatchDeclined)
    def on_match_declined(self, event: MatchDeclined, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(MatchEnded)
    def on_match_ended(self, event: MatchEnded, envelope: CloudEvent):
        self.repo.match_ended(envelope.tenantid, event.match_id, event.mentor_id, event.mentee_id, envelope.time)
        self._notify(event, envelope)

    @subscribe(MessageSent)
    def on_message_sent(self, event: MessageSent, envelope: CloudEvent):
        self.repo.message_sent(envelope.tenantid, event.match_id, envelope.time)
        self._notify(event, envelope)

    @subscribe(ConversationRead)
    def on_conversation_read(self, event: ConversationRead, envelope: CloudEvent):
        planning.messages_read(self.repo, envelope.tenantid, event)

    @subscribe(MessageHeld)
    def on_message_held(self, event: MessageHeld, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(SessionScheduled)
    def on_session_scheduled(self, event: SessionScheduled, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(SessionRescheduled)
    def on_session_rescheduled(self, event: SessionRescheduled, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(SessionCancelled)
    def on_session_cancelled(self, event: SessionCancelled, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(SessionReminderDue)
    def on_session_reminder_due(self, event: SessionReminderDue, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(GoalCompleted)
    def on_goal_completed(self, event: GoalCompleted, envelope: CloudEvent):
        # Raises MissingMatch (retried with back-off, then dead-lettered) until MatchAccepted is seen.
        self._notify(event, envelope)

    @subscribe(RelationshipAtRisk)
    def on_relationship_at_risk(self, event: RelationshipAtRisk, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(SurveyRequested)
    def on_survey_requested(self, event: SurveyRequested, envelope: CloudEvent):
        self._notify(event, envelope)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope: CloudEvent):
        planning.erase_person(self.repo, envelope.tenantid, event.person_id)

    # -- sending and nudging ----------------------------------------------------------------------
    @delivery_loop(poll_seconds=1.0)
    def send_due(self, fresh=(), scan=False) -> bool:
        return delivery.send_due(self.repo, self.profiles, self.settings, self.mailer, self.sms, self.retry_policy,
                                 fresh=fresh, scan=scan, hand_over=self.outbox.hand_over)

    @leased_timer(interval=3600)
    def nudge_quiet_matches(self):
        self.wake(planning.nudge_quiet_matches(self.repo, self.profiles, self.settings, self.sms))

    # -- HTTP API ---------------------------------------------------------------------------------
    @api("GET", "/v1/notifications", query=schemas.DeliveryQuery, response=schemas.DeliveryList,
         summary="The delivery log: notifications sent (or not) to a person, newest first",
         description="A coordinator sees everyone's (or one person's with `person_id`, or `coordinator` for "
                     "notices to the coordinator); a mentor or mentee sees only their own.")
    def list_notifications(self, auth: Principal, query: schemas.DeliveryQuery):
        return handlers.list_deliveries(self.repo, auth, query)

    @api("GET", "/v1/settings/notifications", roles=COORDINATOR, response=schemas.NotificationSettingsView,
         summary="The organisation's notification settings")
    def get_settings(self, auth: Principal):
        return handlers.settings_view(self.repo.settings(auth.tenant_id))

    @api("PUT", "/v1/settings/notifications", roles=COORDINATOR, body=schemas.NotificationSettings,
         response=schemas.NotificationSettingsView,
         summary="Replace the organisation's notification settings (coordinator email, sign-off, SMS sender, "
                 "nudges, template overrides)")
    def put_settings(self, auth: Principal, body: schemas.NotificationSettings):
        return handlers.settings_view(handlers.update_settings(self.repo, auth.tenant_id, body))

    @api("POST", "/v1/notifications/twilio/status", auth="public", pass_request=True, status=204,
         summary="Twilio's message status callback (signed with X-Twilio-Signature)",
         description="Form-encoded, as Twilio posts it (MessageSid, MessageStatus, ErrorCode...). The signature is "
                     "checked against EMENTOR_PUBLIC_URL + path + query; a missing or wrong one is 403 "
                     "`invalid_signature`. Statuses only move forward; `undelivered`/`failed` fail the "
                     "notification and publish NotificationFailed.")
    def twilio_status(self, request):
        sms_callbacks.twilio_status(self.repo, self.settings, self.sms, request)
