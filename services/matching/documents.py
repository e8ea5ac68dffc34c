"""How matching is stored: one database, alias `matching`.

Candidates are a projection of profiles (no contact details: matching never needs them). A
match carries its events in its own outbox, so a state change and its event are one write. A
mentor's load is its own small document, changed only by atomic conditional updates, so two
replicas accepting at once can never fill a mentor beyond capacity.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    FloatField,
    IntField,
    ListField,
    StringField,
)

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

from .domain import ACTIVE, DECLINED, ENDED, PROPOSED

ALIAS = "matching"

MATCH_STATUSES = (PROPOSED, ACTIVE, DECLINED, ENDED)
QUEUED, RUNNING, COMPLETED, FAILED = "queued", "running", "completed", "failed"


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Candidate(TenantDocument):
    """What matching knows of a person: the attributes scoring reads, from profile events."""

    id = StringField(primary_key=True)  # the person id
    role = StringField(choices=("mentor", "mentee"))
    programme_id = StringField()
    timezone = StringField()
    languages = ListField(StringField())
    interests = ListField(StringField())
    capacity = IntField(default=0)
    is_minor = BooleanField(default=False)
    vetted = BooleanField(default=False)
    custom_fields = DictField()
    erased = BooleanField(default=False)  # a tombstone: late profile events cannot bring it back
    guardian_consent = StringField()  # a minor mentee's guardian consent state (profile snapshots, GuardianConsentChanged)
    consent_at = DateTimeField()  # time of the consent state applied; older ones are ignored
    snapshot_at = DateTimeField()  # time of the profile event applied; older snapshots are ignored
    updated_at = DateTimeField(default=utcnow)

    meta = {  # noqa: RUF012 - mongoengine reads it from the class
        "db_alias": ALIAS,
        "collection": "candidates",
        "indexes": [("tenant_id", "programme_id", "role"), ("tenant_id", "updated_at")],
    }


class Programme(TenantDocument):
    """A programme and its custom fields (from ProgrammeCreated), to check settings against."""

    id = StringField(primary_key=True)
    name = StringField()
    custom_fields = ListField(DictField())  # [{"key", "type", "options"}]
    updated_at = DateTimeField(default=utcnow)

    meta = {"db_alias": ALIAS, "collection": "programmes"}  # noqa: RUF012


class MatchingSettings(TenantDocument):
    """An organisation's scoring weights and constraints; programme_id None is its default."""

    programme_id = StringField()
    weights = DictField()
    min_shared_interests = IntField(default=1)
    field_key = StringField()
    updated_at = DateTimeField(default=utcnow)

    meta = {  # noqa: RUF012 - mongoengine reads it from the class
        "db_alias": ALIAS,
        "collection": "settings",
        "indexes": [{"fields": ["tenant_id", "programme_id"], "unique": True}, ("tenant_id", "updated_at")],
    }


