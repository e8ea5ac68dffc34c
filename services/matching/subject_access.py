"""Matching's part of a subject-access export: the person's matches and their goals."""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Candidate, Goal, Match

MATCH_FIELDS = ("id", "status", "programme_id", "mentor_id", "mentee_id", "proposed_by", "score", "reasons",
                "created_at", "accepted_at", "declined_at", "declined_by", "decline_reason", "ended_at", "ended_by",
                "end_reason", "paused_for")


def export_person(tenant_id: str, person_id: str) -> dict:
    matches = []
    for role in ("mentee_id", "mentor_id"):
        matches += [pick(m, *MATCH_FIELDS) for m in
                    Match.raw().find({"tenant_id": tenant_id, role: person_id}).limit(EXPORT_LIMIT)]
    ids = [m["id"] for m in matches]
    goals = [pick(g, "id", "match_id", "title", "due_date", "set_by", "created_at", "completed_at", "completed_by")
             for g in Goal.raw().find({"tenant_id": tenant_id, "match_id": {"$in": ids}}).limit(EXPORT_LIMIT)] \
        if ids else []
    candidate = Candidate.raw().find_one({"_id": person_id, "tenant_id": tenant_id})
    attributes = pick(candidate, "role", "programme_id", "timezone", "languages", "interests", "capacity",
                      "is_minor", "vetted", "custom_fields") if candidate else None
    summary = [(f"Matching: {plural(len(matches), 'match', 'matches')} you took part in (proposed, active, ended or "
               f"declined), with the reasons each was suggested, and {plural(len(goals), 'goal')} set in them."),
               "The copy of your profile that matching scores (interests, languages, time zone) is included."]
    return part("matching", {"matches": matches, "goals": goals, "matching_attributes": attributes}, summary)
