"""Every event model, one module per publishing service; importing this registers them all."""

from .common import COORDINATOR, Channel, ContractModel, Id, Role
from .insights import RelationshipAtRisk
from .knowledge import AdviceAsked, ArticlePublished, ArticleRemoved, ArticleShared
from .matching import (
    GoalCompleted,
    GoalSet,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchingRunCompleted,
    MatchProposed,
)
from .messaging import MessageApproved, MessageHeld, MessageRejected, MessageSent
from .notifications import NotificationFailed, NotificationSent
from .profiles import (
    AccessRevoked,
    ChannelPreferences,
    CustomFieldDefinition,
    CustomFieldType,
    CustomFieldValue,
    GuardianConsentChanged,
    GuardianConsentState,
    OrganisationCreated,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
    ProgrammeCreated,
)
from .safeguarding import (
    ConcernEscalated,
    ConcernRaised,
    ConcernResolved,
    DataExportReady,
    DataExportRequested,
    PersonBlocked,
    RetentionPeriodsChanged,
)
from .video import SessionCancelled, SessionReminderDue, SessionRescheduled, SessionScheduled

__all__ = [
    "COORDINATOR",
    "AccessRevoked",
    "AdviceAsked",
    "ArticlePublished",
    "ArticleRemoved",
    "ArticleShared",
    "Channel",
    "ChannelPreferences",
    "ConcernEscalated",
    "ConcernRaised",
    "ConcernResolved",
    "ContractModel",
    "CustomFieldDefinition",
    "CustomFieldType",
    "CustomFieldValue",
    "DataExportReady",
    "DataExportRequested",
    "GoalCompleted",
    "GoalSet",
    "GuardianConsentChanged",
    "GuardianConsentState",
    "Id",
    "MatchAccepted",
    "MatchDeclined",
    "MatchEnded",
    "MatchProposed",
    "MatchingRunCompleted",
    "MessageApproved",
    "MessageHeld",
    "MessageRejected",
    "MessageSent",
    "NotificationFailed",
    "NotificationSent",
    "OrganisationCreated",
    "PersonBlocked",
    "PersonErased",
    "ProfileCreated",
    "ProfileUpdated",
    "ProgrammeCreated",
    "RelationshipAtRisk",
    "RetentionPeriodsChanged",
    "Role",
    "SessionCancelled",
    "SessionReminderDue",
    "SessionRescheduled",
    "SessionScheduled",
]
