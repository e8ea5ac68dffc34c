"""Events published by the knowledge service. They never carry a question's text or an article's body."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..base import Event
from .common import Id

Audience = Literal["mentees", "mentors", "everyone"]
Reader = Literal["mentor", "mentee"]


class ArticlePublished(Event):
    """Published when an organisation publishes a version of one of its own articles."""

    source_service = "knowledge"
    subject_field = "article_id"

    article_id: Id = Field(description="The article.")
    article_version: int = Field(ge=1, description="The version now shown to readers; 1 when first published.")
    title: str = Field(description="The article's title as published.", examples=["Our work experience week"])
    audience: Audience = Field(description="Who may read it.")
    min_age: int = Field(ge=0, description="The youngest reader it suits; 18 or more means adults only.")
    tags: list[str] = Field(description="Tags from the library's vocabulary.", examples=[["work-experience"]])
    language: str = Field(description="BCP 47 language of the article.", examples=["en"])


class ArticleRemoved(Event):
    """Published when an organisation deletes one of its own articles."""

    source_service = "knowledge"
    subject_field = "article_id"

    article_id: Id = Field(description="The deleted article.")


class AdviceAsked(Event):
    """Published when someone asks for advice: whether it was answered, and from which articles. Never the question."""

    source_service = "knowledge"
    subject_field = "question_id"

    question_id: Id = Field(description="The stored question (its text stays in the knowledge service).")
    asker_role: Literal["mentor", "mentee", "staff"] = Field(description="Who asked, by role only.")
    answered: bool = Field(description="Whether a passage answered it well enough to show.")
    article_ids: list[Id] = Field(description="The articles of the passages shown, best first.")
    language: str = Field(description="The language the question was read as.", examples=["en"])
    programme_id: Id | None = Field(default=None, description="The asker's programme, if they have one.")


class ArticleShared(Event):
    """Published when a mentor shares an article into their conversation (as a card message)."""

    source_service = "knowledge"
    subject_field = "share_id"

    share_id: Id = Field(description="The share.")
    article_id: Id = Field(description="The shared article.")
    match_id: Id = Field(description="The conversation's match.")
    shared_by: Id = Field(description="The person who shared it.")
    message_id: Id = Field(description="The message in the conversation that carries the card.")


class ArticleRead(Event):
    """Published the first time a mentor or mentee opens an article (once per reader and article)."""

    source_service = "knowledge"
    subject_field = "article_id"

    article_id: Id = Field(description="The article.")
    title: str = Field(description="The article's title when it was read.", examples=["Writing your first CV"])
    reader_id: Id = Field(description="The person who read it.")
    reader_role: Reader = Field(description="The reader's role.")
    programme_id: Id | None = Field(default=None, description="The reader's programme, if they have one.")


class ArticleRated(Event):
    """Published when a reader answers "Was this helpful?" on an article, or changes their answer."""

    source_service = "knowledge"
    subject_field = "article_id"

    article_id: Id = Field(description="The article.")
    reader_id: Id = Field(description="The person who answered.")
    reader_role: Reader = Field(description="The reader's role.")
    programme_id: Id | None = Field(default=None, description="The reader's programme, if they have one.")
    helpful: bool = Field(description="Their answer now.")
    answer_seq: int = Field(ge=1, description="1 for the reader's first answer on this article, then one more per "
                                              "change: the highest is their answer now, whatever the order of arrival.")
