"""Safeguarding service entrypoints: concerns, their escalation clock, contacts, blocks and the audit chain."""

from __future__ import annotations

import logging

import eventlet
from ementor_contracts import (
    CloudEvent,
    GuardianConsentChanged,
    MessageApproved,
    MessageHeld,
    MessageRejected,
)
from nameko.rpc import RpcProxy

from ementor.platform.config import AppSettings
from ementor.platform.consumer import PermanentFailure, subscribe
from ementor.platform.errors import NotFound, Unavailable
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.principal import Principal
from ementor.platform.revocation import Revocations
from ementor.platform.schedule import leased_timer
from ementor.platform.settings import SafeguardingSettings

from . import audit, blocks, domain, escalation, handlers, organisation_settings, schemas
from .alerts import Alerts, AlertSender
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, utcnow
from .repository import SafeguardingRepository

log = logging.getLogger(__name__)

PEOPLE = ("mentor", "mentee")
LEADS = ("safeguarding",)
RPC_TIMEOUT_SECONDS = 5.0
ESCALATION_TICK_SECONDS = 5.0


class SafeguardingService(Revocations):
    name = "safeguarding"

    repo: SafeguardingRepository = Repository(SafeguardingRepository, DOCUMENTS)
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    settings = AppSettings(SafeguardingSettings)
    alerts: AlertSender = Alerts()
    matching = RpcProxy("matching")
    messaging = RpcProxy("messaging")
    profiles = RpcProxy("profiles")

    # The time every rule reads; tests replace it with a clock they move.
    clock = staticmethod(utcnow)

    # -- concerns -----------------------------------------------------------------------------------
    @api("POST", "/v1/concerns", roles=PEOPLE, body=schemas.RaiseConcern, response=schemas.ReceivedConcern,
         status=201, summary="Raise a concern (a mentor or mentee): the match's contact pauses at once",
         description="Messages and sessions in the match are refused with 409 `match_paused` until a safeguarding "
                     "lead decides; the first safeguarding contact is alerted by email and SMS at once. "
                     "404 `match_not_found` for a match you do not take part in.")
    def raise_concern(self, auth: Principal, body: schemas.RaiseConcern):
        concern = handlers.raise_concern(self.repo, auth, body, self._match_facts, self.clock())
        self.outbox.kick()
        return handlers.received_view(concern)

    @api("GET", "/v1/concerns", roles=LEADS, query=schemas.ConcernsQuery, response=schemas.ConcernList,
         summary="The organisation's concerns, newest first (safeguarding leads only)")
    def list_concerns(self, auth: Principal, query: schemas.ConcernsQuery):
        return handlers.with_names(handlers.list_concerns(self.repo, auth, query), self._names(auth.tenant_id))

    @api("GET", "/v1/concerns/<concern_id>", roles=(*PEOPLE, *LEADS), response=schemas.ConcernView,
         summary="A concern: everything for a safeguarding lead; its status only for the person who raised it",
         description="The person who raised it gets `{id, status, category, match_id, created_at, message}`.")
    def get_concern(self, auth: Principal, concern_id: str):
        concern = handlers.concern_for(self.repo, auth, concern_id)
        if not auth.holds("safeguarding"):
            return handlers.received_view(concern)
        return handlers.with_names(handlers.concern_view(concern), self._names(auth.tenant_id))

    @api("GET", "/v1/concerns/<concern_id>/messages", roles=LEADS, response=schemas.ConcernMessages,
         summary="The conversation around a concern, for a safeguarding lead")
    def concern_messages(self, auth: Principal, concern_id: str):
        concern = handlers.concern_for(self.repo, auth, concern_id)
        if not concern.match_id:
            raise NotFound("this concern is not about a match, so there are no messages", code="no_messages")
        try:
            with eventlet.Timeout(RPC_TIMEOUT_SECONDS):
                items = self.messaging.concern_messages(auth.tenant_id, concern.match_id, concern.message_id)
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - messaging away: say so, never a 500
            log.warning("messaging did not answer about match %s: %r", concern.match_id, exc)
            raise Unavailable("the messages cannot be fetched right now; try again in a minute") from None
        return schemas.ConcernMessages(concern_id=concern.id, match_id=concern.match_id, items=items)

    @api("POST", "/v1/concerns/<concern_id>/acknowledge", roles=LEADS, body=schemas.Acknowledge,
         response=schemas.ConcernView, summary="Acknowledge a concern: the escalation clock stops")
    def acknowledge(self, auth: Principal, concern_id: str, body: schemas.Acknowledge):
        return handlers.concern_view(handlers.acknowledge(self.repo, auth, concern_id, body.note, self.clock()))

    @api("POST", "/v1/concerns/<concern_id>/resolve", roles=LEADS, body=schemas.Resolve,
         response=schemas.ConcernView, summary="Resolve a concern with a decision and a reason (audited)")
    def resolve(self, auth: Principal, concern_id: str, body: schemas.Resolve):
        concern = handlers.resolve(self.repo, auth, concern_id, body, self.clock())
        self.outbox.kick()
        return handlers.concern_view(concern)

    # -- contacts and the clock ---------------------------------------------------------------------
    @api("GET", "/v1/settings/safeguarding", roles=("coordinator", *LEADS), response=schemas.SettingsView,
         summary="The organisation's safeguarding contacts (in order) and time to acknowledge")
    def get_settings(self, auth: Principal):
        return organisation_settings.settings_view(self.repo, auth.tenant_id)

    @api("PUT", "/v1/settings/safeguarding", roles=("coordinator", *LEADS), body=schemas.SettingsIn,
         response=schemas.SettingsView, summary="Replace the organisation's safeguarding contacts and time to "
                                                "acknowledge")
    def put_settings(self, auth: Principal, body: schemas.SettingsIn):
        return organisation_settings.put_settings(self.repo, auth, body, self.clock())

    @leased_timer(interval=ESCALATION_TICK_SECONDS)
    def escalate(self):
        if escalation.take_due_steps(self.repo, self.alerts, self.settings.EMENTOR_PUBLIC_URL, self.clock()):
            self.outbox.kick()

    # -- blocks ---------------------------------------------------------------------------------------
    @api("POST", "/v1/people/<person_id>/blocks", roles=PEOPLE, body=schemas.BlockIn, response=schemas.BlockView,
         status=201, summary="Block the other person of your match: it ends and you are never matched again")
    def block(self, auth: Principal, person_id: str, body: schemas.BlockIn):
        block = blocks.block(self.repo, auth, person_id, body.person_id, self._pair_facts, self.clock())
        self.outbox.kick()
        return blocks.block_view(block)

    # -- the audit chain --------------------------------------------------------------------------------
    @api("GET", "/v1/safeguarding/audit", roles=("audit_log", *LEADS), query=schemas.AuditQuery,
         response=schemas.AuditExport, summary="Export the organisation's hash-chained safeguarding audit, "
                                               "verified, for inspectors")
    def export_audit(self, auth: Principal, query: schemas.AuditQuery):
        return audit.export(self.repo, auth.tenant_id, query)

    # -- moderation's risk categories -------------------------------------------------------------------
    @subscribe(MessageHeld)
    def on_message_held(self, event: MessageHeld, envelope: CloudEvent):
        """A message held for self-harm, abuse or grooming raises a concern by itself (pausing the match)."""
        audit.moderation_decided(self.repo, envelope.tenantid, event, envelope)
        category = next((r for r in domain.RISK_REASONS if r in event.reasons), None)
        if category is None:
            return
        match = self._match_facts(envelope.tenantid, event.match_id)  # matching away: Unavailable, retried
        if match is None:
            raise PermanentFailure(f"matching does not know match {event.match_id}")
        handlers.raise_from_moderation(self.repo, envelope.tenantid, category=category, match_id=event.match_id,
                                       message_id=event.message_id, mentor_id=match["mentor_id"],
                                       mentee_id=match["mentee_id"], now=self.clock())

    @subscribe(MessageApproved)
    def on_message_approved(self, event: MessageApproved, envelope: CloudEvent):
        audit.moderation_decided(self.repo, envelope.tenantid, event, envelope)

    @subscribe(MessageRejected)
    def on_message_rejected(self, event: MessageRejected, envelope: CloudEvent):
        audit.moderation_decided(self.repo, envelope.tenantid, event, envelope)

    @subscribe(GuardianConsentChanged)
    def on_guardian_consent(self, event: GuardianConsentChanged, envelope: CloudEvent):
        audit.consent_changed(self.repo, envelope.tenantid, event, envelope)

    def _names(self, tenant_id: str):
        """Looks up people's names (profiles' contact RPC) for a lead's view; {} when profiles is away."""
        def names(person_ids: list[str]) -> dict[str, str]:
            if not person_ids:
                return {}
            try:
                with eventlet.Timeout(RPC_TIMEOUT_SECONDS):
                    found = self.profiles.get_contacts(tenant_id, person_ids)
            except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - the page shows roles instead of names
                log.warning("profiles did not answer get_contacts for a concern: %r", exc)
                return {}
            return {pid: contact["name"] for pid, contact in (found or {}).items() if contact.get("name")}
        return names

    def _match_facts(self, tenant_id: str, match_id: str) -> dict | None:
        return self._ask_matching("match_facts", tenant_id, match_id)

    def _pair_facts(self, tenant_id: str, person_id: str, other_id: str) -> dict | None:
        return self._ask_matching("pair_facts", tenant_id, person_id, other_id)

    def _ask_matching(self, method: str, *args):
        try:
            with eventlet.Timeout(RPC_TIMEOUT_SECONDS):
                return getattr(self.matching, method)(*args)
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - matching away: a clear 503, never a 500
            log.warning("matching did not answer %s%r: %r", method, args, exc)
            raise Unavailable("the match cannot be checked right now; try again in a minute") from None
