"""When surveys fall due, and issuing them: fed by the events insights already projects.

A session's end (SessionScheduled/Rescheduled, unless SessionCancelled), a match's midpoint
(MatchAccepted + the template's `midpoint_after_days`) and its end (MatchEnded) are stored as due
moments; a leased job issues the surveys that came due, one per participant, each with a
SurveyRequested in its outbox. Safe to repeat, safe in any order (see survey_repository.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ementor_contracts import SurveyRequested

from . import domain, survey_words, surveys
from .facts import touch
from .projection import locale_of
from .repository import InsightsRepository
from .survey_repository import survey_id_of


def template_of(repo: InsightsRepository, tenant_id: str, programme_id: str | None) -> dict:
    stored = repo.survey_template(tenant_id, programme_id) if programme_id else None
    return stored or surveys.DEFAULT_TEMPLATE


def on_event(repo: InsightsRepository, tenant_id: str, event, at: datetime) -> None:
    """Remember the due moment an event tells of (if any)."""
    name = event.type_name()
    if name in ("SessionScheduled", "SessionRescheduled"):
        repo.session_due(tenant_id, event.match_id, event.session_id, event.ends_at, event.sequence)
    elif name == "SessionCancelled":
        repo.session_cancelled(tenant_id, event.match_id, event.session_id)
    elif name == "MatchAccepted":
        template = template_of(repo, tenant_id, getattr(event, "programme_id", None))
        days = template.get("midpoint_after_days", surveys.DEFAULT_TEMPLATE["midpoint_after_days"])
        repo.match_moment_due(tenant_id, event.match_id, "midpoint", domain.aware(at) + timedelta(days=days))
    elif name == "MatchEnded":
        repo.match_moment_due(tenant_id, event.match_id, "end", domain.aware(at))
    elif name == "PersonErased":
        repo.forget_survey_person(tenant_id, event.person_id)
    elif name == "SurveySubmitted":  # the answer's own event: counts it if the answer's request stopped first
        count_survey(repo, tenant_id, event.survey_id, event.moment, event.programme_id, {"ratings": event.scores})


def match_state(match: dict | None) -> surveys.MatchState:
    match = match or {}
    return surveys.MatchState(status=match.get("status") or "unknown",
                              accepted_at=domain.parse_time(match.get("accepted_at")),
                              ended_at=domain.parse_time(match.get("ended_at")))


def issue_due(repo: InsightsRepository, now: datetime) -> int:
    """One run of the job: issue every survey that came due; return how many surveys were created."""
    created = 0
    for due in repo.due_surveys(now):
        tenant_id, moment = due["tenant_id"], due["moment"]
        match = repo.match(tenant_id, due["match_id"])
        decision = surveys.issue_decision(moment, match_state(match), domain.aware(due["due_at"]), now)
        if decision == "wait":
            continue
        programme_id = (match or {}).get("programme_id") or None
        template = template_of(repo, tenant_id, programme_id)
        if decision == "void" or not surveys.moment_enabled(template, moment):
            repo.settle_due(due, "void")
            continue
        created += issue(repo, tenant_id, match, due, template, now)
        repo.settle_due(due, "issued")
    return created


def issue(repo: InsightsRepository, tenant_id: str, match: dict, due: dict, template: dict, now: datetime) -> int:
    """A survey for each participant still known (an erased one gets none)."""
    moment, session_id = due["moment"], due.get("session_id") or None
    closes_at = now + timedelta(days=template.get("answer_window_days", 14))
    programme_id = match.get("programme_id") or None
    created = 0
    for role in ("mentor", "mentee"):
        person_id = match.get(f"{role}_id")
        if not person_id:
            continue
        survey_id = survey_id_of(tenant_id, moment, match["match_id"], session_id, person_id)
        event = SurveyRequested(survey_id=survey_id, match_id=match["match_id"], person_id=person_id, role=role,
                                programme_id=programme_id, moment=moment, session_id=session_id, closes_at=closes_at)
        comment = template.get("comment") or {}
        locale = survey_words.language_of(locale_of(repo, tenant_id, person_id))  # what they read, kept as issued
        created += repo.add_survey(tenant_id, {
            "survey_id": survey_id, "match_id": match["match_id"], "person_id": person_id, "role": role,
            "programme_id": programme_id or "", "moment": moment, "session_id": session_id, "locale": locale,
            "questions": survey_words.questions_in(surveys.questions_for(template, moment), locale),
            "comment_enabled": bool(comment.get("enabled")),
            "comment_prompt": survey_words.prompt_in(comment.get("prompt") or None, locale), "issued_at": now,
            "closes_at": closes_at, "answered_at": None, "ratings": {}, "comment": None}, event)
        count_survey(repo, tenant_id, survey_id, moment, programme_id, {"issued_at": now})  # again on a re-run: no change
    return created


def count_survey(repo: InsightsRepository, tenant_id: str, survey_id: str, moment: str, programme_id: str | None,
                 partial: dict) -> None:
    """Add the survey's issue (`issued_at`) or its answer (`ratings`) to the results' counters (survey_counts.py)."""
    touch(repo, tenant_id, f"survey:{survey_id}", "survey",
          {"moment": moment, "programme": programme_id or "", **partial})
