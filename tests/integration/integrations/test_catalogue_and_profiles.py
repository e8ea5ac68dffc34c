"""The public catalogue, and real events from the profiles service reaching an organisation's webhook."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest
from ementor_contracts import REGISTRY

from services.integrations import domain
from services.profiles.service import ProfilesService
from tests.integration.integrations._support import FastRetryIntegrations
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def test_the_catalogue_lists_every_event_type_publicly(integrations, api):
    response = api.get("/v1/events/catalogue")  # no token: schemas are not secret
    assert response.status_code == 200
    catalogue = response.json()
    assert set(catalogue["schemas"]) == set(REGISTRY)
    document = catalogue["asyncapi"]
    assert document["asyncapi"].startswith("3.")
    assert set(document["channels"]) == set(REGISTRY)
    channel = document["channels"]["MatchAccepted"]
    assert channel["address"] == "{organisation}.MatchAccepted"
    assert channel["bindings"]["amqp"]["exchange"]["name"] == "ementor.integrations"
    for type_name, schema in catalogue["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["type"]["const"] == type_name


def test_profiles_events_reach_the_organisations_webhook_without_contact_details(
    start_services, lab_settings, api, receivers
):
    start_services(ProfilesService, FastRetryIntegrations, settings_override=lab_settings)
    north = api.create_organisation("northside")
    south = api.create_organisation("southside")
    north_token, south_token = (
        api.coordinator_token(north["api_key"]),
        api.coordinator_token(south["api_key"]),
    )
    north_receiver, south_receiver = receivers(), receivers()
    hook = api.post(
        "/v1/webhooks", north_token, json={"url": north_receiver.url, "event_types": ["ProfileCreated"]}
    )
    assert hook.status_code == 201, hook.text
    south_hook = api.post(
        "/v1/webhooks", south_token, json={"url": south_receiver.url, "event_types": ["*"]}
    ).json()

    person = api.post(
        "/v1/people",
        north_token,
        json={
            "role": "mentor",
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "phone": "+447700900123",
            "timezone": "Europe/London",
            "interests": ["engineering"],
        },
    )
    assert person.status_code == 201, person.text

    def delivered():
        assert north_receiver.requests
        return north_receiver.requests[0]

    request = eventually(delivered)
    domain.verify(hook.json()["secret"], request["headers"], request["body"], now=time.time())
    event = json.loads(request["body"])
    assert event["type"] == "ProfileCreated" and event["tenantid"] == north["id"]
    assert event["data"]["person_id"] == person.json()["id"]
    jsonschema.validate(event, api.get("/v1/events/catalogue").json()["schemas"]["ProfileCreated"])
    text = request["body"].decode()
    for private in ("ada@example.org", "+447700900123", "Ada Lovelace"):
        assert private not in text
    # The event was fanned out (north's delivery exists) and southside got nothing of it.
    # (Southside's own OrganisationCreated may reach its "*" hook if the relay sends it after the hook exists.)
    south_deliveries = api.get(f"/v1/webhooks/{south_hook['id']}/deliveries", south_token).json()["items"]
    assert [d["event_type"] for d in south_deliveries if d["event_type"] != "OrganisationCreated"] == []
    assert all(json.loads(r["body"])["tenantid"] == south["id"] for r in south_receiver.requests)
