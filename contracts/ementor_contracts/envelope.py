"""CloudEvents 1.0, structured JSON mode: the wire format of every ementor event."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Event, event_class

CONTENT_TYPE = "application/cloudevents+json"


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    time: datetime
    subject: str
    dataschema: str
    datacontenttype: Literal["application/json"] = "application/json"
    tenantid: str = Field(description="The organisation the event belongs to.")
    traceparent: str | None = Field(
        default=None, description="W3C trace context of the request that caused the event."
    )
    data: dict[str, Any]

    def event(self) -> Event:
        """The typed event model carried in `data`."""
        return event_class(self.type).model_validate(self.data)


def to_cloudevent(
    event: Event,
    tenant_id: str,
    *,
    event_id: str | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source=event.source(),
        type=event.type_name(),
        time=time or datetime.now(timezone.utc),  # noqa: UP017 - the package supports Python 3.10
        subject=event.subject(),
        dataschema=event.dataschema(),
        tenantid=tenant_id,
        traceparent=traceparent,
        data=event.model_dump(mode="json"),
    )


def parse_cloudevent(payload: dict[str, Any]) -> CloudEvent:
    return CloudEvent.model_validate(payload)
