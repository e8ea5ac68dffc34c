"""Request and response bodies of the survey API (they also generate its OpenAPI).

A participant sees their own surveys' questions; staff see results and comments. No response to a
participant carries anyone else's answer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictInt

from .schemas import Strict

Moment = Literal["after_session", "midpoint", "end"]


class TemplateQuestion(Strict):
    id: str = Field(min_length=1, max_length=40, description="Lower-case letters, digits and _; the key of its rating.",
                    examples=["useful"])
    text: str = Field(min_length=3, max_length=200, examples=["How useful is your mentoring for you right now?"])
    moments: list[Moment] = Field(default=["after_session", "midpoint", "end"], min_length=1,
                                  description="The moments it is asked at.")


class TemplateComment(Strict):
    enabled: bool = True
    prompt: str = Field(default="Anything else you want to tell us? Only the programme team reads this.",
                        min_length=3, max_length=200)


class TemplateMoments(Strict):
    after_session: bool = True
    midpoint: bool = True
    end: bool = True


class SurveyTemplateBody(Strict):
    questions: list[TemplateQuestion] = Field(min_length=1, max_length=8, description="1-5 rating questions.")
    comment: TemplateComment = Field(default_factory=TemplateComment)
    moments: TemplateMoments = Field(default_factory=TemplateMoments)
    midpoint_after_days: int = Field(default=42, ge=7, le=365, description="Days after acceptance of the midpoint.")
    answer_window_days: int = Field(default=14, ge=1, le=60, description="Days a survey stays open.")


class SurveyTemplateView(SurveyTemplateBody):
    programme_id: str
    is_default: bool = Field(description="True until a coordinator saves a template for the programme.")


class Question(BaseModel):
    id: str = Field(examples=["useful"])
    text: str = Field(description="As the participant reads it: a default question in their profile's language.")


class SurveyView(BaseModel):
    id: str
    match_id: str
    moment: Moment
    session_id: str | None = None
    questions: list[Question]
    scale: dict = Field(default={"min": 1, "max": 5, "min_label": "Not at all", "max_label": "Very much"},
                        description="The 1-5 scale, its end labels in the participant's language.")
    comment_enabled: bool
    comment_prompt: str | None = None
    issued_at: datetime
    closes_at: datetime
    status: Literal["open", "answered", "closed"]


class SurveyList(BaseModel):
    items: list[SurveyView]
    next_cursor: str | None = None


class SurveyAnswer(Strict):
    survey_id: str = Field(min_length=1, max_length=64)
    ratings: dict[str, StrictInt] = Field(description="Question id → 1 (not at all) to 5 (very much); every question.",
                                          examples=[{"useful": 4, "listened": 5, "next_steps": 3}])
    comment: str | None = Field(default=None, max_length=2000, description="Optional; read only by staff.")


class SurveyAnswered(BaseModel):
    survey_id: str
    answered_at: datetime
    ratings: dict[str, int]


class MomentRate(BaseModel):
    moment: Moment
    requested: int
    answered: int
    response_rate: float | None = Field(description="answered / requested; null when none was requested.")


class QuestionResult(BaseModel):
    moment: Moment
    question_id: str
    text: str = Field(description="The organisation's wording; for a default question its English wording.")
    default: bool = Field(default=False, description="A question of the default template, asked in each "
                          "participant's language: a client may show its own translation (by `question_id`).")
    responses: int
    mean: float
    distribution: dict[str, int] = Field(description='Answers per rating, "1" to "5".')


class SurveyComment(BaseModel):
    survey_id: str
    match_id: str
    moment: Moment
    role: Literal["mentor", "mentee"]
    answered_at: datetime
    comment: str


class SurveyResults(BaseModel):
    programme_id: str | None
    from_: date = Field(alias="from")
    to: date
    moments: list[MomentRate]
    questions: list[QuestionResult]
    comments: list[SurveyComment] = Field(description="Staff only; never shown to the other participant.")