class Match(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    programme_id = StringField()
    mentee_id = StringField(required=True)
    mentor_id = StringField(required=True)
    status = StringField(required=True, choices=MATCH_STATUSES, default=PROPOSED)
    # True while proposed or active: at most one open match per mentee (a partial unique index).
    open = BooleanField(default=True)
    mentee_accepted = BooleanField(default=False)
    mentor_accepted = BooleanField(default=False)
    score = FloatField(default=0.0)
    reasons = DictField()
    proposed_by = StringField()
    matching_run_id = StringField()
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    accepted_at = DateTimeField()
    declined_at = DateTimeField()
    declined_by = StringField()
    decline_reason = StringField()
    ended_at = DateTimeField()
    ended_by = StringField()
    end_reason = StringField()
    # Why an open match is paused (status unchanged): "guardian_consent" now, a safeguarding concern later.
    paused_for = ListField(StringField())

    meta = {  # noqa: RUF012 - mongoengine reads it from the class
        "db_alias": ALIAS,
        "collection": "matches",
        "indexes": [
            {"fields": ["tenant_id", "mentee_id"], "unique": True, "name": "one_open_match_per_mentee",
             "partialFilterExpression": {"open": True}},
            ("tenant_id", "mentee_id", "status"),
            ("tenant_id", "mentor_id", "status"),
            ("tenant_id", "programme_id", "status"),
            ("tenant_id", "matching_run_id"),
            ("tenant_id", "updated_at"),
            ("tenant_id", "status", "id"),  # lists by status, oldest first
            ("tenant_id", "id"),  # the organisation's list, by id
        ],
    }


class MentorLoad(TenantDocument):
    """A mentor's active matches. Only ever changed by conditional atomic updates (repository)."""

    id = StringField(primary_key=True)  # the mentor id
    capacity = IntField(default=0)
    active = IntField(default=0)
    match_ids = ListField(StringField())
    updated_at = DateTimeField(default=utcnow)

    meta = {"db_alias": ALIAS, "collection": "mentor_loads", "indexes": [("tenant_id", "updated_at")]}  # noqa: RUF012


class Goal(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    match_id = StringField(required=True)
    title = StringField(required=True)
    due_date = StringField()  # ISO date
    set_by = StringField()
    created_at = DateTimeField(default=utcnow)
    completed_at = DateTimeField()
    completed_by = StringField()

    meta = {"db_alias": ALIAS, "collection": "goals", "indexes": [("tenant_id", "match_id", "created_at")]}  # noqa: RUF012


class MatchingRun(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    programme_id = StringField(required=True)
    status = StringField(default=QUEUED, choices=(QUEUED, RUNNING, COMPLETED, FAILED))
    # True until the run finishes: one run at a time per programme (a partial unique index).
    in_progress = BooleanField(default=True)
    stage = StringField(default=QUEUED)
    progress = FloatField(default=0.0)
    requested_by = StringField()
    created_at = DateTimeField(default=utcnow)
    started_at = DateTimeField()
    finished_at = DateTimeField()
    lease_until = DateTimeField()
    holder = StringField()
    attempts = IntField(default=0)
    mentees_considered = IntField(default=0)
    mentors_considered = IntField(default=0)
    places = IntField(default=0)
    already_matched = IntField(default=0)
    matched_count = IntField(default=0)
    unmatched_count = IntField(default=0)
    total_score = FloatField(default=0.0)
    upper_bound = FloatField()
    optimal = BooleanField()
    unmatched = ListField(DictField())
    timings = DictField()
    error = StringField()
    # False: the run keeps its pairs for review (stage "review") until POST .../publish proposes them.
    publish = BooleanField(default=True)
    pairs = ListField(DictField())
    published_at = DateTimeField()
    publishing_until = DateTimeField()

    meta = {  # noqa: RUF012 - mongoengine reads it from the class
        "db_alias": ALIAS,
        "collection": "matching_runs",
        "indexes": [
            {"fields": ["tenant_id", "programme_id"], "unique": True, "name": "one_run_at_a_time",
             "partialFilterExpression": {"in_progress": True}},
            ("tenant_id", "created_at"),
            # The run claimer, across organisations: queued or lapsed runs, oldest first.
            ("status", "created_at", "lease_until"),
            # Erasure takes a person out of the runs that name them (multikey on the embedded lists).
            ("tenant_id", "unmatched.mentee_id"),
            ("tenant_id", "pairs.mentee_id"),
            ("tenant_id", "pairs.mentor_id"),
        ],
    }


class Revision(TenantDocument):
    """A counter per organisation, bumped after every change recommendations depend on."""

    id = StringField(primary_key=True)  # the tenant id
    rev = IntField(default=0)

    meta = {"db_alias": ALIAS, "collection": "revisions"}  # noqa: RUF012


DOCUMENTS = (Candidate, Programme, MatchingSettings, Match, MentorLoad, Goal, MatchingRun, Revision)
OUTBOX_DOCUMENTS = (Match, Goal, MatchingRun)
