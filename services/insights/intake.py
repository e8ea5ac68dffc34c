"""Which projection each public event feeds: one table, used by the service's subscribers and the benchmark."""

from __future__ import annotations

from datetime import datetime

from . import projection, survey_projection
from .documents import utcnow
from .repository import InsightsRepository


def _match(stage: str):
    return lambda repo, tenant, e, at, now: projection.match_changed(repo, tenant, e, at, stage, now)


HANDLERS = {
    "ProgrammeCreated": lambda repo, tenant, e, at, now: projection.programme_created(repo, tenant, e.programme_id,
                                                                                        e.name),
    "ProfileCreated": lambda repo, tenant, e, at, now: projection.person_registered(repo, tenant, e.person_id, e.role,
                                                                                      e.programme_id, at, e.locale),
    "ProfileUpdated": lambda repo, tenant, e, at, now: projection.person_updated(repo, tenant, e.person_id, e.locale,
                                                                                   at),
    "MatchProposed": _match("proposed_at"),
    "MatchAccepted": _match("accepted_at"),
    "MatchDeclined": _match("declined_at"),
    "MatchEnded": _match("ended_at"),
    "MessageSent": projection.message_sent,
    "MessageHeld": lambda repo, tenant, e, at, now: projection.message_held(repo, tenant, e.message_id, e.match_id, at),
    "MessageApproved": lambda repo, tenant, e, at, now: projection.message_decided(repo, tenant, e.message_id,
                                                                                     e.match_id, "approved", at),
    "MessageRejected": lambda repo, tenant, e, at, now: projection.message_decided(repo, tenant, e.message_id,
                                                                                     e.match_id, "rejected", at),
    "SessionScheduled": lambda repo, tenant, e, at, now: projection.session_changed(repo, tenant, e, "scheduled"),
    "SessionRescheduled": lambda repo, tenant, e, at, now: projection.session_changed(repo, tenant, e, "rescheduled"),
    "SessionCancelled": lambda repo, tenant, e, at, now: projection.session_changed(repo, tenant, e, "cancelled"),
    "GoalSet": lambda repo, tenant, e, at, now: projection.goal_changed(repo, tenant, e.goal_id, e.match_id, "set_at",
                                                                         at, now),
    "GoalCompleted": lambda repo, tenant, e, at, now: projection.goal_changed(repo, tenant, e.goal_id, e.match_id,
                                                                               "completed_at", at, now),
    "NotificationSent": projection.notification_sent,
    "PersonErased": lambda repo, tenant, e, at, now: projection.person_erased(repo, tenant, e.person_id),
    "ArticleRead": lambda repo, tenant, e, at, now: projection.article_read(repo, tenant, e, at),
    "ArticleRated": lambda repo, tenant, e, at, now: projection.article_rated(repo, tenant, e, at),
    "AdviceAsked": lambda repo, tenant, e, at, now: projection.advice_asked(repo, tenant, e, at),
    "SurveySubmitted": lambda repo, tenant, e, at, now: None,  # insights' own: survey_projection counts it
}


def apply(repo: InsightsRepository, tenant_id: str, event, at: datetime, now: datetime | None = None) -> None:
    """Feed one event (at its CloudEvents `time`) into the projections."""
    HANDLERS[event.type_name()](repo, tenant_id, event, at, now or utcnow())
    survey_projection.on_event(repo, tenant_id, event, at)  # when a survey will fall due
