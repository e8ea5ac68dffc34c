"""Insights' part of a subject-access export: the figures kept about the person's own matches.

Organisation-wide and programme figures are sums over many people (no one person's data) and
are not included. The person's surveys are: the questions, their ratings and their own comment.
"""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Fact, Match, Survey


def export_person(tenant_id: str, person_id: str) -> dict:
    matches = []
    for role in ("mentor_id", "mentee_id"):
        matches += [pick(m, "match_id", "status", "accepted_at", "ended_at", "first_message_at", "last_message_at",
                         "counters", "score", "reasons", "risk_at") for m in
                    Match.raw().find({"tenant_id": tenant_id, role: person_id}).limit(EXPORT_LIMIT)]
    nudges = [pick(f, "kind", "at") for f in
              Fact.raw().find({"tenant_id": tenant_id, "person_id": person_id}).limit(EXPORT_LIMIT)]
    surveys = [pick(s, "survey_id", "match_id", "moment", "questions", "issued_at", "closes_at", "answered_at",
                    "ratings", "comment") for s in
               Survey.raw().find({"tenant_id": tenant_id, "person_id": person_id}).limit(EXPORT_LIMIT)]
    summary = [(f"Insights: figures for {plural(len(matches), 'match', 'matches')} of yours (how many messages and "
               "sessions, when the last one was, and the relationship's health score with its reasons), and "
               f"{plural(len(nudges), 'reminder')} recorded about you. Figures about the whole organisation are "
               "totals over many people and are not about you alone."),
               f"Insights: {plural(len(surveys), 'survey')} you were asked, with your answers and comments."]
    return part("insights", {"matches": matches, "person_facts": nudges, "surveys": surveys}, summary)
