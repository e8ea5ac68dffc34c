"""Who may read which article: audience, age suitability, drafts and an organisation's hidden list.

Pure rules over plain values, so they are tested without a broker or a database.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def recommend(interests: list[str], tags_by_article: dict[str, tuple[str, ...]], limit: int) -> list[str]:
    """Article ids whose tags share most with the person's interests (folded to the tag vocabulary)."""
    wanted = {tag_of(i) for i in interests}
    scored = []
    for article_id, tags in tags_by_article.items():
        overlap = len(wanted & set(tags))
        if overlap:
            scored.append((-overlap, article_id))
    return [article_id for _, article_id in sorted(scored)[:limit]]


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
