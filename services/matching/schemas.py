"""Request and response bodies of the matching API (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ementor.platform.text import SingleLine

MatchStatus = Literal["proposed", "active", "declined", "ended"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- settings -------------------------------------------------------------------------------------
class Weights(Strict):
    interests: float = Field(default=1.0, ge=0, le=10, description="Shared interests, rarer ones counting more.")
    language: float = Field(default=0.25, ge=0, le=10, description="Sharing a language.")
    timezone: float = Field(default=0.25, ge=0, le=10, description="Closeness of time zones (0 h gap = 1, 12 h = 0).")
    field: float = Field(default=0.5, ge=0, le=10, description="Same answer to the chosen custom field (`field_key`).")


class SettingsQuery(Strict):
    programme_id: str | None = Field(default=None, description="A programme's settings; omit for the organisation's default.")


class PutSettings(Strict):
    programme_id: str | None = Field(default=None, description="Set a programme's settings; omit for the organisation's default.")
    weights: Weights = Field(default_factory=Weights)
    min_shared_interests: int = Field(default=1, ge=0, le=20, description="Pairs sharing fewer interests are never matched.")
    field_key: SingleLine | None = Field(default=None, max_length=40,
                                  description="A choice or number custom field compared for equality; null for none.")


class MatchingSettings(BaseModel):
    programme_id: str | None
    weights: Weights
    min_shared_interests: int
    field_key: str | None
    inherited_from: Literal["programme", "organisation", "default"] = Field(
        description="Where these settings come from: set for this programme, the organisation's default, or built in.")
    updated_at: datetime | None = None


# -- recommendations ------------------------------------------------------------------------------
class RecommendationQuery(Strict):
    limit: int = Field(default=10, ge=1, le=50)


class Recommendation(BaseModel):
    mentor_id: str
    score: float = Field(description="The weighted mean of the factors, in [0, 1]; the sum of the contributions.")
    reasons: dict[str, Any] = Field(
        description="Per factor: its weight, its value in [0, 1], and its contribution to the score; the "
                    "shared interests (each with its rarity), shared languages, and the time-zone gap in hours.")


class MentorPool(BaseModel):
    """Why the list is shorter than asked: what a coordinator can change to find this mentee a mentor."""

    programme_id: str | None = Field(description="The mentee's programme; a mentee is matched within it (None: "
                                                 "with the mentors in no programme).")
    mentors: int = Field(description="Mentors in that programme.")
    ruled_out: dict[str, int] = Field(description=(
        "How many of them each rule ruled out (a mentor may fail several): `mentor_at_capacity` (no free place), "
        "`too_few_shared_interests`, `mentor_not_vetted` (the mentee is a minor), `repeat_pair` (matched or "
        "declined before)."))
    with_room_elsewhere: int = Field(description=(
        "When no mentor is left: mentors with a free place in other programmes (vetted ones, for a minor). "
        "Moving the mentee to one of those programmes would give them a choice."))


class RecommendationList(BaseModel):
    items: list[Recommendation]
    next_cursor: str | None = None
    pool: MentorPool | None = Field(None, description="Present when fewer mentors than `limit` qualify.")


class WaitingQuery(Strict):
    no_mentor: bool = Field(default=False, description=(
        "true: only the mentees no mentor could be offered now (their \"Find a mentor\" is empty)."))
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, min_length=1, description="The `next_cursor` of the previous page.")


class WaitingMentee(BaseModel):
    mentee_id: str
    programme_id: str | None = Field(description="A mentee is matched within their programme (None: with the "
                                                 "mentors in no programme).")
    mentors_to_choose: int = Field(description=(
        "How many mentors their recommendations would list now (0: none; the recommendations' `pool` says why)."))
    awaiting_consent: bool = Field(description="A minor whose guardian has not consented yet: they cannot be "
                                               "matched until then.")


class WaitingList(BaseModel):
    """Mentees with no proposed or active match, by id. A page examines at most 2,000 of them, so a page
    asked for `no_mentor` may hold fewer than `limit` (even none) and still have a `next_cursor`: read
    on until it is null."""

    items: list[WaitingMentee]
    next_cursor: str | None = None


# -- matches --------------------------------------------------------------------------------------
class ProposeMatch(Strict):
    mentee_id: str = Field(min_length=1)
    mentor_id: str = Field(min_length=1)
    programme_id: str | None = Field(default=None, description="Defaults to the mentee's programme.")


class ActOnMatch(Strict):
    person_id: str | None = Field(default=None, description="A coordinator acting for one side names that person.")


class DeclineMatch(ActOnMatch):
    reason: str = Field(min_length=1, max_length=500)


class EndMatch(ActOnMatch):
    reason: str | None = Field(default=None, max_length=500)


class Match(BaseModel):
    id: str
    programme_id: str | None
    mentee_id: str
    mentor_id: str
    status: MatchStatus
    mentee_accepted: bool
    mentor_accepted: bool
    score: float
    reasons: dict[str, Any]
    proposed_by: str | None
    matching_run_id: str | None
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    declined_by: str | None = None
    decline_reason: str | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None
    paused_for: list[str] = Field(
        default_factory=list,
        description="Why an open match is paused (its status is unchanged): `guardian_consent` while a minor's "
                    "guardian consent is not granted. Messages and sessions are refused (409) while paused.")


class MatchQuery(Strict):
    person_id: str | None = None
    status: MatchStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class MatchList(BaseModel):
    items: list[Match]
    next_cursor: str | None


# -- goals ----------------------------------------------------------------------------------------
class CreateGoal(Strict):
    title: SingleLine = Field(min_length=1, max_length=200)
    due_date: date | None = None


class Goal(BaseModel):
    id: str
    match_id: str
    title: str
    due_date: date | None
    set_by: str | None
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None


class GoalList(BaseModel):
    items: list[Goal]
    next_cursor: str | None = None


# -- matching runs --------------------------------------------------------------------------------
class StartRun(Strict):
    programme_id: str = Field(min_length=1)
    publish: bool = Field(default=True, description=(
        "true: propose the matches as soon as the run finishes. false: keep the proposed pairs for a "
        "coordinator to review (stage `review`; nobody is told anything), then "
        "`POST /v1/matching-runs/{id}/publish` proposes them."))


class RunPair(BaseModel):
    match_id: str = Field(description="The id the match gets once published.")
    mentee_id: str
    mentor_id: str
    score: float
    reasons: dict[str, Any] = Field(description="As a recommendation's reasons: per factor, its weight, value "
                                                "and contribution; shared interests and languages; the time-zone gap.")
    published: bool | None = Field(default=None, description="After publishing: false when the mentee got "
                                                              "another match between review and publish.")


class Unmatched(BaseModel):
    mentee_id: str
    reason: str = Field(description="no_mentors | no_shared_interests | no_vetted_mentor | repeat_pair | "
                                    "mentors_full | matched_meanwhile | guardian_consent_required")
    message: str
    eligible_mentors: int | None = None


class MatchingRun(BaseModel):
    id: str
    programme_id: str
    status: Literal["queued", "running", "completed", "failed"]
    stage: str = Field(description="queued, loading, scoring, solving, pricing, proposing, completed or failed")
    progress: float = Field(description="Share of the work done, 0 to 1.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    mentees_considered: int
    mentors_considered: int
    places: int
    already_matched: int = Field(description="Mentees left out because they already had a proposed or active match.")
    matched_count: int
    unmatched_count: int
    total_score: float
    upper_bound: float | None = Field(
        description="No assignment over all pairs scores more (proved with LP duality); equal to total_score "
                    "when the assignment is proven optimal.")
    optimal: bool | None
    unmatched: list[Unmatched]
    timings: dict[str, float]
    error: str | None
    publish: bool = Field(default=True, description="false: a run for review, published by a second step.")
    pairs: list[RunPair] = Field(default_factory=list, description=(
        "A review run's proposed pairs, best first (empty for a run that proposed its matches at once: "
        "those matches carry its `matching_run_id`)."))
    published_at: datetime | None = None
