"""Every event model, one module per publishing service; importing this registers them all."""

from .common import COORDINATOR, Channel, ContractModel, Id, Role
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
    "ContractModel",
    "CustomFieldDefinition",
    "CustomFieldType",
    "CustomFieldValue",
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
    "PersonErased",
    "ProfileCreated",
    "ProfileUpdated",
    "ProgrammeCreated",
    "Role",
    "SessionCancelled",
    "SessionReminderDue",
    "SessionRescheduled",
    "SessionScheduled",
]
