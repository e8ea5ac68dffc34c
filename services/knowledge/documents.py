"""How the knowledge service stores its data: one database, alias `knowledge`.

The platform library is not stored here: it is read from content/library at start (see
docs/knowledge.md). What is stored is each organisation's own articles, their published
versions, the platform articles it hides, the people and matches it needs to know, and questions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from bson import ObjectId
from mongoengine import BooleanField, DateTimeField, DictField, IntField, ListField, StringField

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

ALIAS = "knowledge"
STATS_DAYS_MAX = 365  # the longest window the advice statistics look back
QUESTION_KEPT_DAYS = STATS_DAYS_MAX + 1  # then no statistic can count a question, so it is deleted (TTL)


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class OwnArticle(OutboxDocument):
    """An organisation's own article: the draft being edited and, once published, what readers see."""

    id = StringField(primary_key=True, default=new_id)
    draft = DictField(required=True)  # title, summary, body, audience, min_age, tags, language
    published = DictField()  # the fields of the version readers see; empty until first published
    version = IntField(default=0)  # the published version number; 0 = never published
    status = StringField(required=True, choices=("draft", "published"), default="draft")
    created_by = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted = BooleanField(default=False)  # a tombstone until its ArticleRemoved is out

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "articles",
        "indexes": [("tenant_id", "status", "deleted"), ("tenant_id", "deleted", "_id")],
    }


class ArticleVersion(TenantDocument):
    """Every published version of an organisation's article, kept for history."""

    id = StringField(primary_key=True)  # "<article_id>:<version>"
    article_id = StringField(required=True)
    version = IntField(required=True)
    fields = DictField(required=True)
    published_by = StringField(required=True)
    published_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "article_versions",
        "indexes": [{"fields": ["tenant_id", "article_id", "version"], "unique": True}],
    }


class LibraryState(TenantDocument):
    """Per organisation: the platform articles it hides, and a counter that moves on every change,
    so each replica knows when its cached search index of the organisation is stale."""

    id = StringField(primary_key=True)  # the tenant id
    hidden = ListField(StringField())
    revision = IntField(default=0)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "library_state"}


class PersonView(TenantDocument):
    """What the rules need of a person, from profiles' events: role, minor or not, interests."""

    id = StringField(primary_key=True)  # "<tenant_id>:<person_id>"
    person_id = StringField(required=True)
    role = StringField(required=True)
    is_minor = BooleanField(default=True)
    interests = ListField(StringField())
    languages = ListField(StringField())
    programme_id = StringField()  # named in the reading events insights counts per programme

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "people"}


class MatchView(TenantDocument):
    """The person's conversations, from matching's events: where "ask my mentor" posts."""

    id = StringField(primary_key=True)  # "<tenant_id>:<match_id>"
    match_id = StringField(required=True)
    mentor_id = StringField(required=True)
    mentee_id = StringField(required=True)
    status = StringField(required=True)  # active | ended

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "matches",
        "indexes": [("tenant_id", "mentee_id", "status"), ("tenant_id", "mentor_id", "status")],
    }


class GoalView(TenantDocument):
    """A goal of a match, from matching's events: its topic labels only (the title stays in matching)."""

    id = StringField(primary_key=True)  # "<tenant_id>:<goal_id>"
    goal_id = StringField(required=True)
    match_id = StringField(required=True)
    topics = ListField(StringField())
    completed = BooleanField(default=False)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "goals", "indexes": [("tenant_id", "match_id")]}


TOPIC_WINDOW_DAYS = 30


class TopicMention(TenantDocument):
    """The topic labels of one delivered message (MessageSent: labels only, never text), kept 30 days."""

    id = StringField(primary_key=True)  # "<tenant_id>:<message_id>"
    match_id = StringField(required=True)
    sender_id = StringField(required=True)
    recipient_id = StringField(required=True)
    topics = ListField(StringField())
    at = DateTimeField(required=True)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "topic_mentions",
        "indexes": [("tenant_id", "sender_id", "at"), ("tenant_id", "recipient_id", "at"),
                    {"fields": ["at"], "expireAfterSeconds": TOPIC_WINDOW_DAYS * 86_400}],
    }


class Question(OutboxDocument):
    """A question asked, kept for aggregate statistics only and for QUESTION_KEPT_DAYS: no asker is
    stored with it, but a child may write anything in one."""

    id = StringField(primary_key=True, default=new_id)
    text = StringField(required=True)
    language = StringField(required=True)
    asker_role = StringField(required=True)
    answered = BooleanField(required=True)
    article_ids = ListField(StringField())
    asked_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "questions",
        "indexes": [("tenant_id", "asked_at"),
                    {"fields": ["asked_at"], "expireAfterSeconds": QUESTION_KEPT_DAYS * 86_400}],
    }


class Share(OutboxDocument):
    """An article a mentor shared into a conversation (the message itself lives in messaging)."""

    id = StringField(primary_key=True, default=new_id)
    article_id = StringField(required=True)
    match_id = StringField(required=True)
    shared_by = StringField(required=True)
    message_id = StringField(required=True)
    shared_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "shares",
        "indexes": [("tenant_id", "match_id"), ("tenant_id", "shared_by")],
    }


class ArticleFeedback(TenantDocument):
    """"Was this helpful?" per article, as two counters (each reader counted once: FeedbackAnswer)."""

    id = StringField(primary_key=True)  # "<tenant_id>:<article_id>"
    article_id = StringField(required=True)
    helpful = IntField(default=0)
    not_helpful = IntField(default=0)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "article_feedback",
                            "indexes": [("tenant_id", "article_id")]}


class FeedbackAnswer(OutboxDocument):
    """One reader's current answer to "Was this helpful?" on one article: kept so a reader is counted once and
    a change of mind moves their count; shown to staff only as the counters; erased with the person."""

    id = StringField(primary_key=True)  # "<tenant_id>:<article_id>:<person_id>"
    article_id = StringField(required=True)
    person_id = StringField(required=True)
    helpful = BooleanField(required=True)
    answered_at = DateTimeField(default=utcnow)
    seq = IntField(default=1)  # one more per change of mind: ArticleRated's answer_seq

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "feedback_answers",
                            "indexes": [("tenant_id", "person_id")]}


class Reading(OutboxDocument):
    """The first time a person opened an article: ArticleRead goes out once per reader and article."""

    id = StringField(primary_key=True)  # "<tenant_id>:<article_id>:<person_id>"
    article_id = StringField(required=True)
    person_id = StringField(required=True)
    first_read_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "readings",
                            "indexes": [("tenant_id", "person_id")]}


DOCUMENTS = (OwnArticle, ArticleVersion, LibraryState, PersonView, MatchView, GoalView, TopicMention, Question, Share,
             ArticleFeedback, FeedbackAnswer, Reading)
OUTBOX_DOCUMENTS = (OwnArticle, Question, Share, FeedbackAnswer, Reading)
