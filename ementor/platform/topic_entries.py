"""An organisation's changes to the default topic taxonomy: checked, normalised, and described.

The entries are what `topics.taxonomy_from` takes: `{"id", "label"?, "keywords"?, "removed"?}`.
`clean` refuses what would make a confusing taxonomy (each problem names its field, as the API's
422 details do) and drops entries that change nothing, so "changed" always means changed.
Plain functions: no database, no nameko.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .topics import DEFAULT_TAXONOMY, SMALL_TALK, taxonomy_from

MAX_TOPICS = 50  # topics in force, defaults included: the insights overview lists them all
MAX_KEYWORDS = 25  # per topic
MAX_KEYWORD_CHARS = 40
MAX_LABEL_CHARS = 60
MAX_ID_CHARS = 40
ID_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Problem(Exception):
    field: str  # e.g. "topics.2.keywords.0", as the API names fields of a refused body
    message: str


def clean(entries: list[dict]) -> list[dict]:
    """The entries as stored: ids checked, labels and keywords trimmed, no-op entries left out.

    Raises Problem for the first thing wrong, naming its field."""
    seen: set[str] = set()
    cleaned = []
    for i, entry in enumerate(entries):
        at = f"topics.{i}"
        tid = str(entry.get("id") or "").strip()
        _check_id(tid, f"{at}.id", seen)
        seen.add(tid)
        is_default = tid in DEFAULT_TAXONOMY
        if entry.get("removed"):
            if not is_default:
                raise Problem(f"{at}.removed", f"{tid} is not a default topic: leave it out of the list instead")
            cleaned.append({"id": tid, "removed": True})
            continue
        label = " ".join(str(entry.get("label") or "").split())
        if len(label) > MAX_LABEL_CHARS:
            raise Problem(f"{at}.label", f"a label has at most {MAX_LABEL_CHARS} characters")
        keywords = _keywords(entry.get("keywords") or [], f"{at}.keywords")
        if not is_default and not label:
            raise Problem(f"{at}.label", f"a new topic needs a label (for {tid})")
        if not is_default and not keywords:
            raise Problem(f"{at}.keywords", f"a new topic needs at least one keyword, or nothing is ever tagged {tid}")
        if is_default and label == DEFAULT_TAXONOMY[tid][0]:
            label = ""
        if is_default and not label and not keywords:
            continue  # changes nothing
        cleaned.append({"id": tid, **({"label": label} if label else {}), "keywords": keywords})
    in_force = len(taxonomy_from(cleaned).topics)
    if in_force > MAX_TOPICS:
        raise Problem("topics", f"at most {MAX_TOPICS} topics can be in force; these make {in_force}")
    return cleaned


def _check_id(tid: str, field: str, seen: set[str]) -> None:
    if not tid:
        raise Problem(field, "a topic needs an id")
    if len(tid) > MAX_ID_CHARS or not ID_FORMAT.fullmatch(tid):
        raise Problem(field, f"an id is lower-case letters and digits joined by single hyphens, at most "
                             f"{MAX_ID_CHARS} characters (like work-placements), not {tid[:MAX_ID_CHARS]!r}")
    if tid == SMALL_TALK:
        raise Problem(field, f"{SMALL_TALK} is kept for messages about no topic")
    if tid in seen:
        raise Problem(field, f"{tid} appears more than once")


def _keywords(words: list, field: str) -> list[str]:
    if len(words) > MAX_KEYWORDS:
        raise Problem(field, f"a topic has at most {MAX_KEYWORDS} keywords")
    kept: list[str] = []
    for j, word in enumerate(words):
        word = " ".join(str(word).lower().split())
        if not word:
            continue
        if len(word) > MAX_KEYWORD_CHARS:
            raise Problem(f"{field}.{j}", f"a keyword has at most {MAX_KEYWORD_CHARS} characters")
        if not re.search(r"\w", word):
            raise Problem(f"{field}.{j}", "a keyword needs a letter or a digit")
        if word not in kept:
            kept.append(word)
    return kept


@dataclass(frozen=True)
class Described:
    id: str
    label: str
    keywords: list[str]  # the organisation's own, added to a default's cues
    source: str  # default | changed | custom
    default_label: str | None


def describe(entries: list[dict]) -> tuple[list[Described], list[Described]]:
    """Every topic in force (in the taxonomy's order), and the defaults the organisation removed."""
    by_id = {e["id"]: e for e in entries}
    in_force = []
    for topic in taxonomy_from(entries).topics:
        entry = by_id.get(topic.id)
        default = DEFAULT_TAXONOMY.get(topic.id)
        source = "custom" if default is None else "changed" if entry else "default"
        in_force.append(Described(topic.id, topic.label, list((entry or {}).get("keywords") or []), source,
                                  default[0] if default else None))
    removed = [Described(e["id"], DEFAULT_TAXONOMY[e["id"]][0], [], "default", DEFAULT_TAXONOMY[e["id"]][0])
               for e in entries if e.get("removed") and e["id"] in DEFAULT_TAXONOMY]
    return in_force, removed
