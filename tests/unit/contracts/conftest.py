"""Sample values for every event, shared by the contracts tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from ementor_contracts import Event, event_class

STARTS = datetime(2025, 5, 6, 16, 0, tzinfo=timezone(timedelta(hours=1)))  # not UTC on purpose

SNAPSHOT = {
    "person_id": "per-mentee-1",
    "role": "mentee",
    "programme_id": "prg-1",
    "timezone": "Europe/London",
    "languages": ["en", "cy"],
    "interests": ["robotics", "music"],
    "capacity": 0,
    "is_minor": True,
    "vetted": False,
    "custom_fields": {"year_group": "10", "hours_per_week": 1.5, "subjects": ["maths", "art"]},
    "channels": {"email": True, "sms": False},
}
MATCH = {"match_id": "mch-1", "mentee_id": "per-mentee-1", "mentor_id": "per-mentor-1"}
MESSAGE = {
    "message_id": "msg-1",
    "match_id": "mch-1",
    "sender_id": "per-mentee-1",
    "recipient_id": "per-mentor-1",
}
NOTIFICATION = {
    "notification_id": "ntf-1",
    "person_id": "per-mentor-1",
    "channel": "sms",
    "cause_event_id": "2b0c8d1e-6a53-4b43-9a0e-0a4f1f6f9d11",
    "cause_event_type": "MatchProposed",
}
SESSION = {"session_id": "ses-1", **MATCH, "starts_at": STARTS}

SAMPLE_DATA: dict[str, dict] = {
    "OrganisationCreated": {"organisation_id": "org-1", "slug": "northside", "name": "Northside School"},
    "ProgrammeCreated": {
        "programme_id": "prg-1",
        "name": "Year 10 careers",
        "custom_fields": [
            {
                "key": "year_group",
                "label": "Year group",
                "type": "single_choice",
                "options": ["9", "10", "11"],
                "required": True,
            },
            {"key": "hours_per_week", "label": "Hours a week", "type": "number", "required": False},
        ],
    },
    "ProfileCreated": SNAPSHOT,
    "ProfileUpdated": {
        **SNAPSHOT,
        "role": "mentor",
        "capacity": 3,
        "is_minor": False,
        "changed": ["capacity"],
    },
    "PersonErased": {"person_id": "per-mentee-1", "role": "mentee"},
    "AccessRevoked": {"scope": "session", "subject_id": "ses-42", "effective_at": datetime(2025, 5, 5, 15, 0, tzinfo=UTC)},
    "GuardianConsentChanged": {"person_id": "per-mentee-1", "state": "granted"},
    "MatchProposed": {
        **MATCH,
        "programme_id": "prg-1",
        "proposed_by": "coordinator",
        "score": 0.75,
        "matching_run_id": "run-1",
    },
    "MatchAccepted": {**MATCH, "programme_id": None},
    "MatchDeclined": {**MATCH, "declined_by": "per-mentor-1", "reason": "No availability this term"},
    "MatchEnded": {**MATCH, "ended_by": "coordinator", "reason": None},
    "MatchingRunCompleted": {
        "run_id": "run-1",
        "programme_id": "prg-1",
        "matched_count": 10,
        "unmatched_count": 2,
        "total_score": 7.25,
    },
    "GoalSet": {"goal_id": "goal-1", "match_id": "mch-1", "set_by": "per-mentee-1"},
    "GoalCompleted": {"goal_id": "goal-1", "match_id": "mch-1", "completed_by": "per-mentor-1"},
    "MessageSent": {**MESSAGE, "length": 42},
    "MessageHeld": {**MESSAGE, "reasons": ["contact_details", "link"]},
    "MessageApproved": {**MESSAGE, "moderator_id": "coordinator"},
    "MessageRejected": {**MESSAGE, "moderator_id": "coordinator", "reason": "Shares a phone number"},
    "ConversationRead": {"match_id": "mch-1", "reader_id": "per-mentee-1", "up_to_message_id": "msg-1",
                         "up_to": "2025-03-04T16:02:11.250000Z"},
    "NotificationSent": NOTIFICATION,
    "NotificationFailed": {**NOTIFICATION, "error": "Twilio 21610: unsubscribed", "permanent": True},
    "SessionScheduled": {**SESSION, "ends_at": STARTS + timedelta(minutes=45), "sequence": 0},
    "SessionRescheduled": {
        **SESSION,
        "ends_at": STARTS + timedelta(minutes=30),
        "sequence": 1,
        "previous_starts_at": datetime(2025, 5, 5, 15, 0, tzinfo=UTC),
    },
    "SessionCancelled": {**SESSION, "cancelled_by": "per-mentor-1", "reason": None, "sequence": 2},
    "SessionReminderDue": {**SESSION, "minutes_before": 60},
    "ConcernRaised": {"concern_id": "con-1", "category": "uncomfortable", **MATCH, "message_id": "msg-1",
                      "raised_via": "participant"},
    "ConcernEscalated": {"concern_id": "con-1", "step": 1, "to_operator": False},
    "ConcernResolved": {"concern_id": "con-1", "category": "uncomfortable", **MATCH, "decision": "resume",
                        "resume": True, "suspended_person_id": None},
    # subject access (issue 17)
    "DataExportRequested": {"export_id": "exp-1", "person_id": "per-mentee-1", "on_behalf": False},
    "DataExportReady": {"export_id": "exp-1", "person_id": "per-mentee-1", "services": ["profiles", "messaging"]},
    "RetentionPeriodsChanged": {"organisation_id": "org-1", "messages_months_after_match_end": 6,
                                "notification_log_months": 12, "ended_session_months": 12,
                                "webhook_delivery_days": 30, "audit_years": 6},
    "TopicTaxonomyChanged": {"organisation_id": "org-1", "revision": 2, "topics": [
        {"id": "higher-apprenticeships", "label": "Higher apprenticeships", "keywords": ["level 4"]},
        {"id": "gap-year", "removed": True}]},
    "PersonBlocked": {"block_id": "blk-1", "person_id": "per-mentee-1", "blocked_person_id": "per-mentor-1",
                      **MATCH},
    "RelationshipAtRisk": {"match_id": "match-1", "mentor_id": "per-mentor-1", "mentee_id": "per-mentee-1",
                           "programme_id": None, "score": 38, "threshold": 50, "reasons": ["No message for 16 days"],
                           "days_since_last_exchange": 16, "last_exchange_at": STARTS},
    "SurveyRequested": {"survey_id": "sur-1", "match_id": "match-1", "person_id": "per-mentee-1", "role": "mentee",
                        "programme_id": None, "moment": "after_session", "session_id": "ses-1", "closes_at": STARTS},
    "SurveySubmitted": {"survey_id": "sur-1", "match_id": "match-1", "person_id": "per-mentee-1", "role": "mentee",
                        "programme_id": None, "moment": "after_session",
                        "scores": {"useful": 4, "listened": 5, "next_steps": 3}, "commented": True},
    "ArticlePublished": {"article_id": "art-1", "article_version": 1, "title": "Our work experience week",
                         "audience": "mentees", "min_age": 13, "tags": ["work-experience"], "language": "en"},
    "ArticleRemoved": {"article_id": "art-1"},
    "AdviceAsked": {"question_id": "q-1", "asker_role": "mentee", "answered": True,
                    "article_ids": ["writing-a-cv"], "language": "en"},
    "ArticleShared": {"share_id": "sh-1", "article_id": "writing-a-cv", "match_id": "mat-1",
                      "shared_by": "per-mentor-1", "message_id": "msg-1"},
    "ArticleRead": {"article_id": "writing-a-cv", "title": "Writing your first CV", "reader_id": "per-mentee-1",
                    "reader_role": "mentee", "programme_id": "prog-1"},
    "ArticleRated": {"article_id": "writing-a-cv", "reader_id": "per-mentee-1", "reader_role": "mentee",
                     "programme_id": None, "helpful": True, "answer_seq": 1},
}


def make_sample(type_name: str) -> Event:
    return event_class(type_name)(**SAMPLE_DATA[type_name])


@pytest.fixture
def sample() -> Callable[[str], Event]:
    return make_sample


@pytest.fixture
def sample_data() -> dict[str, dict]:
    return SAMPLE_DATA
