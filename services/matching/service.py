"""Matching service entrypoints: recommendations, matches and goals, cohort runs, the profile projection."""

from __future__ import annotations

from ementor_contracts import (
    ConcernRaised,
    ConcernResolved,
    GuardianConsentChanged,
    PersonBlocked,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
    ProgrammeCreated,
)
from nameko.rpc import rpc

from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.extension import ServiceDependency
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.principal import Principal
from ementor.platform.revocation import Revocations
from ementor.platform.topic_taxonomy import FollowsTopicTaxonomy

from . import (
    goals,
    handlers,
    match_views,
    organisation_settings,
    projection,
    safeguarding_hooks,
    schemas,
    subject_access,
    topic_taxonomy,
    waiting,
)
from .candidates import CandidateCache
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS
from .repository import MatchingRepository
from .runs import RunExecutor

COORDINATOR = ("coordinator",)
MENTEE_OR_COORDINATOR = ("coordinator", "mentee")


class Candidates(ServiceDependency):
    """This replica's candidate cache (see candidates.py)."""

    def setup(self):
        self.open_database()
        self.cache = CandidateCache(MatchingRepository())

    def get_dependency(self, worker_ctx) -> CandidateCache:
        return self.cache


class MatchingService(Revocations, FollowsTopicTaxonomy):
    name = "matching"

    repo: MatchingRepository = Repository(MatchingRepository, (*DOCUMENTS, *topic_taxonomy.TAXONOMY_DOCUMENTS))
    topic_store = topic_taxonomy.STORE  # FollowsTopicTaxonomy: TopicTaxonomyChanged
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    candidates: CandidateCache = Candidates()
    runs: RunExecutor = RunExecutor()
    settings = AppSettings()

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    # -- the candidate projection, fed by profiles -------------------------------------------------
    @subscribe(ProfileCreated)
    def on_profile_created(self, event: ProfileCreated, envelope):
        projection.on_profile(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(ProfileUpdated)
    def on_profile_updated(self, event: ProfileUpdated, envelope):
        projection.on_profile(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(GuardianConsentChanged)
    def on_guardian_consent(self, event: GuardianConsentChanged, envelope):
        projection.on_guardian_consent(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope):
        projection.on_erased(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(ProgrammeCreated)
    def on_programme_created(self, event: ProgrammeCreated, envelope):
        projection.on_programme(self.repo, envelope.tenantid, event)

    # -- for services whose projection has not seen a match yet --------------------------------------
    @rpc
    def match_facts(self, tenant_id: str, match_id: str) -> dict | None:
        """A match's people and status, or None (messaging asks between a proposal and its event)."""
        match = self.repo.match(tenant_id, match_id)
        if match is None:
            return None
        return {"id": match["_id"], "status": match["status"], "mentor_id": match["mentor_id"],
                "mentee_id": match["mentee_id"], "programme_id": match.get("programme_id"),
                "end_reason": match.get("end_reason")}

    # -- safeguarding: pause on a concern, a lead's decision, a block ---------------------------------------
    @subscribe(ConcernRaised)
    def on_concern_raised(self, event: ConcernRaised, envelope):
        safeguarding_hooks.concern_raised(self.repo, envelope.tenantid, event)

    @subscribe(ConcernResolved)
    def on_concern_resolved(self, event: ConcernResolved, envelope):
        safeguarding_hooks.concern_resolved(self.repo, envelope.tenantid, event)

    @subscribe(PersonBlocked)
    def on_person_blocked(self, event: PersonBlocked, envelope):
        safeguarding_hooks.person_blocked(self.repo, envelope.tenantid, event)

    @rpc
    def pair_facts(self, tenant_id: str, person_id: str, other_id: str) -> dict | None:
        """The newest match between two people (safeguarding asks before a block), or None."""
        match = self.repo.latest_between(tenant_id, person_id, other_id)
        return None if match is None else self.match_facts(tenant_id, match["_id"])

    # -- settings --------------------------------------------------------------------------------------
    @api("GET", "/v1/settings/matching", roles=COORDINATOR, query=schemas.SettingsQuery,
         response=schemas.MatchingSettings, summary="Matching weights and constraints (a programme's, or the default)")
    def get_settings(self, auth: Principal, query: schemas.SettingsQuery):
        return organisation_settings.get_settings(self.repo, auth, query.programme_id)

    @api("PUT", "/v1/settings/matching", roles=COORDINATOR, body=schemas.PutSettings,
         response=schemas.MatchingSettings, summary="Set matching weights and constraints (a programme's, or the default)")
    def put_settings(self, auth: Principal, body: schemas.PutSettings):
        return organisation_settings.put_settings(self.repo, auth, body)

    # -- recommendations -------------------------------------------------------------------------------
    @api("GET", "/v1/people/<person_id>/recommendations", roles=MENTEE_OR_COORDINATOR,
         query=schemas.RecommendationQuery, response=schemas.RecommendationList,
         summary="Mentors for a mentee, best first, each score explained factor by factor")
    def recommendations(self, auth: Principal, person_id: str, query: schemas.RecommendationQuery):
        return handlers.recommendations(self.candidates, auth, person_id, query.limit)

    @api("GET", "/v1/waiting-mentees", roles=COORDINATOR, query=schemas.WaitingQuery, response=schemas.WaitingList,
         summary="Mentees with no proposed or active match, each with how many mentors they could choose from now")
    def waiting_mentees(self, auth: Principal, query: schemas.WaitingQuery):
        return waiting.waiting_mentees(self.repo, self.candidates.get(auth.tenant_id), query)

    # -- matches ---------------------------------------------------------------------------------------
    @api("POST", "/v1/matches", roles=MENTEE_OR_COORDINATOR, body=schemas.ProposeMatch, response=schemas.Match,
         status=201, summary="Propose a match (a coordinator, or a mentee choosing a mentor)")
    def propose(self, auth: Principal, body: schemas.ProposeMatch):
        return match_views.match_view(handlers.propose(self.repo, self.candidates, auth, body))

    @api("GET", "/v1/matches", query=schemas.MatchQuery, response=schemas.MatchList,
         summary="List matches (a person sees their own)")
    def list_matches(self, auth: Principal, query: schemas.MatchQuery):
        return handlers.list_matches(self.repo, auth, query)

    @api("GET", "/v1/matches/<match_id>", response=schemas.Match, summary="Get a match")
    def get_match(self, auth: Principal, match_id: str):
        return match_views.match_view(handlers.visible_match(self.repo, auth, match_id))

    @api("POST", "/v1/matches/<match_id>/accept", body=schemas.ActOnMatch, response=schemas.Match,
         summary="Accept a proposed match for one side; active once both have")
    def accept(self, auth: Principal, match_id: str, body: schemas.ActOnMatch):
        return match_views.match_view(handlers.accept(self.repo, auth, match_id, body))

    @api("POST", "/v1/matches/<match_id>/decline", body=schemas.DeclineMatch, response=schemas.Match,
         summary="Decline a proposed match, with a reason")
    def decline(self, auth: Principal, match_id: str, body: schemas.DeclineMatch):
        return match_views.match_view(handlers.decline(self.repo, auth, match_id, body))

    @api("POST", "/v1/matches/<match_id>/end", body=schemas.EndMatch, response=schemas.Match,
         summary="End an active match")
    def end(self, auth: Principal, match_id: str, body: schemas.EndMatch):
        return match_views.match_view(handlers.end(self.repo, auth, match_id, body))

    # -- goals -----------------------------------------------------------------------------------------
    @api("POST", "/v1/matches/<match_id>/goals", body=schemas.CreateGoal, response=schemas.Goal, status=201,
         summary="Set a goal in an active match")
    def add_goal(self, auth: Principal, match_id: str, body: schemas.CreateGoal):
        return match_views.goal_view(goals.add_goal(self.repo, auth, match_id, body))

    @api("GET", "/v1/matches/<match_id>/goals", response=schemas.GoalList, summary="List a match's goals")
    def list_goals(self, auth: Principal, match_id: str):
        return schemas.GoalList(items=[match_views.goal_view(g) for g in goals.list_goals(self.repo, auth, match_id)])

    @api("POST", "/v1/matches/<match_id>/goals/<goal_id>/complete", response=schemas.Goal,
         summary="Mark a goal complete")
    def complete_goal(self, auth: Principal, match_id: str, goal_id: str):
        return match_views.goal_view(goals.complete_goal(self.repo, auth, match_id, goal_id))

    # -- cohort runs -----------------------------------------------------------------------------------
    @api("POST", "/v1/matching-runs", roles=COORDINATOR, body=schemas.StartRun, response=schemas.MatchingRun,
         status=202, summary="Match every unmatched mentee of a programme at once (optimal assignment)")
    def start_run(self, auth: Principal, body: schemas.StartRun):
        run = handlers.start_run(self.repo, auth, body)
        self.runs.kick()
        return match_views.run_view(run)

    @api("GET", "/v1/matching-runs/<run_id>", roles=COORDINATOR, response=schemas.MatchingRun,
         summary="A matching run's progress, or its result and who could not be matched, and why")
    def get_run(self, auth: Principal, run_id: str):
        return match_views.run_view(handlers.get_run(self.repo, auth, run_id))

    @api("POST", "/v1/matching-runs/<run_id>/publish", roles=COORDINATOR, response=schemas.MatchingRun,
         summary="Propose a reviewed run's pairs as matches (a run started with publish false); again: no change")
    def publish_run(self, auth: Principal, run_id: str):
        return match_views.run_view(handlers.publish_run(self.repo, auth, run_id))
