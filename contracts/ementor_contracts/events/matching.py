"""Events published by the matching service."""

from __future__ import annotations

from pydantic import Field

from ..base import Event
from .common import Id

ACTOR = 'A person id, or "coordinator" when a coordinator acted.'


class _MatchEvent(Event):
    # Not registered: the identity of a match, carried by every match lifecycle event.
    match_id: Id = Field(description="The match.")
    mentee_id: Id = Field(description="The mentee of the match.")
    mentor_id: Id = Field(description="The mentor of the match.")


class MatchProposed(_MatchEvent):
    """Published when a match between a mentee and a mentor is proposed and awaits both acceptances."""

    source_service = "matching"
    subject_field = "match_id"

    programme_id: Id | None = Field(default=None, description="The programme the match belongs to, if any.")
    proposed_by: str = Field(description=f"Who proposed the match. {ACTOR}")
    score: float = Field(
        description="The matching score of the pair; higher is a better fit.", examples=[0.82]
    )
    matching_run_id: Id | None = Field(
        default=None, description="The matching run that proposed it; null for a manual proposal."
    )


class MatchAccepted(_MatchEvent):
    """Published once, when both sides have accepted and the match becomes active."""

    source_service = "matching"
    subject_field = "match_id"

    programme_id: Id | None = Field(default=None, description="The programme the match belongs to, if any.")


class MatchDeclined(_MatchEvent):
    """Published when either side (or a coordinator for them) declines a proposed match."""

    source_service = "matching"
    subject_field = "match_id"

    declined_by: str = Field(description=f"Who declined. {ACTOR}")
    reason: str = Field(description="Why the match was declined.", examples=["Schedules do not overlap"])


class MatchEnded(_MatchEvent):
    """Published when an active match is ended; messaging and sessions stop for it."""

    source_service = "matching"
    subject_field = "match_id"

    ended_by: str = Field(description=f"Who ended the match. {ACTOR}")
    reason: str | None = Field(
        default=None, description="Why the match ended, if given.", examples=["Programme finished"]
    )


class MatchingRunCompleted(Event):
    """Published when a programme-wide matching run has finished and proposed its matches."""

    source_service = "matching"
    subject_field = "run_id"

    run_id: Id = Field(description="The matching run.")
    programme_id: Id = Field(description="The programme that was matched.")
    matched_count: int = Field(ge=0, description="How many mentees got a proposed match.", examples=[42])
    unmatched_count: int = Field(ge=0, description="How many mentees are left without one.", examples=[3])
    total_score: float = Field(description="The sum of the scores of the proposed matches.", examples=[35.7])


class GoalSet(Event):
    """Published when a goal is set within a match."""

    source_service = "matching"
    subject_field = "goal_id"

    goal_id: Id = Field(description="The goal.")
    match_id: Id = Field(description="The match the goal belongs to.")
    set_by: str = Field(description=f"Who set the goal. {ACTOR}")
    topics: list[str] = Field(
        default=[],
        description="Topic ids the goal's title is about, by the platform's topic rules (labels only: the title "
        "stays in matching).",
        examples=[["apprenticeships", "interviews"]],
    )


class GoalCompleted(Event):
    """Published when a goal of a match is marked complete."""

    source_service = "matching"
    subject_field = "goal_id"

    goal_id: Id = Field(description="The goal.")
    match_id: Id = Field(description="The match the goal belongs to.")
    completed_by: str = Field(description=f"Who marked it complete. {ACTOR}")
