"""Reading articles: Markdown with YAML front matter, cut into one passage per `## ` section.

The rules are content/README.md's: a passage id is `<slug>#<section slug>`, the section slug is the
heading folded to ASCII, lower-cased, runs of other characters turned into one `-`.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

AUDIENCES = ("mentees", "mentors", "everyone")
LANGUAGES = ("en", "es")
DEFAULT_LIBRARY = Path(__file__).resolve().parents[2] / "content" / "library"  # EMENTOR_KNOWLEDGE_LIBRARY's default
ADULT_AGE = 18
FRONT_MATTER = re.compile(r"---\n(.*?)\n---\n(.*)", re.DOTALL)
SECTION = re.compile(r"^## (.+)$", re.MULTILINE)


class BadArticle(ValueError):
    """An article file that cannot be read as the library's format."""


@dataclass(frozen=True)
class Passage:
    article_id: str
    section: str  # the heading as written
    section_slug: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.section_slug}"


@dataclass(frozen=True)
class Article:
    id: str  # the slug for platform articles; the document id for an organisation's own
    title: str
    summary: str
    body: str  # Markdown as written, intro and sections
    audience: str = "everyone"
    min_age: int = 13
    tags: tuple[str, ...] = ()
    language: str = "en"
    review_by: datetime.date | None = None
    sources: tuple[tuple[str, str], ...] = ()
    platform: bool = True
    passages: tuple[Passage, ...] = field(default=())


def section_slug(heading: str) -> str:
    ascii_heading = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_heading.lower()).strip("-") or "section"


def split_passages(article_id: str, body: str) -> tuple[Passage, ...]:
    """One passage per `## ` section; the intro before the first section is not a passage.

    An article with no section at all (an organisation's short note) is one passage, so it can
    still be found. Repeated headings get `-2`, `-3` so passage ids stay unique.
    """
    parts = SECTION.split(body)
    if len(parts) == 1:
        text = body.strip()
        return (Passage(article_id, "", "main", text),) if text else ()
    passages, seen = [], {}
    for i in range(1, len(parts), 2):
        heading, text = parts[i].strip(), parts[i + 1].strip()
        slug = section_slug(heading)
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:
            slug = f"{slug}-{seen[slug]}"
        passages.append(Passage(article_id, heading, slug, text))
    return tuple(passages)


def parse_article(text: str, *, platform: bool = True) -> Article:
    match = FRONT_MATTER.match(text)
    if not match:
        raise BadArticle("no YAML front matter between --- lines")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise BadArticle(f"front matter is not YAML: {exc}") from exc
    body = match.group(2).strip()
    slug = str(meta.get("slug") or "")
    if not slug:
        raise BadArticle("front matter has no slug")
    review_by = meta.get("review_by")
    return Article(
        id=slug, title=str(meta.get("title", slug)), summary=str(meta.get("summary", "")), body=body,
        audience=meta.get("audience", "everyone"), min_age=int(meta.get("min_age", 13)),
        tags=tuple(meta.get("tags") or ()), language=meta.get("language", "en"),
        review_by=review_by if isinstance(review_by, datetime.date) else None,
        sources=tuple((s.get("title", ""), s.get("url", "")) for s in meta.get("sources") or ()),
        platform=platform, passages=split_passages(slug, body),
    )


def load_library(directory: Path) -> list[Article]:
    """Every article of a library folder (TAGS.md and other files without front matter are skipped)."""
    articles = []
    for path in sorted(Path(directory).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        try:
            articles.append(parse_article(text))
        except BadArticle as exc:
            raise BadArticle(f"{path.name}: {exc}") from exc
    return articles
