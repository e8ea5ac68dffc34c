"""Request and response bodies of the insights API (they also generate its OpenAPI).

Responses carry ids, counts, times and generated words; never message text or contact details.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ementor_contracts import HealthReason
from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class RangeQuery(Strict):
    programme_id: str | None = Field(default=None, description="One programme; absent: the whole organisation.")
    from_: date | None = Field(default=None, alias="from", description="First day (default: 12 weeks before `to`).")
    to: date | None = Field(default=None, description="Last day (default: today). At most five years after `from`.")


class PlatformQuery(Strict):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


class ExportQuery(RangeQuery):
    table: str = Field(description="weekly, funnel, matches, topics, reply_times, articles, survey_rates, "
                       "survey_scores or survey_comments (staff only, like every export)", examples=["weekly"])
    format: Literal["csv", "json"] = "csv"


class MatchesQuery(Strict):
    health: Literal["at_risk", "all"] = Field(default="all", description="`at_risk`: below the line now.")
    programme_id: str | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class Series(BaseModel):
    name: str = Field(examples=["messages"])
    label: str = Field(examples=["Messages"])
    unit: str = Field(examples=["messages"])
    points: list[float | None] = Field(description="One value per entry of `weeks`; null where not meaningful.")


class FunnelStage(BaseModel):
    stage: Literal["registered", "matched", "active", "ended"]
    mentees: int
    mentors: int
    mentee_average_days_in_stage: float | None
    mentor_average_days_in_stage: float | None


class TopicFigure(BaseModel):
    topic: str = Field(examples=["university-applications"])
    label: str
    messages: int
    conversations: int = Field(description="Conversations that touched it ever (at least 5, or it is not shown).")
    weekly_messages: list[int | None] = Field(description="Per week; null where fewer than 5 conversations.")


class ReplyBucket(BaseModel):
    bucket: str = Field(examples=["within 24 h"])
    replies: int


class Totals(BaseModel):
    messages: int
    active_matches_now: int
    messages_per_active_match: float | None
    turn_taking: float | None = Field(description="Share of messages that answer the other person (0-1).")
    average_reply_hours: float | None
    typical_reply: str | None = Field(description="The reply-time bucket holding the median reply.")
    average_first_response_hours: float | None
    sessions_scheduled: int
    sessions_held: int = Field(description="Sessions not cancelled, in weeks that are over.")
    sessions_cancelled: int
    sessions_rescheduled: int
    goals_set: int
    goals_completed: int
    nudges_sent: int
    nudges_followed: int = Field(description="Nudges followed by a message of the pair within a week.")
    moderation_held: int
    moderation_approved: int
    moderation_rejected: int
    moderation_pending_now: int
    average_decision_hours: float | None


class ArticleFigure(BaseModel):
    article_id: str = Field(examples=["writing-a-cv"])
    title: str = Field(description="The title when last read; the id where insights has not seen it.")
    readers: int = Field(description="People who opened it for the first time in the range (at least 5, or it "
                                     "is not shown).")
    helpful: int = Field(description="Readers whose answer to \"Was this helpful?\", given in the range, is yes.")
    not_helpful: int


class Reading(BaseModel):
    articles_read: int = Field(description="First opens of an article by a mentor or mentee in the range.")
    articles_read_by_mentees: int
    articles_read_by_mentors: int
    helpful: int = Field(description="\"Was this helpful?\" answered yes (each reader's latest answer, in the "
                                     "week they gave it).")
    not_helpful: int
    questions_asked: int = Field(description="Questions asked of the library (the words stay in knowledge).")
    questions_answered: int = Field(description="Of those, the ones the library answered well enough to show.")
    articles: list[ArticleFigure] = Field(description="The most read articles, most readers first (at most 20).")
    articles_suppressed: int = Field(description="Articles left out because fewer than 5 people read them.")


class Overview(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    programme_id: str | None
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    weeks: list[str] = Field(description="The Monday of each week in the range: the x axis of every series.")
    totals: Totals
    funnel: list[FunnelStage]
    series: list[Series]
    reply_times: list[ReplyBucket]
    topics: list[TopicFigure]
    topics_suppressed: int = Field(description="Topics left out because fewer than 5 conversations touched them.")
    reading: Reading = Field(description="Use of the knowledge library: reads, helpful answers, questions asked.")


class MatchHealth(BaseModel):
    match_id: str
    programme_id: str | None
    mentor_id: str | None
    mentee_id: str | None
    status: str
    score: int | None = Field(description="0 (fizzled) to 100 (thriving); null unless active.")
    at_risk: bool
    reasons: list[str] = Field(description="Why, in English.", examples=[["No message for 16 days"]])
    reason_codes: list[HealthReason] = Field(
        description="The same reasons, in order, as codes with their figures: for saying them in another language.",
        examples=[[{"code": "quiet", "figures": {"days": 16}}]])
    last_exchange_at: datetime | None
    days_since_last_exchange: int | None
    messages: int
    mentor_messages: int
    mentee_messages: int
    average_reply_hours: float | None
    first_response_hours: float | None
    sessions_scheduled: int
    sessions_cancelled: int
    goals_set: int
    goals_completed: int
    nudges_sent: int
    nudges_followed: int


class MatchHealthList(BaseModel):
    items: list[MatchHealth]
    next_cursor: str | None


class Export(BaseModel):
    table: str
    rows: list[dict]
