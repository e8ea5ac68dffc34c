"""The public event catalogue: what an organisation's integration can receive, and its schemas.

Built from the contracts package. The AsyncAPI document of the contracts describes the
services' internal exchanges; the one served here describes what integrators subscribe to:
the `ementor.integrations` exchange, where each event's address is `{organisation}.<EventType>`.
The same CloudEvent bodies arrive by webhook.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from ementor_contracts import REGISTRY
from ementor_contracts.catalogue import asyncapi_document, cloudevent_json_schema

from .domain import INTEGRATIONS_EXCHANGE

DESCRIPTION = (
    "Every event of your organisation, as CloudEvents 1.0 in structured JSON mode. Subscribe by webhook "
    "(POST /v1/webhooks; deliveries are signed per Standard Webhooks) or over AMQP: ask for credentials at "
    f"POST /v1/amqp-credentials, declare a queue named `<organisation id>.<anything>` and bind it to the "
    f"`{INTEGRATIONS_EXCHANGE}` topic exchange with routing keys starting `<organisation id>.`, e.g. "
    "`<organisation id>.#` for everything or `<organisation id>.MatchAccepted` for one type. Events carry "
    "ids, never contact details or message bodies. Delivery is at least once: deduplicate on the "
    "CloudEvent `id`."
)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    document = copy.deepcopy(asyncapi_document())
    document["id"] = "urn:ementor:integrations"
    document["info"]["title"] = "ementor events for integrations"
    document["info"]["description"] = DESCRIPTION
    for name, channel in document["channels"].items():
        channel["address"] = "{organisation}." + name
        channel["title"] = f"{INTEGRATIONS_EXCHANGE} / {name}"
        channel["description"] = (
            f"{name} events of one organisation on the `{INTEGRATIONS_EXCHANGE}` topic exchange."
        )
        channel["parameters"] = {
            "organisation": {"description": "Your organisation's id (the events' `tenantid`)."}
        }
        channel["bindings"]["amqp"]["exchange"]["name"] = INTEGRATIONS_EXCHANGE
    schemas = {name: cloudevent_json_schema(cls) for name, cls in sorted(REGISTRY.items())}
    return {"asyncapi": document, "schemas": schemas}


def catalogue() -> dict[str, Any]:
    """The document served at GET /v1/events/catalogue (built once per process)."""
    return _catalogue()
