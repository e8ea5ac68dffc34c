"""Request and response bodies of the knowledge API (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .documents import STATS_DAYS_MAX

MAX_QUESTION_CHARS = 1000
MAX_BODY_CHARS = 50_000
Audience = Literal["mentees", "mentors", "everyone"]
Language = Literal["en", "es"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _question(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("the question is empty: type what you want to know")
    if len(value) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question has {len(value)} characters; ask in at most {MAX_QUESTION_CHARS}")
    return value


# -- articles -------------------------------------------------------------------------------
class ArticleFields(Strict):
    title: str = Field(min_length=1, max_length=200, examples=["Our work experience week"])
    summary: str = Field(default="", max_length=500)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS,
                      description="Markdown; each `## ` section is a passage search can quote. Raw HTML shows as text.")
    audience: Audience = "everyone"
    min_age: int = Field(default=13, ge=10, le=25, description="The youngest reader it suits; 18+ is adults only.")
    tags: list[str] = Field(default_factory=list, max_length=10)
    language: Language = "en"
    review_by: date | None = Field(default=None, description="When the article should next be checked.")


class PatchArticle(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY_CHARS)
    audience: Audience | None = None
    min_age: int | None = Field(default=None, ge=10, le=25)
    tags: list[str] | None = Field(default=None, max_length=10)
    language: Language | None = None
    review_by: date | None = None
    hidden: bool | None = Field(default=None, description="Platform articles only: hide it from this organisation.")


class Source(BaseModel):
    title: str
    url: str


class FeedbackCounts(BaseModel):
    helpful: int = Field(description="Readers who answered yes to \"Was this helpful?\".")
    not_helpful: int


class ArticleSummary(BaseModel):
    id: str
    title: str
    summary: str
    audience: Audience
    min_age: int
    tags: list[str]
    language: str
    origin: Literal["platform", "organisation"]
    status: Literal["draft", "published"] = "published"
    version: int = 1
    hidden: bool = False
    review_by: date | None = None
    url: str = Field(description="The article in the API.")
    feedback: FeedbackCounts | None = Field(default=None, description="Staff only: \"Was this helpful?\" counts.")


class RecommendationReason(BaseModel):
    kind: Literal["interest", "goal", "conversation"] = Field(
        description="interest: the person's profile; goal: an open goal of their match (its topic labels); "
        "conversation: a topic of their messages in the last 30 days.")
    tag: str = Field(description="The tag of the article that met it.")
    text: str = Field(description="The reason in words.", examples=["Fits a goal you are working on: Interviews"])


class RecommendedArticle(ArticleSummary):
    reasons: list[RecommendationReason] = Field(description="Why this article, strongest signal first.")


class RecommendedList(BaseModel):
    items: list[RecommendedArticle]


class Article(ArticleSummary):
    body: str = Field(description="Markdown as written (show it as text, or use `html`).")
    html: str = Field(description="The body as HTML with everything escaped: safe to insert into a page.")
    sections: list[str]
    sources: list[Source]
    draft: ArticleFields | None = Field(default=None, description="Staff: the unpublished draft, if any.")
    your_feedback: bool | None = Field(default=None, description=(
        "A reader's own answer to \"Was this helpful?\" (null: not answered yet; always null for staff)."))


class ArticleList(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None


class ArticlesQuery(Strict):
    tag: str | None = None
    language: Language | None = None
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = None


class Version(BaseModel):
    version: int
    title: str
    published_by: str
    published_at: datetime


class VersionList(BaseModel):
    items: list[Version]
    next_cursor: str | None = None


# -- search and advice ----------------------------------------------------------------------
class SearchQuery(Strict):
    q: str = Field(description="Words to search for.", examples=["personal statement length"])
    limit: int = Field(default=5, ge=1, le=20)

    _q = field_validator("q")(classmethod(lambda cls, v: _question(v)))


class PassageHit(BaseModel):
    article_id: str
    title: str
    passage: str
    score: float
    section: str = Field(description="The section heading the passage is.")
    passage_id: str = Field(description="`<article id>#<section slug>`.")
    url: str = Field(description="The article in the API, at the section.")


class PassageList(BaseModel):
    items: list[PassageHit]
    next_cursor: str | None = None


class AskAdvice(Strict):
    question: str = Field(description=f"In your own words, at most {MAX_QUESTION_CHARS} characters.",
                          examples=["how long is the personal statement"])

    _q = field_validator("question")(classmethod(lambda cls, v: _question(v)))


class AskMentorOffer(BaseModel):
    path: str = Field(description="POST the question here to send it to your mentor.")
    match_ids: list[str] = Field(description="Your active conversations the question can go to.")


class Advice(BaseModel):
    answers: list[PassageHit]
    answered: bool = Field(description="Whether a passage answers the question well enough.")
    language: str
    message: str = Field(description="What to tell the person.")
    ask_mentor: AskMentorOffer | None = Field(
        default=None, description="When not answered and the asker is a mentee with a mentor: how to ask them.")


class AskMentor(AskAdvice):
    match_id: str | None = Field(default=None, description="Which conversation; needed only if you have several.")


class PostedMessage(BaseModel):
    message_id: str
    match_id: str
    status: Literal["delivered", "held"] = Field(description="`held`: a coordinator checks it first.")


class ShareArticle(Strict):
    match_id: str = Field(min_length=1)


class Shared(PostedMessage):
    share_id: str
    article_id: str


class RecommendedQuery(Strict):
    person_id: str | None = Field(default=None, description="Whose; a person token defaults to its own.")
    limit: int = Field(default=5, ge=1, le=20)


class StatsQuery(Strict):
    days: int = Field(default=30, ge=1, le=STATS_DAYS_MAX)


class CountedArticle(BaseModel):
    article_id: str
    count: int


class Theme(BaseModel):
    word: str = Field(description="A word (as most often typed) that several unanswered questions share.")
    questions: int = Field(description="How many unanswered questions use it (never fewer than 3).")


class AdviceStats(BaseModel):
    questions: int
    answered: int
    answered_rate: float | None
    by_language: dict[str, int]
    by_role: dict[str, int]
    top_articles: list[CountedArticle]
    unanswered_themes: list[Theme] = Field(
        default_factory=list, description="What the library lacks: words shared by at least 3 unanswered questions, "
                                          "most frequent first; never a question itself.")


class Helpful(Strict):
    helpful: bool = Field(description="The reader's answer to \"Was this helpful?\".")


class FeedbackRecorded(BaseModel):
    article_id: str
    recorded: bool = True
    helpful: bool = Field(description="Your answer now: one answer per reader per article.")
    previous: bool | None = Field(description="Your answer before this one (null: the first); a change of mind "
                                  "moves your count from one side to the other, the same answer again changes nothing.")
