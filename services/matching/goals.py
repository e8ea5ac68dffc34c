"""Goals of a match: set and completed while it is active, readable in any state."""

from __future__ import annotations

from ementor_contracts import GoalCompleted, GoalSet

from ementor.platform import topics
from ementor.platform.errors import Conflict, NotFound
from ementor.platform.principal import Principal

from . import domain, schemas, topic_taxonomy
from .documents import Goal, new_id
from .domain import ACTIVE
from .handlers import visible_match
from .repository import MatchingRepository, pending


def _active_match(repo: MatchingRepository, auth: Principal, match_id: str) -> dict:
    match = visible_match(repo, auth, match_id)
    if match["status"] != ACTIVE:
        raise Conflict(f"the match is {match['status']}: goals are set and completed in an active match",
                       code="match_not_active", details={"status": match["status"]})
    return match


def add_goal(repo: MatchingRepository, auth: Principal, match_id: str, body: schemas.CreateGoal) -> dict:
    _active_match(repo, auth, match_id)
    by = domain.actor_name(auth.role, auth.person_id)
    goal = Goal(id=new_id(), tenant_id=auth.tenant_id, match_id=match_id, title=body.title,
                due_date=body.due_date.isoformat() if body.due_date else None, set_by=by)
    taxonomy = topic_taxonomy.STORE.taxonomy(auth.tenant_id)
    labels = [t for t in topics.tag(body.title, taxonomy) if t != topics.SMALL_TALK]  # labels only: the title stays here
    goal.record(GoalSet(goal_id=goal.id, match_id=match_id, set_by=by, topics=labels))
    repo.add_goal(goal)
    return repo.goal(auth.tenant_id, match_id, goal.id)


def list_goals(repo: MatchingRepository, auth: Principal, match_id: str) -> list[dict]:
    visible_match(repo, auth, match_id)  # readable in any state: the history of an ended match
    return repo.goals(auth.tenant_id, match_id)


def complete_goal(repo: MatchingRepository, auth: Principal, match_id: str, goal_id: str) -> dict:
    _active_match(repo, auth, match_id)
    goal = repo.goal(auth.tenant_id, match_id, goal_id)
    if goal is None:
        raise NotFound(f"no goal {goal_id} in this match")
    if goal.get("completed_at"):
        return goal
    by = domain.actor_name(auth.role, auth.person_id)
    event = pending(GoalCompleted(goal_id=goal_id, match_id=match_id, completed_by=by), auth.tenant_id)
    return repo.complete_goal(auth.tenant_id, match_id, goal_id, by, event) or repo.goal(auth.tenant_id, match_id, goal_id)
