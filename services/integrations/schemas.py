"""Request and response models of the integrations API (they generate the OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- webhooks -----------------------------------------------------------------------------
class CreateWebhook(Strict):
    url: str = Field(
        min_length=1,
        max_length=2048,
        examples=["https://hooks.example.org/ementor"],
        description="Where deliveries are POSTed: https, on a public address.",
    )
    event_types: list[str] = Field(
        min_length=1,
        max_length=100,
        examples=[["MatchAccepted", "SessionScheduled"]],
        description='Event types to receive (see /v1/events/catalogue), or ["*"] for all.',
    )
    description: str | None = Field(default=None, max_length=500)


class Webhook(BaseModel):
    id: str
    url: str
    description: str | None
    event_types: list[str]
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    disabled_at: datetime | None
    created_at: datetime


class WebhookWithSecret(Webhook):
    secret: str = Field(
        description="Shown once: store it now. `whsec_<base64>`; verify each delivery's "
        "webhook-signature with it (Standard Webhooks)."
    )


class WebhookList(BaseModel):
    items: list[Webhook]
    next_cursor: str | None


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class DeliveriesQuery(PageQuery):
    status: Literal["pending", "succeeded", "failed", "cancelled"] | None = None


class DeliveryAttempt(BaseModel):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int | None


class WebhookDelivery(BaseModel):
    id: str
    webhook_id: str
    event_id: str = Field(description="The CloudEvent id, sent as the webhook-id header.")
    event_type: str
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    attempts: int = Field(description="Attempts in the current round (a replay starts a new round).")
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    history: list[DeliveryAttempt] = Field(description="The latest attempts, oldest first.")
    created_at: datetime


class WebhookDeliveryList(BaseModel):
    items: list[WebhookDelivery]
    next_cursor: str | None


# -- AMQP ---------------------------------------------------------------------------------
class AmqpAccess(BaseModel):
    username: str
    vhost: str
    exchange: str = Field(description="The topic exchange to bind your queues to.")
    routing_key_prefix: str = Field(description="Every routing key you may bind starts with this.")
    queue_prefix: str = Field(description="Name your queues with this prefix; others are refused.")
    binding_examples: list[str]
    created_at: datetime
    rotated_at: datetime


class AmqpCredentials(AmqpAccess):
    password: str = Field(description="Shown once; a new POST rotates it.")
    amqp_uri: str = Field(
        description="Host and vhost as this deployment sees them; your operator may give "
        "you a public host name to use instead."
    )


# -- catalogue ----------------------------------------------------------------------------
class Catalogue(BaseModel):
    asyncapi: dict[str, Any] = Field(
        description="AsyncAPI 3.0 document of the `ementor.integrations` exchange."
    )
    schemas: dict[str, dict[str, Any]] = Field(
        description="JSON Schema (2020-12) of each event's CloudEvent, by event type."
    )
