"""Integrations service entrypoints: every public event in, each organisation's events out.

Out by signed webhooks (Standard Webhooks) and on the `ementor.integrations` exchange, where an
organisation's own RabbitMQ user may read only its routing keys; plus the public event catalogue.
"""

from __future__ import annotations

from nameko.rpc import rpc

from ementor.platform.config import AppSettings
from ementor.platform.consumer import PermanentFailure
from ementor.platform.errors import NotFound
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal
from ementor.platform.retention_job import EnforcesRetention
from ementor.platform.revocation import Revocations
from ementor.platform.settings import IntegrationsSettings

from . import handlers, retention, schemas, subject_access
from .broker import IntegrationsExchange, RabbitManagement
from .catalogue import catalogue
from .dispatcher import WebhookDispatcher, target_policy
from .documents import DOCUMENTS, Delivery, Webhook
from .entrypoints import every_event
from .repository import IntegrationsRepository

COORDINATOR = ("coordinator",)


class IntegrationsService(Revocations, EnforcesRetention):
    name = "integrations"

    repo: IntegrationsRepository = Repository(IntegrationsRepository, (*DOCUMENTS, *retention.RETENTION_DOCUMENTS))
    settings = AppSettings(IntegrationsSettings)
    exchange = IntegrationsExchange()
    dispatcher = WebhookDispatcher()
    rabbitmq = RabbitManagement()

    retention_module = retention  # delivery copies kept shorter than the log's 30 days: EnforcesRetention

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    # -- every public event ---------------------------------------------------------------
    @every_event
    def republish(self, event, envelope):
        try:
            queued = handlers.fan_out(self.repo, envelope, event, self.exchange.publish)
        except ValueError as exc:  # a tenant id that cannot be routed: retrying will not help
            raise PermanentFailure(str(exc)) from exc
        if queued:
            self.dispatcher.kick()

    # -- webhooks -------------------------------------------------------------------------
    @api(
        "POST",
        "/v1/webhooks",
        roles=COORDINATOR,
        body=schemas.CreateWebhook,
        response=schemas.WebhookWithSecret,
        status=201,
        summary="Register a webhook; the response shows its signing secret once",
    )
    def create_webhook(self, auth: Principal, body: schemas.CreateWebhook):
        webhook = handlers.create_webhook(self.repo, auth.tenant_id, body, target_policy(self.settings))
        return schemas.WebhookWithSecret(**webhook_view(webhook).model_dump(), secret=webhook.secret)

    @api(
        "GET",
        "/v1/webhooks",
        roles=COORDINATOR,
        query=schemas.PageQuery,
        response=schemas.WebhookList,
        summary="List the organisation's webhooks",
    )
    def list_webhooks(self, auth: Principal, query: schemas.PageQuery):
        items = self.repo.webhooks(auth.tenant_id, limit=query.limit + 1, after=query.cursor)
        return page_of(schemas.WebhookList, items, query.limit, webhook_view)

    @api(
        "GET",
        "/v1/webhooks/<webhook_id>",
        roles=COORDINATOR,
        response=schemas.Webhook,
        summary="Get a webhook",
    )
    def get_webhook(self, auth: Principal, webhook_id: str):
        return webhook_view(handlers.webhook_or_404(self.repo, auth.tenant_id, webhook_id))

    @api(
        "DELETE",
        "/v1/webhooks/<webhook_id>",
        roles=COORDINATOR,
        status=204,
        summary="Delete a webhook and its delivery log",
    )
    def delete_webhook(self, auth: Principal, webhook_id: str):
        handlers.delete_webhook(self.repo, auth.tenant_id, webhook_id)

    @api(
        "POST",
        "/v1/webhooks/<webhook_id>/enable",
        roles=COORDINATOR,
        response=schemas.Webhook,
        summary="Enable a webhook that was disabled after 410 Gone or persistent failure",
    )
    def enable_webhook(self, auth: Principal, webhook_id: str):
        webhook = handlers.enable_webhook(self.repo, auth.tenant_id, webhook_id, target_policy(self.settings))
        return webhook_view(webhook)

    @api(
        "GET",
        "/v1/webhooks/<webhook_id>/deliveries",
        roles=COORDINATOR,
        query=schemas.DeliveriesQuery,
        response=schemas.WebhookDeliveryList,
        summary="The webhook's delivery log, newest first",
    )
    def list_deliveries(self, auth: Principal, webhook_id: str, query: schemas.DeliveriesQuery):
        handlers.webhook_or_404(self.repo, auth.tenant_id, webhook_id)
        items = self.repo.deliveries(
            auth.tenant_id, webhook_id, limit=query.limit + 1, before=query.cursor, status=query.status
        )
        return page_of(schemas.WebhookDeliveryList, items, query.limit, delivery_view)

    @api(
        "POST",
        "/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/replay",
        roles=COORDINATOR,
        response=schemas.WebhookDelivery,
        status=202,
        summary="Send a delivery again, with a new round of retries",
    )
    def replay_delivery(self, auth: Principal, webhook_id: str, delivery_id: str):
        delivery = handlers.replay(self.repo, auth.tenant_id, webhook_id, delivery_id)
        self.dispatcher.kick()
        return delivery_view(delivery)

    # -- AMQP -----------------------------------------------------------------------------
    @api(
        "POST",
        "/v1/amqp-credentials",
        roles=COORDINATOR,
        response=schemas.AmqpCredentials,
        status=201,
        summary="Create (or rotate) the organisation's RabbitMQ user; the password is shown once",
    )
    def issue_amqp_credentials(self, auth: Principal):
        return handlers.issue_amqp_credentials(
            self.repo, self.rabbitmq.client, auth.tenant_id, self.rabbitmq.vhost, self.settings.AMQP_URI
        )

    @api(
        "GET",
        "/v1/amqp-credentials",
        roles=COORDINATOR,
        response=schemas.AmqpAccess,
        summary="The organisation's RabbitMQ user and what it may read (no password)",
    )
    def get_amqp_credentials(self, auth: Principal):
        access = self.repo.amqp_access(auth.tenant_id)
        if access is None:
            raise NotFound(
                "this organisation has no AMQP credentials; create them with POST /v1/amqp-credentials"
            )
        return schemas.AmqpAccess(**handlers.amqp_access_view(access))

    @api(
        "DELETE",
        "/v1/amqp-credentials",
        roles=COORDINATOR,
        status=204,
        summary="Revoke the organisation's RabbitMQ user and close its connections",
    )
    def revoke_amqp_credentials(self, auth: Principal):
        handlers.revoke_amqp_credentials(self.repo, self.rabbitmq.client, auth.tenant_id)

    # -- catalogue ------------------------------------------------------------------------
    @api(
        "GET",
        "/v1/events/catalogue",
        auth="public",
        response=schemas.Catalogue,
        summary="AsyncAPI 3 document and JSON Schemas of every event (public)",
    )
    def event_catalogue(self):
        return catalogue()


def webhook_view(webhook: Webhook) -> schemas.Webhook:
    return schemas.Webhook(
        id=webhook.id,
        url=webhook.url,
        description=webhook.description,
        event_types=list(webhook.event_types),
        status=webhook.status,
        disabled_reason=webhook.disabled_reason,
        disabled_at=webhook.disabled_at,
        created_at=webhook.created_at,
    )


def delivery_view(delivery: Delivery) -> schemas.WebhookDelivery:
    return schemas.WebhookDelivery(
        id=delivery.id,
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        history=[
            schemas.DeliveryAttempt(
                at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
            )
            for a in delivery.history
        ],
        created_at=delivery.created_at,
    )
