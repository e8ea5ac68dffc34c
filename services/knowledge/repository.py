"""Storage of the knowledge service: the only module that queries MongoDB."""

from __future__ import annotations

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from .documents import (
    ArticleFeedback,
    ArticleVersion,
    LibraryState,
    MatchView,
    OwnArticle,
    PersonView,
    Question,
    Share,
)


class KnowledgeRepository:
    # -- organisations' own articles ------------------------------------------------------
    def own_article(self, tenant_id: str, article_id: str) -> OwnArticle | None:
        return OwnArticle.scoped(tenant_id, id=article_id, deleted=False).first()

    def own_articles(self, tenant_id: str, *, published_only: bool) -> list[OwnArticle]:
        query = OwnArticle.scoped(tenant_id, deleted=False)
        if published_only:
            query = query.filter(status="published")
        return list(query.order_by("id"))

    def save_article(self, article: OwnArticle) -> None:
        article.save()

    def add_version(self, version: ArticleVersion) -> None:
        try:
            version.save(force_insert=True)
        except DuplicateKeyError:  # a retried publish: the version is already kept
            pass

    def versions(self, tenant_id: str, article_id: str) -> list[ArticleVersion]:
        return list(ArticleVersion.scoped(tenant_id, article_id=article_id).order_by("-version"))

    # -- the organisation's view of the library -------------------------------------------
    def library_state(self, tenant_id: str) -> tuple[int, frozenset[str]]:
        doc = LibraryState.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id})
        return (doc["revision"], frozenset(doc.get("hidden", []))) if doc else (0, frozenset())

    def changed(self, tenant_id: str) -> None:
        """Move the organisation's revision on, so every replica rebuilds its search index."""
        LibraryState.raw().update_one({"_id": tenant_id, "tenant_id": tenant_id},
                                      {"$inc": {"revision": 1}}, upsert=True)

    def set_hidden(self, tenant_id: str, article_id: str, hidden: bool) -> None:
        change = {"$addToSet": {"hidden": article_id}} if hidden else {"$pull": {"hidden": article_id}}
        LibraryState.raw().update_one({"_id": tenant_id, "tenant_id": tenant_id},
                                      {**change, "$inc": {"revision": 1}}, upsert=True)

    # -- people and matches (projections) -------------------------------------------------
    def person(self, tenant_id: str, person_id: str) -> PersonView | None:
        return PersonView.scoped(tenant_id, id=f"{tenant_id}:{person_id}").first()

    def record_person(self, tenant_id: str, person_id: str, role: str, is_minor: bool, interests: list[str],
                      languages: list[str]) -> None:
        PersonView.raw().update_one(
            {"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id},
            {"$set": {"person_id": person_id, "role": role, "is_minor": is_minor, "interests": interests,
                      "languages": languages}}, upsert=True)

    def record_match(self, tenant_id: str, match_id: str, mentor_id: str, mentee_id: str, status: str) -> None:
        query = {"_id": f"{tenant_id}:{match_id}", "tenant_id": tenant_id}
        if status == "active":  # an ended match never comes back (events may arrive out of order)
            query["status"] = {"$ne": "ended"}
        try:
            MatchView.raw().update_one(query, {"$set": {"match_id": match_id, "mentor_id": mentor_id,
                                                        "mentee_id": mentee_id, "status": status}}, upsert=True)
        except DuplicateKeyError:
            pass

    def active_matches_of(self, tenant_id: str, person_id: str, role: str) -> list[MatchView]:
        field = "mentee_id" if role == "mentee" else "mentor_id"
        return list(MatchView.scoped(tenant_id, status="active", **{field: person_id}).order_by("id"))

    def forget_person(self, tenant_id: str, person_id: str) -> None:
        PersonView.scoped(tenant_id, id=f"{tenant_id}:{person_id}").delete()
        MatchView.scoped(tenant_id, mentee_id=person_id).delete()
        MatchView.scoped(tenant_id, mentor_id=person_id).delete()
        Share.scoped(tenant_id, shared_by=person_id).delete()

    # -- questions and shares -------------------------------------------------------------
    def add_question(self, question: Question) -> None:
        question.save(force_insert=True)

    def questions_between(self, tenant_id: str, since: datetime, until: datetime) -> list[dict]:
        """Only what the statistics need: never the text."""
        return list(Question.raw().find(
            {"tenant_id": tenant_id, "asked_at": {"$gte": since, "$lt": until}},
            {"_id": 0, "answered": 1, "article_ids": 1, "language": 1, "asker_role": 1}))

    def unanswered_texts(self, tenant_id: str, since: datetime, until: datetime) -> list[dict]:
        """The text and language of unanswered questions, for themes counted across questions only."""
        return list(Question.raw().find(
            {"tenant_id": tenant_id, "asked_at": {"$gte": since, "$lt": until}, "answered": False},
            {"_id": 0, "text": 1, "language": 1}))

    def add_share(self, share: Share) -> None:
        share.save(force_insert=True)

    # -- "was this helpful?" (counters only) ----------------------------------------------
    def add_feedback(self, tenant_id: str, article_id: str, helpful: bool) -> None:
        ArticleFeedback.raw().update_one(
            {"_id": f"{tenant_id}:{article_id}", "tenant_id": tenant_id},
            {"$set": {"article_id": article_id}, "$inc": {"helpful" if helpful else "not_helpful": 1}}, upsert=True)

    def feedback(self, tenant_id: str) -> dict[str, tuple[int, int]]:
        """Every article's (helpful, not helpful) counts in the organisation."""
        return {d["article_id"]: (d.get("helpful", 0), d.get("not_helpful", 0))
                for d in ArticleFeedback.raw().find({"tenant_id": tenant_id},
                                                    {"_id": 0, "article_id": 1, "helpful": 1, "not_helpful": 1})}
