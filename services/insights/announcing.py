"""Announcing risks: when a match's foreseen risk moment passes, publish RelationshipAtRisk once."""

from __future__ import annotations

from datetime import datetime

from ementor_contracts import RelationshipAtRisk

from . import health, projection
from .repository import InsightsRepository


def announce_due(repo: InsightsRepository, now: datetime) -> int:
    """One run of the job: announce every match whose risk came due; return how many."""
    announced = 0
    for match in repo.due_risks(now):
        signals = projection.signals_of(match)
        assessed = health.assess(signals, now) if signals else None
        if assessed is None or not assessed.at_risk():
            projection.refresh_health(repo, match["tenant_id"], match["match_id"], now)
            continue
        event = RelationshipAtRisk(
            match_id=match["match_id"], mentor_id=match["mentor_id"], mentee_id=match["mentee_id"],
            programme_id=match.get("programme_id") or None, score=assessed.score, threshold=health.DEFAULT_THRESHOLD,
            reasons=assessed.reasons, reason_codes=assessed.reason_codes,
            days_since_last_exchange=assessed.days_since_last_exchange,
            last_exchange_at=signals.last_message_at)
        announced += int(repo.announce(match, event, now))
    return announced
