"""Who may read which article: audience, age suitability, drafts and an organisation's hidden list.

Pure rules over plain values, so they are tested without a broker or a database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ementor.platform.topics import DEFAULT_TAXONOMY

from .library import ADULT_AGE, Article


@dataclass(frozen=True)
class Reader:
    """What the rules need to know about the person (or member of staff) reading."""

    role: str  # a principal role
    is_minor: bool = True  # unknown people are treated as minors: the safe default
    staff: bool = False

    @property
    def audiences(self) -> frozenset[str]:
        if self.staff:
            return frozenset({"mentees", "mentors", "everyone"})
        if self.role == "mentor":
            # Mentors read what their mentees read, so they can share it.
            return frozenset({"mentees", "mentors", "everyone"})
        return frozenset({"mentees", "everyone"})


def may_read(reader: Reader, article: Article, *, hidden: bool = False) -> bool:
    """Whether the reader sees this (published) article at all."""
    if reader.staff:
        return True
    if hidden:
        return False
    if article.audience not in reader.audiences:
        return False
    return not (reader.is_minor and article.min_age >= ADULT_AGE)


def reader_for(role: str, is_minor: bool | None, staff: bool) -> Reader:
    if staff:
        return Reader(role=role, is_minor=False, staff=True)
    if role == "mentor":
        return Reader(role=role, is_minor=bool(is_minor))
    return Reader(role=role, is_minor=True if is_minor is None else is_minor)


# What each signal weighs: a goal being worked on says most about what to read now; a topic of
# recent conversations counts up to TOPIC_WEIGHT as it recurs (TOPIC_SATURATION messages or more).
INTEREST_WEIGHT = 1.0
GOAL_WEIGHT = 1.5
TOPIC_WEIGHT = 1.0
TOPIC_SATURATION = 3


@dataclass(frozen=True)
class Reason:
    kind: str  # interest | goal | conversation
    tag: str
    text: str  # the reason in words


@dataclass(frozen=True)
class Pick:
    article_id: str
    score: float
    reasons: tuple[Reason, ...]


def recommend(interests: list[str], tags_by_article: dict[str, tuple[str, ...]], limit: int,
              goals: list[list[str]] = (), conversations: list[list[str]] = (),
              labels: dict[str, str] | None = None) -> list[Pick]:
    """Articles ranked by what their tags share with the person's interests, open goals and the topics
    of their recent conversations, each with why in words; an article that shares nothing is left out.

    `goals` and `conversations` hold one list of topic labels per goal and per message; `labels` names
    topics as the organisation does (its taxonomy), else as the platform does.
    """
    wanted = {tag_of(i) for i in interests}
    goal_count = Counter(t for labels in goals for t in set(labels))
    talk_count = Counter(t for labels in conversations for t in set(labels))
    scored = []
    for article_id, tags in tags_by_article.items():
        score, reasons = 0.0, []
        for tag in dict.fromkeys(tags):
            if goal_count[tag]:
                score += GOAL_WEIGHT
                reasons.append(Reason("goal", tag, f"Fits a goal you are working on: {label_of(tag, labels)}"))
            if talk_count[tag]:
                score += TOPIC_WEIGHT * min(talk_count[tag], TOPIC_SATURATION) / TOPIC_SATURATION
                times = "once" if talk_count[tag] == 1 else f"{talk_count[tag]} times"
                reasons.append(Reason("conversation", tag,
                                      f"{label_of(tag, labels)} came up in your conversations lately ({times})"))
            if tag in wanted:
                score += INTEREST_WEIGHT
                reasons.append(Reason("interest", tag, f"One of your interests: {label_of(tag, labels)}"))
        if score:
            scored.append((-score, article_id, tuple(reasons)))
    scored.sort(key=lambda row: (row[0], row[1]))
    return [Pick(article_id, -negative, reasons) for negative, article_id, reasons in scored[:limit]]


def label_of(tag: str, labels: dict[str, str] | None = None) -> str:
    """A tag in words: the organisation's or the platform's topic label, else the tag ("gap-year" -> "Gap year")."""
    if labels and labels.get(tag):
        return labels[tag]
    known = DEFAULT_TAXONOMY.get(tag)
    return known[0] if known else tag.replace("-", " ").capitalize()


# Interests are free words chosen at sign-up; the library is tagged with a fixed vocabulary.
INTEREST_TAGS = {
    "university": "university-applications", "uni": "university-applications", "ucas": "university-applications",
    "apprenticeship": "apprenticeships", "apprenticeships": "apprenticeships",
    "careers": "careers-and-jobs", "career": "careers-and-jobs", "jobs": "careers-and-jobs",
    "cv": "cvs-and-applications", "cvs": "cvs-and-applications", "interviews": "interviews",
    "study": "study-skills", "revision": "study-skills", "exams": "study-skills", "money": "money-and-finance",
    "finance": "money-and-finance", "wellbeing": "wellbeing", "mental-health": "wellbeing",
    "work-experience": "work-experience", "volunteering": "work-experience", "networking": "networking",
    "confidence": "confidence", "goals": "goals", "gap-year": "gap-year", "college": "further-education",
    "sixth-form": "further-education", "online-safety": "online-safety",
}


def tag_of(interest: str) -> str:
    key = interest.strip().lower().replace(" ", "-")
    return INTEREST_TAGS.get(key, key)
