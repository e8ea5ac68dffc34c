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
from werkzeug.wrappers import Response

from ementor.platform.config import AppSettings
from ementor.platform.consumer import PermanentFailure, subscribe
from ementor.platform.errors import Conflict, NotFound, Unavailable
from ementor.platform.http.api import api
from ementor.platform.loop_job import LoopKicks, loop_job
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.principal import Principal
from ementor.platform.retention import RETENTION_POLL_SECONDS
from ementor.platform.revocation import Revocations
from ementor.platform.schedule import leased_timer
from ementor.platform.settings import SafeguardingSettings

from . import (
    audit,
    blocks,
    domain,
    escalation,
    export_archive,
    export_schemas,
    exports,
    handlers,
    organisation_settings,
    retention_settings,
    schemas,
)
from .alerts import Alerts, AlertSender
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, utcnow
from .export_documents import EXPORT_DOCUMENTS, EXPORT_OUTBOX_DOCUMENTS
from .export_repository import ExportRepository
from .repository import SafeguardingRepository
from .retention_settings import RETENTION_DOCUMENTS, RetentionIn, RetentionView

log = logging.getLogger(__name__)

PEOPLE = ("mentor", "mentee")
LEADS = ("safeguarding",)
RPC_TIMEOUT_SECONDS = 5.0
ESCALATION_TICK_SECONDS = 5.0
EXPORT_POLL_SECONDS = 5.0


