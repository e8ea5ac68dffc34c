"""Insights service entrypoints: the projections' subscribers, the reports, the risk announcements."""

from __future__ import annotations

import logging

from ementor_contracts import (
    CloudEvent,
    GoalCompleted,
    GoalSet,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    MessageApproved,
    MessageHeld,
    MessageRejected,
    MessageSent,
    NotificationSent,
    PersonErased,
    ProfileCreated,
    ProgrammeCreated,
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from nameko.rpc import rpc
from werkzeug.wrappers import Response

from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.principal import Principal
from ementor.platform.revocation import Revocations
from ementor.platform.schedule import leased_timer

from . import announcing, handlers, intake, schemas, subject_access
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, utcnow
from .repository import InsightsRepository

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
ANNOUNCE_TICK_SECONDS = 30.0


class InsightsService(Revocations):
    name = "insights"

    repo: InsightsRepository = Repository(InsightsRepository, DOCUMENTS)
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    settings = AppSettings()

    def _feed(self, event, envelope: CloudEvent) -> None:
        intake.apply(self.repo, envelope.tenantid, event, envelope.time, utcnow())

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    # -- reports ----------------------------------------------------------------------------
    @api("GET", "/v1/insights/overview", roles=COORDINATOR, query=schemas.RangeQuery, response=schemas.Overview,
         summary="Engagement of the organisation or one programme over a date range, as chart-ready weekly series")
    def overview(self, auth: Principal, query: schemas.RangeQuery):
        report = handlers.overview(self.repo, auth, query.programme_id, query.from_, query.to)
        return schemas.Overview.model_validate(report).model_dump(mode="json", by_alias=True)

    @api("GET", "/v1/insights/matches", roles=COORDINATOR, query=schemas.MatchesQuery,
         response=schemas.MatchHealthList,
         summary="Active matches with their health score and its reasons; `health=at_risk` for those below the line")
    def matches(self, auth: Principal, query: schemas.MatchesQuery):
        items, cursor = handlers.matches(self.repo, auth, query.health, query.programme_id, query.cursor, query.limit)
        return schemas.MatchHealthList(items=items, next_cursor=cursor)

    @api("GET", "/v1/insights/export", roles=COORDINATOR, query=schemas.ExportQuery, response=schemas.Export,
         summary="One table of the reports (weekly, funnel, matches, topics, reply_times) as CSV or JSON")
    def export(self, auth: Principal, query: schemas.ExportQuery):
        rows = handlers.export_rows(self.repo, auth, query.table, query.programme_id, query.from_, query.to)
        if query.format == "json":
            return schemas.Export(table=query.table, rows=rows).model_dump(mode="json")
        return Response(handlers.to_csv(rows), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="insights-{query.table}.csv"'})

    @api("GET", "/v1/insights/platform", auth="operator", query=schemas.PlatformQuery, response=schemas.Overview,
         summary="The operator's view: every organisation added up, anonymously (no organisation or person named)")
    def platform(self, auth: Principal, query: schemas.PlatformQuery):
        report = handlers.platform_overview(self.repo, query.from_, query.to)
        return schemas.Overview.model_validate(report).model_dump(mode="json", by_alias=True)

    # -- the projections --------------------------------------------------------------------
    @subscribe(ProgrammeCreated)
    def on_programme_created(self, event: ProgrammeCreated, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(ProfileCreated)
    def on_profile_created(self, event: ProfileCreated, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MatchProposed)
    def on_match_proposed(self, event: MatchProposed, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MatchAccepted)
    def on_match_accepted(self, event: MatchAccepted, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MatchDeclined)
    def on_match_declined(self, event: MatchDeclined, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MatchEnded)
    def on_match_ended(self, event: MatchEnded, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(GoalSet)
    def on_goal_set(self, event: GoalSet, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(GoalCompleted)
    def on_goal_completed(self, event: GoalCompleted, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MessageSent)
    def on_message_sent(self, event: MessageSent, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MessageHeld)
    def on_message_held(self, event: MessageHeld, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MessageApproved)
    def on_message_approved(self, event: MessageApproved, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(MessageRejected)
    def on_message_rejected(self, event: MessageRejected, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(SessionScheduled)
    def on_session_scheduled(self, event: SessionScheduled, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(SessionRescheduled)
    def on_session_rescheduled(self, event: SessionRescheduled, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(SessionCancelled)
    def on_session_cancelled(self, event: SessionCancelled, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(NotificationSent)
    def on_notification_sent(self, event: NotificationSent, envelope: CloudEvent):
        self._feed(event, envelope)

    # -- scheduled jobs ---------------------------------------------------------------------
    @leased_timer(interval=ANNOUNCE_TICK_SECONDS)
    def announce_risks(self):
        announced = announcing.announce_due(self.repo, utcnow())
        if announced:
            log.info("insights: %d match(es) newly at risk", announced)
