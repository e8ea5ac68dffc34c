"""How the video service stores its data: one database, alias `video`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from bson import ObjectId
from mongoengine import (
    BooleanField,
    DateTimeField,
    EmbeddedDocument,
    EmbeddedDocumentListField,
    IntField,
    ListField,
    StringField,
)

from ementor.platform.outbox import OutboxDocument
from ementor.platform.tenancy import TenantDocument

ALIAS = "video"


def new_id() -> str:
    return str(ObjectId())


def utcnow() -> datetime:
    """Now, to the millisecond: what MongoDB keeps, so a value reads back as it was written."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class MatchView(TenantDocument):
    """Our projection of a match, fed by matching's MatchProposed/Accepted/Declined/Ended."""

    id = StringField(primary_key=True)  # "<tenant_id>:<match_id>": ids from events are not trusted across tenants
    match_id = StringField(required=True)
    mentor_id = StringField(required=True)
    mentee_id = StringField(required=True)
    programme_id = StringField()
    status = StringField(required=True, choices=("proposed", "active", "declined", "ended"))
    # Why an active match is paused (sessions 409): "guardian_consent" while the minor's consent is not granted.
    paused_for = ListField(StringField())
    updated_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "matches",
        "indexes": [
            {"fields": ["tenant_id", "match_id"], "unique": True},
            ("tenant_id", "mentor_id"),
            ("tenant_id", "mentee_id"),
        ],
    }


class Session(OutboxDocument):
    id = StringField(primary_key=True, default=new_id)
    match_id = StringField(required=True)
    mentor_id = StringField(required=True)
    mentee_id = StringField(required=True)
    starts_at = DateTimeField(required=True)
    ends_at = DateTimeField(required=True)
    duration_minutes = IntField(required=True)
    status = StringField(required=True, choices=("scheduled", "cancelled"), default="scheduled")
    sequence = IntField(required=True, default=0)
    provider = StringField(required=True, default="jitsi")
    room = StringField()  # secret: never in an event, never logged; removed on cancellation
    created_by = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    cancelled_at = DateTimeField()
    cancelled_by = StringField()
    cancel_reason = StringField()
    # Reminders for `sequence` still have to be written (set with each change, cleared once done).
    reminders_pending = BooleanField(default=False)
    erased = BooleanField(default=False)  # a tombstone waiting for its SessionCancelled to go out
    # The staff member who observes a session with a minor (supervision.py), named in every invite.
    observer_staff_id = StringField()
    observer_name = StringField()
    # The minor mentee's guardian is invited (the organisation allows it); profiles emails their link.
    guardian_invited = BooleanField(default=False)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "sessions",
        "indexes": [
            ("tenant_id", "match_id", "starts_at"),
            ("tenant_id", "mentor_id", "starts_at"),
            ("tenant_id", "mentee_id", "starts_at"),
            ("tenant_id", "starts_at", "_id", "ends_at"),  # staff's list of the organisation's sessions, by cursor
            ("tenant_id", "ends_at"),
            ("tenant_id", "status", "starts_at", "_id"),
            {"fields": ["reminders_pending"], "sparse": True},
        ],
    }


class Reminder(OutboxDocument):
    """One reminder of one version (SEQUENCE) of a session; claimed once by the reminder job."""

    id = StringField(primary_key=True)  # "<session_id>:<sequence>:<offset>"
    session_id = StringField(required=True)
    sequence = IntField(required=True)
    offset_minutes = IntField(required=True)
    due_at = DateTimeField(required=True)
    state = StringField(required=True, choices=("pending", "fired", "skipped"), default="pending")
    done_at = DateTimeField()

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "reminders",
        "indexes": [
            {"fields": ["tenant_id", "session_id", "offset_minutes", "sequence"], "unique": True},
            # The reminder job scans due reminders of every organisation.
            ("state", "due_at"),
            {"fields": ["done_at"], "expireAfterSeconds": 30 * 86400},
        ],
    }


class CalendarEntry(EmbeddedDocument):
    session_id = StringField(required=True)
    starts_at = DateTimeField(required=True)
    ends_at = DateTimeField(required=True)
    held_at = DateTimeField(required=True)


class Calendar(TenantDocument):
    """A person's booked slots: the lock that keeps their sessions from overlapping.

    Changed only by compare-and-set on `version` (see repository.VideoRepository.place).
    """

    id = StringField(primary_key=True)  # "<tenant_id>:<person_id>"
    person_id = StringField(required=True)
    version = IntField(required=True, default=0)
    entries = EmbeddedDocumentListField(CalendarEntry)

    meta: ClassVar[dict] = {
        "db_alias": ALIAS,
        "collection": "calendars",
        "indexes": [{"fields": ["tenant_id", "person_id"], "unique": True}],
    }


class VideoSettings(TenantDocument):
    """An organisation's video settings; absent means the defaults."""

    id = StringField(primary_key=True)  # the tenant id
    min_duration_minutes = IntField(required=True)
    max_duration_minutes = IntField(required=True)
    max_days_ahead = IntField(required=True)
    reminder_offsets_minutes = ListField(IntField())  # empty: no reminders
    start_audio_muted = BooleanField(default=False)
    start_video_muted = BooleanField(default=False)
    # Sessions with a minor (supervision.py); the observer's name is looked up once, when named.
    require_observer_for_minors = BooleanField(default=False)
    require_vetted_mentor_for_minors = BooleanField(default=False)
    # The least vetting level a mentor needs for a session with a minor (basic, standard, enhanced); None
    # with require_vetted_mentor_for_minors set (settings older than levels) means basic.
    min_vetting_level_for_minors = StringField()
    # A minor mentee's guardian is invited to each new session (off unless the organisation allows it).
    invite_guardian_for_minors = BooleanField(default=False)
    observer_staff_id = StringField()
    observer_name = StringField()
    updated_at = DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "settings"}


class PersonFacts(TenantDocument):
    """What supervision needs of a person, from profiles' ProfileCreated/ProfileUpdated."""

    id = StringField(primary_key=True)  # "<tenant_id>:<person_id>"
    person_id = StringField(required=True)
    is_minor = BooleanField(required=True)
    vetted = BooleanField(required=True)
    vetting_level = StringField()  # None on facts older than levels: basic when vetted
    at = DateTimeField(required=True)  # time of the event applied; older ones are ignored

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "person_facts"}


class GuardianConsent(TenantDocument):
    """A minor mentee's guardian consent state, from GuardianConsentChanged."""

    id = StringField(primary_key=True)  # "<tenant_id>:<person_id>"
    person_id = StringField(required=True)
    state = StringField(required=True)
    at = DateTimeField(required=True)  # time of the event applied; older ones are ignored

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "guardian_consents"}


DOCUMENTS = (MatchView, Session, Reminder, Calendar, VideoSettings, GuardianConsent, PersonFacts)
OUTBOX_DOCUMENTS = (Session, Reminder)
