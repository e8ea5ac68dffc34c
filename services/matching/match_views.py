"""Stored matches, goals and runs as the API's response models."""

from __future__ import annotations

from datetime import date

from . import schemas


def match_view(doc: dict) -> schemas.Match:
    return schemas.Match(
        id=doc["_id"], programme_id=doc.get("programme_id"), mentee_id=doc["mentee_id"], mentor_id=doc["mentor_id"],
        status=doc["status"], mentee_accepted=bool(doc.get("mentee_accepted")),
        mentor_accepted=bool(doc.get("mentor_accepted")), score=float(doc.get("score") or 0.0),
        reasons=doc.get("reasons") or {}, proposed_by=doc.get("proposed_by"),
        matching_run_id=doc.get("matching_run_id"), created_at=doc["created_at"], updated_at=doc["updated_at"],
        accepted_at=doc.get("accepted_at"), declined_at=doc.get("declined_at"), declined_by=doc.get("declined_by"),
        decline_reason=doc.get("decline_reason"), ended_at=doc.get("ended_at"), ended_by=doc.get("ended_by"),
        end_reason=doc.get("end_reason"), paused_for=list(doc.get("paused_for") or []),
    )


def goal_view(doc: dict) -> schemas.Goal:
    due = doc.get("due_date")
    return schemas.Goal(id=doc["_id"], match_id=doc["match_id"], title=doc["title"],
                        due_date=date.fromisoformat(due) if due else None, set_by=doc.get("set_by"),
                        created_at=doc["created_at"], completed_at=doc.get("completed_at"),
                        completed_by=doc.get("completed_by"))


def run_view(doc: dict) -> schemas.MatchingRun:
    return schemas.MatchingRun(
        id=doc["_id"], programme_id=doc["programme_id"], status=doc["status"], stage=doc.get("stage") or doc["status"],
        progress=float(doc.get("progress") or 0.0), created_at=doc["created_at"], started_at=doc.get("started_at"),
        finished_at=doc.get("finished_at"), mentees_considered=int(doc.get("mentees_considered") or 0),
        mentors_considered=int(doc.get("mentors_considered") or 0), places=int(doc.get("places") or 0),
        already_matched=int(doc.get("already_matched") or 0), matched_count=int(doc.get("matched_count") or 0),
        unmatched_count=int(doc.get("unmatched_count") or 0), total_score=float(doc.get("total_score") or 0.0),
        upper_bound=doc.get("upper_bound"), optimal=doc.get("optimal"),
        unmatched=[schemas.Unmatched(**u) for u in doc.get("unmatched") or []],
        timings={k: float(v) for k, v in (doc.get("timings") or {}).items()}, error=doc.get("error"),
        publish=doc.get("publish", True) is not False, pairs=[schemas.RunPair(**p) for p in doc.get("pairs") or []],
        published_at=doc.get("published_at"),
    )
