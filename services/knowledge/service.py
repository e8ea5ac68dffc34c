"""Knowledge service entrypoints: the article library, search, advice, sharing and recommendations."""

from __future__ import annotations

import logging
from pathlib import Path

import eventlet
from ementor_contracts import (
    ArticleShared,
    CloudEvent,
    GoalCompleted,
    GoalSet,
    MatchAccepted,
    MatchEnded,
    MessageSent,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
)
from eventlet import tpool
from nameko.rpc import RpcProxy, rpc

from ementor.platform import topics
from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, Unavailable
from ementor.platform.extension import ServiceDependency
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.principal import Principal
from ementor.platform.revocation import Revocations
from ementor.platform.settings import KnowledgeSettings
from ementor.platform.topic_taxonomy import FollowsTopicTaxonomy

from . import advice, handlers, schemas, subject_access, topic_taxonomy
from .catalogue import Catalogue
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, Share
from .library import DEFAULT_LIBRARY, load_library
from .repository import KnowledgeRepository

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
STAFF = ("coordinator", "safeguarding")
MESSAGING_TIMEOUT_SECONDS = 5.0
REFUSALS = {"NotFound": NotFound, "Conflict": Conflict, "Forbidden": Forbidden, "Invalid": Invalid}


class LibraryCatalogue(ServiceDependency):
    """The platform library, read once at start, and each organisation's search index."""

    settings_section = KnowledgeSettings

    def setup(self):
        folder = Path(self.settings.EMENTOR_KNOWLEDGE_LIBRARY or DEFAULT_LIBRARY)
        articles = load_library(folder)
        self.catalogue = Catalogue(articles, offload=tpool.execute)
        log.info("knowledge: %d platform articles (%d passages) from %s", len(articles),
                 len(self.catalogue.platform_index), folder)

    def get_dependency(self, worker_ctx) -> Catalogue:
        return self.catalogue


