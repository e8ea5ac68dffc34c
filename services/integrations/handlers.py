"""The integrations use cases: plain functions over the repository, called by the entrypoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote, urlsplit, urlunsplit

from ementor_contracts import REGISTRY, CloudEvent, Event

from ementor.platform.errors import Conflict, Invalid, NotFound, Unavailable

from . import domain, schemas
from .documents import ACTIVE, DISABLED, AmqpAccess, Delivery, Webhook, utcnow
from .management import ManagementClient, ManagementError
from .repository import IntegrationsRepository

MAX_WEBHOOKS = 25


def invalid(exc: domain.InvalidWebhook) -> Invalid:
    return Invalid(str(exc), details=[{"field": exc.field, "message": str(exc), **exc.details}])


# -- events in, events out ----------------------------------------------------------------------
def outgoing_envelope(envelope: CloudEvent, event: Event) -> dict:
    """The CloudEvent as integrators receive it.

    `data` is re-serialised from the typed contract model, so only fields the published schema
    declares leave the platform, whatever a publisher put in the envelope.
    """
    out = envelope.model_dump(mode="json", exclude_none=True)
    out["data"] = event.model_dump(mode="json")
    return out


def fan_out(
    repo: IntegrationsRepository, envelope: CloudEvent, event: Event, publish: Callable[[dict, str], None]
) -> int:
    """Queue a delivery for each of the organisation's webhooks that wants the event, and
    republish it on `ementor.integrations` under the organisation's routing key. Safe to repeat:
    a webhook has at most one delivery per event. Returns how many deliveries were queued."""
    tenant_id = domain.check_tenant_id(envelope.tenantid)
    body = outgoing_envelope(envelope, event)
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    now = utcnow()
    queued = repo.add_deliveries([
        Delivery(tenant_id=tenant_id, webhook_id=webhook.id, event_id=envelope.id, event_type=envelope.type,
                 body=text, next_attempt_at=now)
        for webhook in repo.active_webhooks(tenant_id) if domain.wants(webhook.event_types, envelope.type)
    ])
    publish(body, domain.routing_key(tenant_id, envelope.type))
    return queued


# -- webhooks -----------------------------------------------------------------------------------
def create_webhook(
    repo: IntegrationsRepository,
    tenant_id: str,
    body: schemas.CreateWebhook,
    policy: domain.TargetPolicy,
    resolver: domain.Resolver = domain.resolve,
) -> Webhook:
    try:
        event_types = domain.normalise_event_types(body.event_types, REGISTRY)
        target = domain.check_target(body.url, policy, resolver)
    except domain.InvalidWebhook as exc:
        raise invalid(exc) from None
    if repo.count_webhooks(tenant_id) >= MAX_WEBHOOKS:
        raise Conflict(
            f"an organisation may have at most {MAX_WEBHOOKS} webhooks; delete one first",
            code="too_many_webhooks",
        )
    webhook = Webhook(
        tenant_id=tenant_id,
        url=target.url,
        description=body.description,
        event_types=event_types,
        secret=domain.new_secret(),
        status=ACTIVE,
    )
    repo.add_webhook(webhook)
    return webhook


def webhook_or_404(repo: IntegrationsRepository, tenant_id: str, webhook_id: str) -> Webhook:
    webhook = repo.webhook(tenant_id, webhook_id)
    if webhook is None:
        raise NotFound(f"no webhook {webhook_id} in this organisation")
    return webhook


def delete_webhook(repo: IntegrationsRepository, tenant_id: str, webhook_id: str) -> None:
    if not repo.delete_webhook(tenant_id, webhook_id):
        raise NotFound(f"no webhook {webhook_id} in this organisation")


def enable_webhook(
    repo: IntegrationsRepository,
    tenant_id: str,
    webhook_id: str,
    policy: domain.TargetPolicy,
    resolver: domain.Resolver = domain.resolve,
) -> Webhook:
    webhook = webhook_or_404(repo, tenant_id, webhook_id)
    if webhook.status == DISABLED:
        try:
            domain.check_target(webhook.url, policy, resolver)
        except domain.InvalidWebhook as exc:
            raise invalid(exc) from None
        repo.enable_webhook(tenant_id, webhook_id)
    return webhook_or_404(repo, tenant_id, webhook_id)


def replay(repo: IntegrationsRepository, tenant_id: str, webhook_id: str, delivery_id: str) -> Delivery:
    webhook = webhook_or_404(repo, tenant_id, webhook_id)
    delivery = repo.delivery(tenant_id, webhook_id, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {delivery_id} for webhook {webhook_id}")
    if webhook.status != ACTIVE:
        raise Conflict(
            "the webhook is disabled; enable it (POST /v1/webhooks/{id}/enable) before replaying",
            code="webhook_disabled",
            details={"disabled_reason": webhook.disabled_reason},
        )
    repo.schedule_again(delivery, utcnow())
    return repo.delivery(tenant_id, webhook_id, delivery_id)


# -- AMQP access --------------------------------------------------------------------------------
def amqp_access_view(access: AmqpAccess) -> dict:
    prefix = domain.queue_prefix(access.tenant_id)
    return {
        "username": access.username,
        "vhost": access.vhost,
        "exchange": domain.INTEGRATIONS_EXCHANGE,
        "routing_key_prefix": prefix,
        "queue_prefix": prefix,
        "binding_examples": [f"{prefix}#", f"{prefix}MatchAccepted"],
        "created_at": access.created_at,
        "rotated_at": access.rotated_at,
    }


def issue_amqp_credentials(
    repo: IntegrationsRepository, management: ManagementClient, tenant_id: str, vhost: str, amqp_uri: str
) -> schemas.AmqpCredentials:
    """Create the organisation's RabbitMQ user, or rotate its password (open connections are closed)."""
    username = domain.amqp_username(tenant_id)
    password = domain.new_amqp_password()
    access = repo.amqp_access(tenant_id)
    try:
        management.put_user(username, password)
        management.set_permissions(vhost, username, domain.amqp_permissions(tenant_id))
        management.set_topic_permissions(vhost, username, domain.amqp_topic_permissions(tenant_id))
        management.set_user_limit(username, "max-connections", 10)
        management.set_user_limit(username, "max-channels", 50)
        if access is not None:
            management.close_connections(username, "credentials rotated")
    except ManagementError as exc:
        raise Unavailable(f"could not set up AMQP access: {exc}") from None
    now = utcnow()
    if access is None:
        access = AmqpAccess(id=tenant_id, tenant_id=tenant_id, username=username, vhost=vhost, created_at=now)
    access.vhost = vhost
    access.rotated_at = now
    repo.save_amqp_access(access)
    return schemas.AmqpCredentials(
        **amqp_access_view(access),
        password=password,
        amqp_uri=credentials_uri(amqp_uri, username, password, vhost),
    )


def revoke_amqp_credentials(
    repo: IntegrationsRepository, management: ManagementClient, tenant_id: str
) -> None:
    access = repo.amqp_access(tenant_id)
    if access is None:
        raise NotFound("this organisation has no AMQP credentials")
    try:
        management.delete_user(access.username)
        management.close_connections(access.username, "credentials revoked")
    except ManagementError as exc:
        raise Unavailable(f"could not revoke AMQP access: {exc}") from None
    repo.delete_amqp_access(tenant_id)


def credentials_uri(amqp_uri: str, username: str, password: str, vhost: str) -> str:
    parts = urlsplit(amqp_uri)
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(username, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme or "amqp", netloc, "/" + quote(vhost, safe=""), "", ""))
