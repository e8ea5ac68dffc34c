"""Knowledge's part of a subject-access export: articles the person shared. Questions are kept without
their asker (only aggregates exist), so none can be found as theirs; the part says so."""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Share


def export_person(tenant_id: str, person_id: str) -> dict:
    shares = [pick(s, "article_id", "match_id", "message_id", "shared_at") for s in
              Share.raw().find({"tenant_id": tenant_id, "shared_by": person_id}).limit(EXPORT_LIMIT)]
    summary = [f"Knowledge library: {plural(len(shares), 'article')} you shared into a conversation.",
               ("Questions asked of the library are stored without who asked them (only counts per organisation), "
               "so none of them can be found or shown as yours.")]
    return part("knowledge", {"shared_articles": shares, "questions": "not kept per person: aggregates only"},
                summary)
