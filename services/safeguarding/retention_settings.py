"""Each organisation's retention periods: stored here, audited in the chain, announced to every service.

The services that delete on a period (messaging, notifications, video) keep their own copy from
RetentionPeriodsChanged, so their jobs never wait on safeguarding (docs/decisions.md, "Retention").
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from ementor_contracts import RetentionPeriodsChanged
from mongoengine import DateTimeField, DictField, StringField
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from ementor.platform.outbox import OutboxDocument, Pending
from ementor.platform.principal import Principal
from ementor.platform.retention import PERIODS, defaults, merged

from . import audit
from .documents import ALIAS
from .repository import SafeguardingRepository, aware


class RetentionSettings(OutboxDocument):
    id = StringField(primary_key=True)  # the tenant id
    periods = DictField()
    updated_at = DateTimeField()
    updated_by = StringField()

    meta: ClassVar[dict] = {"db_alias": ALIAS, "collection": "retention_settings", "indexes": []}


RETENTION_DOCUMENTS = (RetentionSettings,)


def _check(cls, value, info):
    rule = PERIODS[info.field_name]
    if value is not None and not rule.low <= value <= rule.high:
        raise ValueError(f"must be between {rule.low} and {rule.high} {rule.unit} ({rule.what}); "
                         f"the default is {rule.default}")
    return value


_fields = {name: (int | None, Field(default=None, strict=True, description=f"{p.what.capitalize()}, in {p.unit}: "
                                    f"{p.low}-{p.high}, default {p.default}.", examples=[p.default]))
           for name, p in PERIODS.items()}
RetentionIn = create_model(  # every field optional: one left out keeps the default
    "RetentionIn", __config__=ConfigDict(extra="forbid"),
    __validators__={"in_range": field_validator(*PERIODS, mode="after")(_check)}, **_fields)
RetentionIn.__doc__ = "The organisation's retention periods; a field left out (or null) is the default."


class PeriodView(BaseModel):
    value: int
    unit: str
    default: int
    low: int
    high: int
    what: str


class RetentionView(BaseModel):
    periods: dict[str, PeriodView] = Field(description="Each period: its value, unit, default and allowed range.")
    updated_at: datetime | None = None
    updated_by: str | None = None


def view(repo: SafeguardingRepository, tenant_id: str) -> RetentionView:
    stored = RetentionSettings.scoped(tenant_id, id=tenant_id).first()
    values = merged(stored.periods if stored else None)
    return RetentionView(
        periods={name: PeriodView(value=values[name], unit=p.unit, default=p.default, low=p.low, high=p.high,
                                  what=p.what) for name, p in PERIODS.items()},
        updated_at=aware(stored.updated_at) if stored else None, updated_by=stored.updated_by if stored else None)


def audit_years(tenant_id: str) -> int:
    stored = RetentionSettings.scoped(tenant_id, id=tenant_id).first()
    return merged(stored.periods if stored else None)["audit_years"]


def put(repo: SafeguardingRepository, auth: Principal, body: BaseModel, now: datetime) -> RetentionView:
    auth.require_coordinator()
    periods = {**defaults(), **{k: v for k, v in body.model_dump().items() if v is not None}}
    event = RetentionPeriodsChanged(organisation_id=auth.tenant_id, **periods)
    # One write: the periods and their event (an upsert that only pushes to the outbox, never rewrites it).
    RetentionSettings.raw().update_one(
        {"_id": auth.tenant_id, "tenant_id": auth.tenant_id},
        {"$set": {"periods": periods, "updated_at": now, "updated_by": auth.actor},
         "$push": {"outbox": Pending.of(event, auth.tenant_id).stored()}}, upsert=True)
    audit.record(repo, auth.tenant_id, now, auth.actor, "retention_changed", auth.tenant_id, dict(periods))
    return view(repo, auth.tenant_id)
