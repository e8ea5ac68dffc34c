"""Where each service's nameko class lives; imported lazily so one service runs alone."""

from __future__ import annotations

import importlib

SERVICES = {
    "profiles": "services.profiles.service:ProfilesService",
    "matching": "services.matching.service:MatchingService",
    "messaging": "services.messaging.service:MessagingService",
    "notifications": "services.notifications.service:NotificationsService",
    "video": "services.video.service:VideoService",
    "integrations": "services.integrations.service:IntegrationsService",
    "safeguarding": "services.safeguarding.service:SafeguardingService",
    "insights": "services.insights.service:InsightsService",
    "knowledge": "services.knowledge.service:KnowledgeService",
}


def available() -> list[str]:
    """Services whose code is present (a slice of the platform may be deployed alone)."""
    names = []
    for name, target in SERVICES.items():
        module = target.split(":")[0]
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names


def service_class(name: str):
    try:
        module_name, _, attr = SERVICES[name].partition(":")
    except KeyError:
        raise SystemExit(f"unknown service {name!r}; choose from {', '.join(SERVICES)}") from None
    return getattr(importlib.import_module(module_name), attr)