class SafeguardingService(Revocations):
    name = "safeguarding"

    repo: SafeguardingRepository = Repository(SafeguardingRepository, DOCUMENTS)
    outbox = EventOutbox(*OUTBOX_DOCUMENTS, *EXPORT_OUTBOX_DOCUMENTS, *RETENTION_DOCUMENTS)
    settings = AppSettings(SafeguardingSettings)
    alerts: AlertSender = Alerts()
    matching = RpcProxy("matching")
    messaging = RpcProxy("messaging")
    # Subject access: each service contributes its part of a person's export (exports.SERVICES).
    exports_repo: ExportRepository = Repository(ExportRepository, (*EXPORT_DOCUMENTS, *RETENTION_DOCUMENTS))
    kicks = LoopKicks()
    profiles = RpcProxy("profiles")
    video = RpcProxy("video")
    notifications = RpcProxy("notifications")
    insights = RpcProxy("insights")
    knowledge = RpcProxy("knowledge")
    integrations = RpcProxy("integrations")

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

    # -- subject access (exports.py): the request is stored, a job gathers each service's part --------------
    @api("POST", "/v1/people/<person_id>/data-exports", roles=("coordinator", *PEOPLE), body=export_schemas.RequestExport,
         response=export_schemas.ExportView, status=202,
         summary="Ask for a copy of everything ementor holds about a person (the person, or staff on their behalf)",
         description="Gathered in the background from every service, usually within a minute; poll the export and "
                     "download its archive (one JSON file per service and a plain-words summary) once `ready`. "
                     "The request and each download are recorded in the safeguarding audit. 404 "
                     "`person_not_found` for a person of another organisation (or, for a mentor or mentee, anyone "
                     "but themself); 409 `export_in_progress` while one is being gathered.")
    def request_data_export(self, auth: Principal, person_id: str, body: export_schemas.RequestExport):
        export = exports.request_export(self.repo, self.exports_repo, auth, person_id, self._person_exists, self.clock())
        self.outbox.kick()
        self.kicks("gather_exports")
        return exports.view(export)

    @api("POST", "/v1/people/<person_id>/data-export", roles=("coordinator", *PEOPLE),
         body=export_schemas.RequestExport, response=export_schemas.ExportView, status=202,
         summary="The same as POST /v1/people/{person_id}/data-exports (the name in the architecture's table)")
    def request_data_export_alias(self, auth: Principal, person_id: str, body: export_schemas.RequestExport):
        return self.request_data_export(auth, person_id, body)

    @api("GET", "/v1/people/<person_id>/data-exports", roles=("coordinator", *PEOPLE),
         response=export_schemas.ExportList, summary="A person's recent data exports, newest first")
    def list_data_exports(self, auth: Principal, person_id: str):
        if not (auth.is_coordinator or auth.person_id == person_id):
            raise NotFound(f"no person {person_id} in this organisation", code="person_not_found")
        return export_schemas.ExportList(
            items=[exports.view(e) for e in self.exports_repo.exports_of(auth.tenant_id, person_id, 20)])

    @api("GET", "/v1/people/<person_id>/data-exports/<export_id>", roles=("coordinator", *PEOPLE),
         response=export_schemas.ExportView, summary="A data export: where it stands, and its download once ready")
    def get_data_export(self, auth: Principal, person_id: str, export_id: str):
        return exports.view(exports.export_for(self.exports_repo, auth, export_id, person_id))

    @api("GET", "/v1/data-exports/<export_id>", roles=("coordinator", *PEOPLE), response=export_schemas.ExportView,
         summary="A data export by its id alone (the architecture's path)")
    def get_data_export_by_id(self, auth: Principal, export_id: str):
        return exports.view(exports.export_for(self.exports_repo, auth, export_id))

    @api("GET", "/v1/people/<person_id>/data-exports/<export_id>/archive", roles=("coordinator", *PEOPLE),
         response_media_type="application/zip",
         summary="Download a ready data export: a .zip of one JSON file per service, summary.txt and summary.html",
         description="409 `export_not_ready` while it is being gathered. Each download is audited.")
    def download_data_export(self, auth: Principal, person_id: str, export_id: str):
        return self._archive(auth, exports.export_for(self.exports_repo, auth, export_id, person_id))

    @api("GET", "/v1/data-exports/<export_id>/archive", roles=("coordinator", *PEOPLE),
         response_media_type="application/zip", summary="Download a ready data export by its id alone")
    def download_data_export_by_id(self, auth: Principal, export_id: str):
        return self._archive(auth, exports.export_for(self.exports_repo, auth, export_id))

    @loop_job(poll_seconds=EXPORT_POLL_SECONDS)
    def gather_exports(self):
        more = exports.gather_due(self.repo, self.exports_repo, self._ask_part, self.clock())
        self.outbox.kick()
        return more

    def _archive(self, auth: Principal, export):
        if export.status != "ready":
            raise Conflict(f"this export is {export.status}, not ready to download", code="export_not_ready")
        data = export_archive.build(export, self.exports_repo.parts(auth.tenant_id, export.id), exports.SERVICES, None)
        exports.record_download(self.repo, auth, export, self.clock())
        return Response(data, status=200, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="ementor-data-{export.id}.zip"',
            "Cache-Control": "private, no-store"})

    def _person_exists(self, tenant_id: str, person_id: str) -> bool:
        try:
            with eventlet.Timeout(RPC_TIMEOUT_SECONDS):
                return bool(self.profiles.get_contacts(tenant_id, [person_id]))
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - profiles away: a clear 503, never a 500
            log.warning("profiles did not answer about person %s: %r", person_id, exc)
            raise Unavailable("the person cannot be checked right now; try again in a minute") from None

    def _ask_part(self, service: str, tenant_id: str, person_id: str) -> dict | None:
        try:
            with eventlet.Timeout(RPC_TIMEOUT_SECONDS):
                return getattr(self, service).export_person(tenant_id, person_id)
        except eventlet.Timeout:
            raise Unavailable(f"{service} did not answer within {RPC_TIMEOUT_SECONDS:.0f} s") from None

    # -- retention periods (retention_settings.py): stored here, announced to the services that delete ----------
    @loop_job(poll_seconds=RETENTION_POLL_SECONDS, leased=True)
    def enforce_audit_retention(self):
        """The audit chain's entries older than the organisation's audit period (audit.trim)."""
        audit.enforce_retention(self.repo, self.clock(), retention_settings.audit_years)

    @api("GET", "/v1/settings/retention", roles=("coordinator",), response=RetentionView,
         summary="The organisation's retention periods: each value, unit, default and allowed range")
    def get_retention(self, auth: Principal):
        return retention_settings.view(self.repo, auth.tenant_id)

    @api("PUT", "/v1/settings/retention", roles=("coordinator",), body=RetentionIn, response=RetentionView,
         summary="Set the organisation's retention periods (a field left out keeps its default)",
         description="422 naming the field and its allowed range for a period out of range (0, or 1000 years). "
                     "Audited; RetentionPeriodsChanged tells messaging, notifications and video, whose jobs "
                     "delete in batches what is past its period.")
    def put_retention(self, auth: Principal, body: RetentionIn):
        view = retention_settings.put(self.repo, auth, body, self.clock())
        self.outbox.kick()
        return view

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
