"""Bodies of the subject-access API (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RequestExport(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportView(BaseModel):
    id: str = Field(description="The export.")
    person_id: str = Field(description="Whose data it gathers.")
    status: Literal["gathering", "ready", "refused"] = Field(
        description="`gathering` while services contribute their parts (usually seconds; a service that is down "
                    "delays it, never loses it); `ready` to download; `refused` when the person no longer exists.")
    on_behalf: bool = Field(description="True when staff asked on the person's behalf.")
    services: list[str] = Field(default_factory=list, description="Every service asked for its part, in the "
                                "archive's order (progress: `services_done` of these).")
    services_done: list[str] = Field(description="Services whose part is gathered.")
    waiting_for: list[str] = Field(description="Services that did not answer on the last try (retried).")
    created_at: datetime
    ready_at: datetime | None = None
    expires_at: datetime | None = Field(default=None, description="When the archive is deleted.")
    download_url: str | None = Field(default=None, description="The archive (.zip), once ready.")
    problem: str | None = None


class ExportList(BaseModel):
    items: list[ExportView]
    next_cursor: str | None = None
