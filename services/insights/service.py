"""Insights service entrypoints: the projections' subscribers, the reports, the risk announcements."""

from __future__ import annotations

import logging

from ementor_contracts import (
    AdviceAsked,
    ArticleRated,
    ArticleRead,
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
    ProfileUpdated,
    ProgrammeCreated,
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
    SurveySubmitted,
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
from ementor.platform.topic_taxonomy import FollowsTopicTaxonomy

from . import (
    announcing,
    handlers,
    intake,
    projection,
    schemas,
    subject_access,
    survey_handlers,
    survey_projection,
    topic_taxonomy,
)
from . import survey_schemas as ss
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, Survey, utcnow
from .repository import InsightsRepository

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
ANNOUNCE_TICK_SECONDS = 30.0
SURVEY_TICK_SECONDS = 30.0
PERSON = ("mentor", "mentee")


class InsightsService(Revocations, FollowsTopicTaxonomy):
    name = "insights"

    repo: InsightsRepository = Repository(InsightsRepository, (*DOCUMENTS, *topic_taxonomy.TAXONOMY_DOCUMENTS))
    topic_store = topic_taxonomy.STORE  # FollowsTopicTaxonomy: TopicTaxonomyChanged
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
         summary="One table of the reports (weekly, funnel, matches, topics, reply_times, articles, survey_rates, "
                 "survey_scores, survey_comments) as CSV or JSON")
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

    # -- surveys ----------------------------------------------------------------------------
    @api("GET", "/v1/surveys/templates/<programme_id>", roles=COORDINATOR, response=ss.SurveyTemplateView,
         summary="A programme's survey template (the default until one is saved)")
    def get_survey_template(self, auth: Principal, programme_id: str):
        return ss.SurveyTemplateView.model_validate(survey_handlers.get_template(self.repo, auth, programme_id))

    @api("PUT", "/v1/surveys/templates/<programme_id>", roles=COORDINATOR, body=ss.SurveyTemplateBody,
         response=ss.SurveyTemplateView,
         summary="Replace a programme's survey template: 1-5 rating questions, an optional comment, the moments")
    def put_survey_template(self, auth: Principal, programme_id: str, body: ss.SurveyTemplateBody):
        saved = survey_handlers.put_template(self.repo, auth, programme_id, body.model_dump(mode="json"), utcnow())
        return ss.SurveyTemplateView.model_validate(saved)

    @api("GET", "/v1/surveys", roles=PERSON, response=ss.SurveyList,
         summary="The signed-in participant's open surveys, newest first")
    def my_surveys(self, auth: Principal):
        return ss.SurveyList(items=survey_handlers.my_surveys(self.repo, auth, utcnow()))

    @api("GET", "/v1/surveys/<survey_id>", roles=PERSON, response=ss.SurveyView,
         summary="One of the participant's surveys: its questions and whether it is still open")
    def get_survey(self, auth: Principal, survey_id: str):
        return ss.SurveyView.model_validate(survey_handlers.get_survey(self.repo, auth, survey_id, utcnow()))

    @api("POST", "/v1/survey-responses", roles=PERSON, body=ss.SurveyAnswer, response=ss.SurveyAnswered, status=201,
         summary="Answer a survey (once): a 1-5 rating per question and an optional comment for staff",
         description="Someone else's survey is 404. Answered already: 409 `survey_already_answered`; closed "
                     "(its window passed, or a session/midpoint survey of a match that ended): 409 `survey_closed` "
                     "with `details.reason` `window_passed` or `match_ended`; a missing, unknown or out-of-range "
                     "rating: 422 `bad_answer` naming the field. Publishes SurveySubmitted (scores only).")
    def answer_survey(self, auth: Principal, body: ss.SurveyAnswer):
        answered, pending = survey_handlers.answer(self.repo, auth, body.survey_id, body.ratings, body.comment,
                                                   utcnow())
        self.outbox.hand_over(Survey, auth.tenant_id, f"{auth.tenant_id}:{body.survey_id}", [pending])
        return ss.SurveyAnswered.model_validate(answered)

    @api("GET", "/v1/insights/surveys", roles=COORDINATOR, query=schemas.RangeQuery, response=ss.SurveyResults,
         summary="Survey results of the organisation or one programme: response rate per moment, scores per "
                 "question, comments (staff only)")
    def survey_results(self, auth: Principal, query: schemas.RangeQuery):
        report = survey_handlers.results(self.repo, auth, query.programme_id, query.from_, query.to)
        return ss.SurveyResults.model_validate(report).model_dump(mode="json", by_alias=True)

    # -- the projections --------------------------------------------------------------------
    @subscribe(ProgrammeCreated)
    def on_programme_created(self, event: ProgrammeCreated, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(ProfileCreated)
    def on_profile_created(self, event: ProfileCreated, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(ProfileUpdated)
    def on_profile_updated(self, event: ProfileUpdated, envelope: CloudEvent):
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

    @subscribe(NotificationSent, when=projection.is_nudge)  # most notifications are not: no inbox write for them
    def on_notification_sent(self, event: NotificationSent, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(ArticleRead)
    def on_article_read(self, event: ArticleRead, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(ArticleRated)
    def on_article_rated(self, event: ArticleRated, envelope: CloudEvent):
        self._feed(event, envelope)

    @subscribe(SurveySubmitted)
    def on_survey_submitted(self, event: SurveySubmitted, envelope: CloudEvent):
        """Its own event: counts an answer whose request stopped before counting it (once: idempotent)."""
        self._feed(event, envelope)

    @subscribe(AdviceAsked)
    def on_advice_asked(self, event: AdviceAsked, envelope: CloudEvent):
        self._feed(event, envelope)

    # -- scheduled jobs ---------------------------------------------------------------------
    @leased_timer(interval=ANNOUNCE_TICK_SECONDS)
    def announce_risks(self):
        announced = announcing.announce_due(self.repo, utcnow())
        if announced:
            log.info("insights: %d match(es) newly at risk", announced)

    @leased_timer(interval=SURVEY_TICK_SECONDS)
    def issue_surveys(self):
        issued = survey_projection.issue_due(self.repo, utcnow())
        if issued:
            log.info("insights: %d survey(s) issued", issued)
