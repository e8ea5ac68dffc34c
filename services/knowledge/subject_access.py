"""Knowledge's part of a subject-access export: articles the person shared and opened, their "Was this helpful?" answers,
and what recommendations read
about them (the topic labels of their recent messages and of their matches' goals, never text). Questions are
kept without their asker (only aggregates exist), so none can be found as theirs; the part says so."""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import FeedbackAnswer, GoalView, MatchView, Reading, Share, TopicMention


def export_person(tenant_id: str, person_id: str) -> dict:
    shares = [pick(s, "article_id", "match_id", "message_id", "shared_at") for s in
              Share.raw().find({"tenant_id": tenant_id, "shared_by": person_id}).limit(EXPORT_LIMIT)]
    mentions = [pick(t, "match_id", "topics", "at") for t in TopicMention.raw().find(
        {"tenant_id": tenant_id, "$or": [{"sender_id": person_id}, {"recipient_id": person_id}]}).limit(EXPORT_LIMIT)]
    matches = [m["match_id"] for m in MatchView.raw().find(
        {"tenant_id": tenant_id, "$or": [{"mentee_id": person_id}, {"mentor_id": person_id}]}, {"match_id": 1})]
    goals = [pick(g, "goal_id", "match_id", "topics", "completed") for g in GoalView.raw().find(
        {"tenant_id": tenant_id, "match_id": {"$in": matches}}).limit(EXPORT_LIMIT)] if matches else []
    answers = [pick(a, "article_id", "helpful", "answered_at") for a in FeedbackAnswer.raw().find(
        {"tenant_id": tenant_id, "person_id": person_id}).limit(EXPORT_LIMIT)]
    read = [pick(r, "article_id", "first_read_at") for r in Reading.raw().find(
        {"tenant_id": tenant_id, "person_id": person_id}).limit(EXPORT_LIMIT)]
    summary = [f"Knowledge library: {plural(len(shares), 'article')} you shared into a conversation.",
               f"The {plural(len(read), 'article')} you have opened, and when you first did.",
               f"Your answer to \"Was this helpful?\" on {plural(len(answers), 'article')}.",
               (f"For recommended reading: the topic labels of {plural(len(mentions), 'message')} of your "
               f"conversations in the last 30 days and of {plural(len(goals), 'goal')} of your matches "
               "(labels only; the words stay with messaging and matching)."),
               ("Questions asked of the library are stored without who asked them (only counts per organisation), "
               "so none of them can be found or shown as yours.")]
    return part("knowledge", {"shared_articles": shares, "conversation_topics": mentions, "goal_topics": goals,
                              "helpful_answers": answers, "articles_read": read,
                              "questions": "not kept per person: aggregates only"}, summary)
