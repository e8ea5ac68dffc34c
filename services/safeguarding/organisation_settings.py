"""Each organisation's safeguarding contacts, in order, and its time to acknowledge."""

from __future__ import annotations

from datetime import datetime

from ementor.platform.principal import Principal

from . import audit, domain, schemas
from .documents import SafeguardingSettings
from .repository import SafeguardingRepository, aware


def settings_view(repo: SafeguardingRepository, tenant_id: str) -> schemas.SettingsView:
    stored = repo.settings(tenant_id)
    if stored is None:
        return schemas.SettingsView(contacts=[], acknowledge_within_minutes=domain.DEFAULT_ACK_MINUTES)
    return schemas.SettingsView(contacts=[schemas.ContactIn(**c) for c in (stored.contacts or {}).get("items", [])],
                                acknowledge_within_minutes=stored.acknowledge_within_minutes,
                                updated_at=aware(stored.updated_at), updated_by=stored.updated_by)


def put_settings(repo: SafeguardingRepository, auth: Principal, body: schemas.SettingsIn,
                 now: datetime) -> schemas.SettingsView:
    contacts = [c.model_dump() for c in body.contacts]
    repo.save_settings(SafeguardingSettings(id=auth.tenant_id, tenant_id=auth.tenant_id, contacts={"items": contacts},
                                            acknowledge_within_minutes=body.acknowledge_within_minutes,
                                            updated_at=now, updated_by=auth.actor))
    audit.record(repo, auth.tenant_id, now, auth.actor, "contacts_changed", auth.tenant_id,
                 {"contacts": len(contacts), "acknowledge_within_minutes": body.acknowledge_within_minutes})
    return settings_view(repo, auth.tenant_id)