class KnowledgeService(Revocations, FollowsTopicTaxonomy):
    name = "knowledge"

    repo: KnowledgeRepository = Repository(KnowledgeRepository, (*DOCUMENTS, *topic_taxonomy.TAXONOMY_DOCUMENTS))
    topic_store = topic_taxonomy.STORE  # FollowsTopicTaxonomy: TopicTaxonomyChanged
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    settings = AppSettings()
    catalogue: Catalogue = LibraryCatalogue()
    messaging = RpcProxy("messaging")

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    # -- articles ---------------------------------------------------------------------------
    @api("GET", "/v1/articles", query=schemas.ArticlesQuery, response=schemas.ArticleList,
         summary="The articles you may read: the platform library and your organisation's own")
    def list_articles(self, auth: Principal, query: schemas.ArticlesQuery):
        return handlers.list_articles(self.repo, self.catalogue, auth, query)

    @api("POST", "/v1/articles", roles=COORDINATOR, body=schemas.ArticleFields, response=schemas.Article,
         status=201, summary="Write an article for your organisation (a draft until published)")
    def create_article(self, auth: Principal, body: schemas.ArticleFields):
        article = handlers.create_article(self.repo, auth, body)
        return handlers.get_article(self.repo, self.catalogue, auth, article.id)

    @api("GET", "/v1/articles/search", query=schemas.SearchQuery, response=schemas.PassageList,
         summary="Search passages of the articles you may read, best first")
    def search(self, auth: Principal, query: schemas.SearchQuery):
        hits = advice.search(self.repo, self.catalogue, auth, query.q, query.limit)
        return schemas.PassageList(items=[advice.hit_view(h) for h in hits])

    @api("GET", "/v1/articles/recommended", query=schemas.RecommendedQuery, response=schemas.RecommendedList,
         summary="Articles for a person from their interests, open goals and recent conversation topics, "
                 "each with its reasons (a person token: their own)")
    def recommended(self, auth: Principal, query: schemas.RecommendedQuery):
        return advice.recommended(self.repo, self.catalogue, auth, query)

    @api("GET", "/v1/articles/<article_id>", response=schemas.Article,
         summary="One article: Markdown as written and escaped HTML; staff also see the draft")
    def get_article(self, auth: Principal, article_id: str):
        return handlers.get_article(self.repo, self.catalogue, auth, article_id)

    @api("PATCH", "/v1/articles/<article_id>", roles=COORDINATOR, body=schemas.PatchArticle,
         response=schemas.Article,
         summary="Edit your article's draft, or hide/show a platform article ({\"hidden\": true})")
    def patch_article(self, auth: Principal, article_id: str, body: schemas.PatchArticle):
        return handlers.patch_article(self.repo, self.catalogue, auth, article_id, body)

    @api("POST", "/v1/articles/<article_id>/publish", roles=COORDINATOR, response=schemas.Article,
         summary="Publish the draft as a new version that readers see")
    def publish_article(self, auth: Principal, article_id: str):
        return handlers.publish_article(self.repo, self.catalogue, auth, article_id)

    @api("GET", "/v1/articles/<article_id>/versions", roles=STAFF, response=schemas.VersionList,
         summary="Published versions of your article, newest first")
    def article_versions(self, auth: Principal, article_id: str):
        return handlers.versions(self.repo, auth, article_id)

    @api("DELETE", "/v1/articles/<article_id>", roles=COORDINATOR, status=204,
         summary="Delete your organisation's article (platform articles are hidden instead)")
    def delete_article(self, auth: Principal, article_id: str):
        handlers.delete_article(self.repo, self.catalogue, auth, article_id)

    @api("POST", "/v1/articles/<article_id>/share", roles=("mentor",), body=schemas.ShareArticle,
         response=schemas.Shared, status=201,
         summary="Share an article into your conversation with your mentee, as a card")
    def share_article(self, auth: Principal, article_id: str, body: schemas.ShareArticle):
        article, _ = handlers.readable_article(self.repo, self.catalogue, auth, article_id)
        match_id = advice.conversation_for(self.repo, auth, body.match_id)
        card = {"kind": "article", "article_id": article.id, "title": article.title}
        posted = self._post(auth, match_id, f"Shared an article: {article.title}", card)
        share = Share(tenant_id=auth.tenant_id, article_id=article.id, match_id=match_id, shared_by=auth.person_id,
                      message_id=posted["message_id"])
        share.record(ArticleShared(share_id=share.id, article_id=article.id, match_id=match_id,
                                   shared_by=auth.person_id, message_id=posted["message_id"]))
        self.repo.add_share(share)
        return schemas.Shared(share_id=share.id, article_id=article.id, message_id=posted["message_id"],
                              match_id=match_id, status=posted["status"])

    @api("POST", "/v1/articles/<article_id>/feedback", roles=("mentor", "mentee"), body=schemas.Helpful,
         response=schemas.FeedbackRecorded, status=201,
         summary="Was this article helpful? One answer per reader per article; answering again replaces it")
    def article_feedback(self, auth: Principal, article_id: str, body: schemas.Helpful):
        return handlers.record_feedback(self.repo, self.catalogue, auth, article_id, body)

    # -- advice -----------------------------------------------------------------------------
    @api("POST", "/v1/advice", body=schemas.AskAdvice, response=schemas.Advice,
         summary="Ask in your own words: the library's best passages, or an offer to ask your mentor")
    def ask(self, auth: Principal, body: schemas.AskAdvice):
        return advice.ask(self.repo, self.catalogue, auth, body.question)

    @api("POST", "/v1/advice/ask-mentor", roles=("mentee",), body=schemas.AskMentor,
         response=schemas.PostedMessage, status=201,
         summary="Send your question to your mentor as a message (moderated like any other)")
    def ask_mentor(self, auth: Principal, body: schemas.AskMentor):
        match_id = advice.conversation_for(self.repo, auth, body.match_id)
        posted = self._post(auth, match_id, body.question, None)
        return schemas.PostedMessage(message_id=posted["message_id"], match_id=match_id, status=posted["status"])

    @api("GET", "/v1/advice/stats", roles=STAFF, query=schemas.StatsQuery, response=schemas.AdviceStats,
         summary="Questions asked, in aggregate only: how many, how many answered, which articles helped")
    def advice_stats(self, auth: Principal, query: schemas.StatsQuery):
        return advice.stats(self.repo, auth, query.days)

    # -- events -----------------------------------------------------------------------------
    @subscribe(ProfileCreated)
    def on_profile_created(self, event: ProfileCreated, envelope: CloudEvent):
        self._record_person(envelope.tenantid, event)

    @subscribe(ProfileUpdated)
    def on_profile_updated(self, event: ProfileUpdated, envelope: CloudEvent):
        self._record_person(envelope.tenantid, event)

    @subscribe(MatchAccepted)
    def on_match_accepted(self, event: MatchAccepted, envelope: CloudEvent):
        self.repo.record_match(envelope.tenantid, event.match_id, event.mentor_id, event.mentee_id, "active")

    @subscribe(MatchEnded)
    def on_match_ended(self, event: MatchEnded, envelope: CloudEvent):
        self.repo.record_match(envelope.tenantid, event.match_id, event.mentor_id, event.mentee_id, "ended")

    @subscribe(GoalSet)
    def on_goal_set(self, event: GoalSet, envelope: CloudEvent):
        self.repo.record_goal(envelope.tenantid, event.goal_id, event.match_id, list(event.topics))

    @subscribe(GoalCompleted)
    def on_goal_completed(self, event: GoalCompleted, envelope: CloudEvent):
        self.repo.complete_goal(envelope.tenantid, event.goal_id, event.match_id)

    @subscribe(MessageSent, when=lambda event: bool(_topic_labels(event)))  # small talk: no inbox write
    def on_message_sent(self, event: MessageSent, envelope: CloudEvent):
        # labels only: messaging never sends the text
        self.repo.record_topics(envelope.tenantid, event.message_id, event.match_id, event.sender_id,
                                event.recipient_id, _topic_labels(event), envelope.time)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope: CloudEvent):
        self.repo.forget_person(envelope.tenantid, event.person_id)

    # -- helpers ----------------------------------------------------------------------------
    def _record_person(self, tenant_id: str, event) -> None:
        self.repo.record_person(tenant_id, event.person_id, event.role, event.is_minor, list(event.interests),
                                list(event.languages), event.programme_id)

    def _post(self, auth: Principal, match_id: str, body: str, card: dict | None) -> dict:
        """Post through messaging's moderated path; its refusals become ours, its silence a 503."""
        try:
            with eventlet.Timeout(MESSAGING_TIMEOUT_SECONDS):
                posted = self.messaging.post_for_person.call_async(
                    auth.tenant_id, auth.person_id, auth.role, match_id, body, card).result()
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - any failure: try again later, never a 500
            log.warning("knowledge: messaging did not answer post_for_person (%r)", exc)
            raise Unavailable("messages cannot be sent right now; try again in a minute") from None
        if not posted.get("ok"):
            if posted.get("error") == "RateLimited":
                raise RateLimited(posted["message"], retry_after=posted.get("retry_after") or 60)
            refusal = REFUSALS.get(posted.get("error"), Conflict)
            raise refusal(posted.get("message", "the message was refused"), code=posted.get("code"))
        return posted


def _topic_labels(event: MessageSent) -> list[str]:
    """What a message was about, small talk left out: what the advice follows."""
    return [t for t in event.topics if t != topics.SMALL_TALK]
