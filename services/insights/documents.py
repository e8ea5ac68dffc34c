"""How insights stores its projections: one database, alias `insights`.

Growth with history: one small `facts` entry per message, session, goal, held message and
nudge (ids, times and contributions, never text), one `matches` entry per match, and counter
`buckets` per (scope, week). Reports read buckets only: a date range of W weeks reads at most
W buckets per scope, however many messages the organisation has.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from mongoengine import BooleanField, DateTimeField, DictField, IntField, ListField, StringField

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

ALIAS = "insights"


def utcnow() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Fact(TenantDocument):
    """One thing that happened (a message, a session...), its merged state and what it adds."""

    id = StringField(primary_key=True)  # "<tenant_id>:<key>"
    key = StringField(required=True)  # e.g. "message:<id>", "session:<id>", "nudge:<cause>:<match>"
    kind = StringField(required=True)
    match_id = StringField()
    at = DateTimeField()
    sender_id = StringField()
    person_id = StringField()  # for facts about a person not yet tied to a match (a nudge they got)
    state = DictField()
    contrib = DictField()  # "scope|period|name" -> amount, as applied to the counters
    pending = DictField()  # a difference stored but not yet applied (applied on the next touch)
    version = IntField(default=0)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "facts",
        "indexes": [
            {"fields": ["tenant_id", "key"], "unique": True},
            ("tenant_id", "match_id", "kind", "at"),
            {"fields": ["tenant_id", "person_id", "kind"], "sparse": True},
        ],
    }


class Bucket(TenantDocument):
    """Counters of one scope (the organisation, or a programme) over one week, or over all time."""

    id = StringField(primary_key=True)  # "<tenant_id>|<scope>|<period>"
    scope = StringField(required=True)
    period = StringField(required=True)
    c = DictField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "buckets",
        "indexes": [{"fields": ["tenant_id", "scope", "period"], "unique": True}],
    }


class Match(OutboxDocument):
    """A match: who, which programme, its own counters and its health (ids and numbers only)."""

    id = StringField(primary_key=True)  # "<tenant_id>:<match_id>"
    match_id = StringField(required=True)
    programme_id = StringField()  # "" when the match has no programme
    programme_known = BooleanField(default=False)
    mentor_id = StringField()
    mentee_id = StringField()
    status = StringField(default="unknown")  # proposed | active | ended | declined
    accepted_at = DateTimeField()
    ended_at = DateTimeField()
    first_message_at = DateTimeField()
    last_message_at = DateTimeField()
    last_sender_id = StringField()
    counters = DictField()
    score = IntField()
    reasons = ListField(StringField())
    risk_at = DateTimeField()  # when the score falls (or fell) below the line; null: not foreseen
    risk_pending = BooleanField(default=False)  # a RelationshipAtRisk is owed once risk_at passes
    announced_at = DateTimeField()
    version = IntField(default=0)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "matches",
        "indexes": [
            {"fields": ["tenant_id", "match_id"], "unique": True},
            ("tenant_id", "mentor_id", "status"),
            ("tenant_id", "mentee_id", "status"),
            ("tenant_id", "status", "match_id", "risk_at"),
            ("tenant_id", "programme_id", "status", "match_id", "risk_at"),
            # The announcing job looks across organisations for risks that came due.
            ("risk_pending", "risk_at"),
        ],
    }


class Programme(TenantDocument):
    """A programme we have heard of: a report for an unknown one is a 404."""

    id = StringField(primary_key=True)  # "<tenant_id>:<programme_id>"
    programme_id = StringField(required=True)
    name = StringField()
    created_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "programmes",
        "indexes": [{"fields": ["tenant_id", "programme_id"], "unique": True}],
    }


class SurveyTemplate(TenantDocument):
    """A programme's survey template (questions, comment, moments); the default until a coordinator sets one."""

    id = StringField(primary_key=True)  # "<tenant_id>:<programme_id>"
    programme_id = StringField(required=True)
    template = DictField()
    updated_at = DateTimeField()
    updated_by = StringField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "survey_templates",
        "indexes": [{"fields": ["tenant_id", "programme_id"], "unique": True}],
    }


class SurveyDue(TenantDocument):
    """A moment a survey will fall due (a session's end, a match's midpoint or end), merged from events."""

    id = StringField(primary_key=True)  # "<tenant_id>:<moment>:<match_id>:<session_id or ''>"
    match_id = StringField(required=True)
    moment = StringField(required=True)
    session_id = StringField()
    due_at = DateTimeField()
    seq = IntField()  # the session's highest iCalendar sequence seen
    status = StringField(default="pending")  # pending | issued | void (cancelled, or the match ended first)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "survey_dues",
        # The issuing job looks across organisations for moments that came due.
        "indexes": [("status", "due_at")],
    }


class Survey(OutboxDocument):
    """One participant's survey for one moment of a match: the questions asked, and their answer."""

    id = StringField(primary_key=True)  # "<tenant_id>:<survey_id>"
    survey_id = StringField(required=True)
    match_id = StringField(required=True)
    person_id = StringField()  # None once the person is erased (the ratings stay, anonymous)
    role = StringField(required=True)
    programme_id = StringField()  # "" when the match has no programme
    moment = StringField(required=True)
    session_id = StringField()
    locale = StringField()  # the language its default questions were written in for the participant (en, es)
    questions = ListField(DictField())
    comment_enabled = BooleanField(default=True)
    comment_prompt = StringField()
    issued_at = DateTimeField(required=True)
    closes_at = DateTimeField(required=True)
    answered_at = DateTimeField()
    ratings = DictField()
    comment = StringField()  # staff only; never in an event

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "surveys",
        "indexes": [
            {"fields": ["tenant_id", "survey_id"], "unique": True},
            ("tenant_id", "person_id", "answered_at", "closes_at"),
            ("tenant_id", "programme_id", "issued_at"),
            ("tenant_id", "issued_at"),
        ],
    }


DOCUMENTS = (Fact, Bucket, Match, Programme, SurveyTemplate, SurveyDue, Survey)
OUTBOX_DOCUMENTS = (Match, Survey)
