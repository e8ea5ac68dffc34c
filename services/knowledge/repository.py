"""Storage of the knowledge service: the only module that queries MongoDB."""

from __future__ import annotations

from datetime import datetime

from ementor_contracts import ArticleRated, ArticleRead
from mongoengine import NotUniqueError
from pymongo.errors import DuplicateKeyError

from ementor.platform.outbox import Pending

from .documents import (
    ArticleFeedback,
    ArticleVersion,
    FeedbackAnswer,
    GoalView,
    LibraryState,
    MatchView,
    OwnArticle,
    PersonView,
    Question,
    Reading,
    Share,
    TopicMention,
    utcnow,
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
        except NotUniqueError:  # a retried publish: the version is already kept
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
                      languages: list[str], programme_id: str | None) -> None:
        PersonView.raw().update_one(
            {"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id},
            {"$set": {"person_id": person_id, "role": role, "is_minor": is_minor, "interests": interests,
                      "languages": languages, "programme_id": programme_id}}, upsert=True)

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

    # -- goals and conversation topics (labels only) --------------------------------------
    def record_goal(self, tenant_id: str, goal_id: str, match_id: str, topics: list[str]) -> None:
        """A goal set (redelivery-safe; a completion that arrived first stays completed)."""
        GoalView.raw().update_one({"_id": f"{tenant_id}:{goal_id}", "tenant_id": tenant_id},
                                  {"$set": {"goal_id": goal_id, "match_id": match_id, "topics": topics},
                                   "$setOnInsert": {"completed": False}}, upsert=True)

    def complete_goal(self, tenant_id: str, goal_id: str, match_id: str) -> None:
        GoalView.raw().update_one({"_id": f"{tenant_id}:{goal_id}", "tenant_id": tenant_id},
                                  {"$set": {"goal_id": goal_id, "match_id": match_id, "completed": True}},
                                  upsert=True)

    def open_goal_topics(self, tenant_id: str, match_ids: list[str]) -> list[list[str]]:
        """The topic labels of each goal not yet completed in these matches."""
        if not match_ids:
            return []
        return [d.get("topics", []) for d in GoalView.raw().find(
            {"tenant_id": tenant_id, "match_id": {"$in": match_ids}, "completed": False}, {"_id": 0, "topics": 1})]

    def record_topics(self, tenant_id: str, message_id: str, match_id: str, sender_id: str, recipient_id: str,
                      topics: list[str], at: datetime) -> None:
        """One delivered message's topic labels (the same message delivered twice counts once)."""
        TopicMention.raw().update_one(
            {"_id": f"{tenant_id}:{message_id}", "tenant_id": tenant_id},
            {"$set": {"match_id": match_id, "sender_id": sender_id, "recipient_id": recipient_id, "topics": topics,
                      "at": at}}, upsert=True)

    def recent_topics(self, tenant_id: str, person_id: str, since: datetime) -> list[list[str]]:
        """The topic labels of each message a person sent or received since `since`."""
        rows = []
        for field in ("sender_id", "recipient_id"):
            rows += [d.get("topics", []) for d in TopicMention.raw().find(
                {"tenant_id": tenant_id, field: person_id, "at": {"$gte": since}}, {"_id": 0, "topics": 1})]
        return rows

    def forget_person(self, tenant_id: str, person_id: str) -> None:
        matches = [m.match_id for m in MatchView.scoped(tenant_id, mentee_id=person_id)]
        matches += [m.match_id for m in MatchView.scoped(tenant_id, mentor_id=person_id)]
        if matches:  # a match's goals are the pair's: they go with either person
            GoalView.scoped(tenant_id, match_id__in=matches).delete()
        TopicMention.scoped(tenant_id, sender_id=person_id).delete()
        TopicMention.scoped(tenant_id, recipient_id=person_id).delete()
        FeedbackAnswer.scoped(tenant_id, person_id=person_id).delete()  # the counts stay: anonymous totals
        Reading.scoped(tenant_id, person_id=person_id).delete()
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

    # -- reading: the first open of an article, and "was this helpful?" ------------------------
    def record_read(self, tenant_id: str, article_id: str, title: str, person: PersonView) -> None:
        """The person's first open of the article publishes ArticleRead; later opens write nothing."""
        reading = Reading(tenant_id=tenant_id, id=f"{tenant_id}:{article_id}:{person.person_id}",
                          article_id=article_id, person_id=person.person_id)
        reading.record(ArticleRead(article_id=article_id, title=title, reader_id=person.person_id,
                                   reader_role=person.role, programme_id=person.programme_id or None))
        try:
            reading.save(force_insert=True)
        except NotUniqueError:
            pass  # read before

    def answer_feedback(self, tenant_id: str, article_id: str, person: PersonView, helpful: bool) -> bool | None:
        """Record a reader's answer and publish it; the counters move only by what changed. Returns their
        previous answer.

        Each change is conditional on the answer's sequence as read, so two answers sent at once by one
        reader are applied one after the other: the counters never count them twice, and the events'
        sequence numbers say which answer is the last.
        """
        _id = f"{tenant_id}:{article_id}:{person.person_id}"
        while True:
            before = FeedbackAnswer.raw().find_one({"_id": _id, "tenant_id": tenant_id}, {"helpful": 1, "seq": 1})
            previous = None if before is None else bool(before["helpful"])
            if previous == helpful:
                return previous
            seq = 1 if before is None else (before.get("seq") or 1) + 1
            event = Pending.of(ArticleRated(article_id=article_id, reader_id=person.person_id,
                                            reader_role=person.role, programme_id=person.programme_id or None,
                                            helpful=helpful, answer_seq=seq), tenant_id).stored()
            change = {"article_id": article_id, "person_id": person.person_id, "helpful": helpful,
                      "answered_at": utcnow(), "seq": seq}
            try:
                if before is None:
                    FeedbackAnswer.raw().insert_one({"_id": _id, "tenant_id": tenant_id, **change, "outbox": [event]})
                elif not FeedbackAnswer.raw().update_one(
                        {"_id": _id, "tenant_id": tenant_id, "seq": before.get("seq"), "helpful": previous},
                        {"$set": change, "$push": {"outbox": event}}).modified_count:
                    continue  # another answer of theirs came first: read it again
            except DuplicateKeyError:
                continue  # their first answer, sent twice at once: the other one inserted it
            break
        moves = {"helpful" if helpful else "not_helpful": 1}
        if previous is not None:
            moves["not_helpful" if helpful else "helpful"] = -1
        ArticleFeedback.raw().update_one({"_id": f"{tenant_id}:{article_id}", "tenant_id": tenant_id},
                                         {"$set": {"article_id": article_id}, "$inc": moves}, upsert=True)
        return previous

    def feedback_of(self, tenant_id: str, article_id: str, person_id: str) -> bool | None:
        doc = FeedbackAnswer.raw().find_one({"_id": f"{tenant_id}:{article_id}:{person_id}", "tenant_id": tenant_id},
                                            {"helpful": 1})
        return None if doc is None else bool(doc["helpful"])

    def feedback(self, tenant_id: str) -> dict[str, tuple[int, int]]:
        """Every article's (helpful, not helpful) counts in the organisation."""
        return {d["article_id"]: (d.get("helpful", 0), d.get("not_helpful", 0))
                for d in ArticleFeedback.raw().find({"tenant_id": tenant_id},
                                                    {"_id": 0, "article_id": 1, "helpful": 1, "not_helpful": 1})}
