"""Use cases of the survey API: templates (staff), a participant's surveys and answers, results (staff)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ementor_contracts import SurveySubmitted

from ementor.platform.errors import Conflict, Invalid, NotFound
from ementor.platform.outbox import Pending
from ementor.platform.principal import Principal

from . import domain, reports, survey_counts, survey_words, surveys
from .handlers import _range, scope_of
from .repository import InsightsRepository
from .survey_projection import count_survey, match_state, template_of


def _programme(repo: InsightsRepository, auth: Principal, programme_id: str) -> None:
    scope_of(repo, auth, programme_id)  # a programme of another organisation is a 404


def get_template(repo: InsightsRepository, auth: Principal, programme_id: str) -> dict:
    _programme(repo, auth, programme_id)
    stored = repo.survey_template(auth.tenant_id, programme_id)
    return {"programme_id": programme_id, "is_default": stored is None, **(stored or surveys.DEFAULT_TEMPLATE)}


def put_template(repo: InsightsRepository, auth: Principal, programme_id: str, template: dict, now: datetime) -> dict:
    _programme(repo, auth, programme_id)
    problems = surveys.check_template(template)
    if problems:
        raise Invalid(problems[0]["message"], code="bad_template", details=problems)
    repo.put_survey_template(auth.tenant_id, programme_id, template, auth.actor, now)
    return {"programme_id": programme_id, "is_default": False, **template}


def _view(survey: dict, now: datetime) -> dict:
    closes_at = domain.aware(survey["closes_at"])
    status = "answered" if survey.get("answered_at") else "open" if now < closes_at else "closed"
    return {"id": survey["survey_id"], "match_id": survey["match_id"], "moment": survey["moment"],
            "session_id": survey.get("session_id"), "questions": survey.get("questions") or [],
            "comment_enabled": bool(survey.get("comment_enabled")), "comment_prompt": survey.get("comment_prompt"),
            "scale": survey_words.scale_in(survey.get("locale")),
            "issued_at": domain.aware(survey["issued_at"]), "closes_at": closes_at, "status": status}


def _own(repo: InsightsRepository, auth: Principal, survey_id: str) -> dict:
    """The participant's own survey; anyone else's (the other participant's too) is a 404."""
    survey = repo.survey(auth.tenant_id, survey_id)
    if survey is None or not auth.person_id or survey.get("person_id") != auth.person_id:
        raise NotFound(f"no survey {survey_id} for you")
    return survey


def my_surveys(repo: InsightsRepository, auth: Principal, now: datetime) -> list[dict]:
    """Open surveys only: a session or midpoint survey of a match that has ended is not offered."""
    views = []
    for survey in repo.open_surveys_of(auth.tenant_id, auth.person_id, now):
        try:
            surveys.check_open(_aware_survey(survey), match_state(repo.match(auth.tenant_id, survey["match_id"])),
                               now)
        except surveys.SurveyClosed:
            continue
        views.append(_view(survey, now))
    return views


def _aware_survey(survey: dict) -> dict:
    return {**survey, "closes_at": domain.aware(survey["closes_at"])}


def get_survey(repo: InsightsRepository, auth: Principal, survey_id: str, now: datetime) -> dict:
    survey = _own(repo, auth, survey_id)
    view = _view(survey, now)
    if view["status"] == "open":
        try:
            surveys.check_open(_aware_survey(survey), match_state(repo.match(auth.tenant_id, survey["match_id"])), now)
        except surveys.SurveyClosed:
            view["status"] = "closed"
    return view


def answer(repo: InsightsRepository, auth: Principal, survey_id: str, ratings: dict, comment: str | None,
           now: datetime) -> tuple[dict, Pending]:
    survey = _own(repo, auth, survey_id)
    try:
        surveys.check_open(_aware_survey(survey), match_state(repo.match(auth.tenant_id, survey["match_id"])), now)
    except surveys.SurveyClosed as exc:
        code = "survey_already_answered" if exc.reason == "already_answered" else "survey_closed"
        raise Conflict(str(exc), code=code, details={"reason": exc.reason}) from None
    comment = (comment or "").strip() or None
    try:
        clean = surveys.check_answers(survey.get("questions") or [], ratings, comment,
                                      bool(survey.get("comment_enabled")))
    except surveys.BadAnswer as exc:
        raise Invalid(str(exc), code="bad_answer", details=[{"field": exc.field, "message": str(exc)}]) from None
    event = SurveySubmitted(survey_id=survey_id, match_id=survey["match_id"], person_id=auth.person_id,
                            role=survey["role"], programme_id=survey.get("programme_id") or None,
                            moment=survey["moment"], scores=clean, commented=comment is not None)
    pending = Pending.of(event, auth.tenant_id)
    if not repo.answer_survey(auth.tenant_id, survey_id, clean, comment, now, pending):
        raise Conflict("this survey has been answered already", code="survey_already_answered",
                       details={"reason": "already_answered"})
    count_survey(repo, auth.tenant_id, survey_id, survey["moment"], survey.get("programme_id"), {"ratings": clean})
    return {"survey_id": survey_id, "answered_at": now, "ratings": clean}, pending


def results(repo: InsightsRepository, auth: Principal, programme_id: str | None, start, end) -> dict:
    """Per programme (or the organisation) over surveys issued in the weeks of the date range, from the
    counters; the comments (staff only) are the latest answered in those weeks."""
    start, end = _range(start, end)
    scope = scope_of(repo, auth, programme_id)
    weeks = domain.weeks_between(start, end)
    found = repo.buckets(auth.tenant_id, scope, weeks)
    summed = reports.total({w: found[w] for w in weeks if w in found})
    first = datetime.combine(date.fromisoformat(weeks[0]), time.min, tzinfo=UTC)
    after = datetime.combine(end + timedelta(days=7 - end.weekday()), time.min, tzinfo=UTC)
    comments = [{"survey_id": c["survey_id"], "match_id": c["match_id"], "moment": c["moment"], "role": c["role"],
                 "answered_at": c["answered_at"], "comment": c["comment"]}
                for c in repo.survey_comments(auth.tenant_id, programme_id, first, after)]
    report = survey_counts.results(summed, _question_texts(repo, auth.tenant_id, programme_id))
    for row in report["questions"]:  # participants answered in their languages; staff read theirs (the web app)
        row["text"], row["default"] = survey_words.canonical(row["question_id"], row["text"])
    return {"programme_id": programme_id, "from": start, "to": end, **report, "comments": comments}


def _question_texts(repo: InsightsRepository, tenant_id: str, programme_id: str | None) -> dict[str, str]:
    """Each question's wording as its programme's template has it now (the organisation: every programme's)."""
    if programme_id:
        saved = repo.survey_template(tenant_id, programme_id)
        templates = [surveys.DEFAULT_TEMPLATE, *([saved] if saved else [])]
    else:  # every programme's, in one read
        templates = [surveys.DEFAULT_TEMPLATE, *repo.survey_templates(tenant_id)]
    return {q["id"]: q["text"] for template in templates for q in template.get("questions") or []}


def export_rows(table: str, report: dict) -> list[dict]:
    """The survey tables of the insights export: scores per question, response rates, comments (staff)."""
    if table == "survey_rates":
        return report["moments"]
    if table == "survey_scores":
        return [{"moment": q["moment"], "question_id": q["question_id"], "text": q["text"],
                 "responses": q["responses"], "mean": q["mean"],
                 **{f"rated_{n}": q["distribution"][n] for n in sorted(q["distribution"])}}
                for q in report["questions"]]
    return report["comments"]


__all__ = ["answer", "export_rows", "get_survey", "get_template", "my_surveys", "put_template", "results",
           "template_of"]
