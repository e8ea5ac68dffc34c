"""AMQP access against the real RabbitMQ: the republished exchange and per-organisation credentials."""

from __future__ import annotations

import json
import uuid

import pika
import pytest
from ementor_contracts import MatchAccepted, ProfileUpdated
from kombu import Connection, Exchange, Queue

from tests.integration.integrations._support import new_tenant, publish
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def accepted(match_id: str) -> MatchAccepted:
    return MatchAccepted(match_id=match_id, mentee_id="mentee-1", mentor_id="mentor-1")


def test_events_are_republished_with_the_organisation_in_the_routing_key(integrations, amqp_uri):
    north, south = new_tenant(), new_tenant()
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        exchange = Exchange("ementor.integrations", type="topic", durable=True, auto_delete=False)
        queue = Queue("", exchange=exchange, routing_key=f"{north}.#", exclusive=True, auto_delete=True)(
            channel
        )
        queue.declare()

        north_event = publish(amqp_uri, accepted("north-match"), north)
        publish(amqp_uri, accepted("south-match"), south)
        marker = publish(amqp_uri, accepted("north-marker"), north)

        seen = []

        def arrived():
            while (message := queue.get(no_ack=True)) is not None:
                seen.append(
                    (message.delivery_info["routing_key"], message.content_type, json.loads(message.body))
                )
            assert [body["id"] for _, _, body in seen] == [north_event.id, marker.id]
            return seen

        eventually(arrived)
    routing_key, content_type, body = seen[0]
    assert routing_key == f"{north}.MatchAccepted"
    assert content_type == "application/cloudevents+json"
    assert body["tenantid"] == north and body["data"]["match_id"] == "north-match"


@pytest.fixture
def credentials(integrations, api, token):
    """Issue AMQP credentials for organisations; their RabbitMQ users are removed afterwards."""
    issued = []

    def issue(tenant: str) -> dict:
        response = api.post("/v1/amqp-credentials", token(tenant))
        assert response.status_code == 201, response.text
        issued.append(tenant)
        return response.json()

    yield issue
    for tenant in issued:
        api.delete("/v1/amqp-credentials", token(tenant))


def connect(amqp_uri: str, creds: dict) -> pika.BlockingConnection:
    # The vhost of this test, reached with the organisation's own user.
    parameters = pika.URLParameters(creds["amqp_uri"])
    return pika.BlockingConnection(parameters)


def refused(connection: pika.BlockingConnection, action) -> str:
    """Run `action(channel)` on a fresh channel; return what the broker says when it refuses access."""
    channel = connection.channel()
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        action(channel)
    assert closed.value.reply_code == 403, closed.value.reply_text
    return closed.value.reply_text


def test_an_organisations_credentials_read_its_own_events_and_no_one_elses(credentials, amqp_uri):
    north, south = new_tenant(), new_tenant()
    creds = credentials(north)
    credentials(south)
    assert creds["username"] != "guest" and creds["routing_key_prefix"] == f"{north}."
    assert creds["vhost"] in amqp_uri

    connection = connect(amqp_uri, creds)
    try:
        own_queue = f"{north}.events-{uuid.uuid4().hex[:6]}"
        # Binding the other organisation's routing keys, or every key, is refused by the broker.
        for key in (f"{south}.#", f"{south}.MatchAccepted", "#", "*.MatchAccepted", "#.MatchAccepted"):

            def bind(channel, key=key):
                channel.queue_declare(own_queue, durable=True)
                channel.queue_bind(own_queue, "ementor.integrations", routing_key=key)

            assert f"access to topic '{key}' in exchange 'ementor.integrations'" in refused(connection, bind)
        # So are the services' own exchanges (every organisation's raw events) and foreign queue names.
        assert "exchange 'matching.events'" in refused(
            connection,
            lambda ch: (
                ch.queue_declare(own_queue, durable=True),
                ch.queue_bind(own_queue, "matching.events", routing_key="#"),
            ),
        )
        assert f"queue '{south}.stolen'" in refused(
            connection, lambda ch: ch.queue_declare(f"{south}.stolen")
        )
        assert "queue 'evt-all--integrations.republish'" in refused(
            connection, lambda ch: ch.basic_get("evt-all--integrations.republish")
        )
        # Nor may it publish into the integrations exchange to forge events.
        assert "exchange 'ementor.integrations'" in refused(
            connection,
            lambda ch: (
                ch.confirm_delivery(),
                ch.basic_publish("ementor.integrations", f"{north}.MatchAccepted", b"{}"),
            ),
        )

        # Its own routing keys bind, and only its own events arrive.
        channel = connection.channel()
        channel.queue_declare(own_queue, durable=True)
        channel.queue_bind(own_queue, "ementor.integrations", routing_key=f"{north}.#")
        mine = publish(amqp_uri, accepted("north-match"), north)
        publish(amqp_uri, accepted("south-match"), south)
        marker = publish(
            amqp_uri,
            ProfileUpdated(
                person_id="p1",
                role="mentor",
                timezone="Europe/London",
                languages=["en"],
                interests=["music"],
                capacity=1,
                is_minor=False,
                vetted=True,
                channels={"email": True, "sms": False},
                changed=["interests"],
            ),
            north,
        )
        seen = []

        def arrived():
            while True:
                method, _properties, body = channel.basic_get(own_queue, auto_ack=True)
                if method is None:
                    break
                seen.append(json.loads(body))
            assert [event["id"] for event in seen] == [mine.id, marker.id]

        eventually(arrived)
        assert {event["tenantid"] for event in seen} == {north}
    finally:
        connection.close()


def test_new_credentials_replace_the_old_password_and_close_its_connections(
    credentials, api, token, amqp_uri
):
    tenant = new_tenant()
    first = credentials(tenant)
    old_connection = connect(amqp_uri, first)
    second = credentials(tenant)
    assert second["password"] != first["password"] and second["username"] == first["username"]
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker):
        old_connection.process_data_events(time_limit=5)
    with pytest.raises(pika.exceptions.ProbableAuthenticationError):
        connect(amqp_uri, first)
    current = connect(amqp_uri, second)
    shown = api.get("/v1/amqp-credentials", token(tenant)).json()
    assert shown["username"] == first["username"] and "password" not in shown

    assert api.delete("/v1/amqp-credentials", token(tenant)).status_code == 204
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker):
        current.process_data_events(time_limit=5)
    with pytest.raises(pika.exceptions.ProbableAuthenticationError):
        connect(amqp_uri, second)
    assert api.get("/v1/amqp-credentials", token(tenant)).status_code == 404


def test_events_published_before_the_service_starts_wait_in_the_queue_declared_at_deploy_time(
    start_services, lab_settings, amqp_uri
):
    from ementor.platform import topology
    from services.integrations.service import IntegrationsService

    declared = topology.declare(amqp_uri, [IntegrationsService], lab_settings.EMENTOR_DELIVERY_LIMIT)
    assert sorted(s.queue for s in declared) == [  # its own queue, the kit's revocation list and retention job
        "evt-all--integrations.republish",
        "evt-profiles-AccessRevoked--integrations.on_access_revoked",
        "evt-profiles-OrganisationCreated--integrations.on_organisation_created",
        "evt-profiles-PersonErased--integrations.on_person_erased_revoke",
        "evt-safeguarding-RetentionPeriodsChanged--integrations.on_retention_changed",
    ]
    tenant = new_tenant()
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        exchange = Exchange("ementor.integrations", type="topic", durable=True, auto_delete=False)
        queue = Queue("", exchange=exchange, routing_key=f"{tenant}.#", exclusive=True, auto_delete=True)(
            channel
        )
        queue.declare()
        early = publish(amqp_uri, accepted("before-start"), tenant)  # the service is not running yet

        start_services(IntegrationsService, settings_override=lab_settings)

        def arrived():
            message = queue.get(no_ack=True)
            assert message is not None
            return json.loads(message.body)

        assert eventually(arrived)["id"] == early.id


def test_an_unreachable_management_api_is_a_clear_503(start_services, lab_settings, api, token):
    from services.integrations.service import IntegrationsService
    from tests.support.infra import free_port

    broken = lab_settings.model_copy(
        update={"EMENTOR_RABBITMQ_MANAGEMENT_URL": f"http://guest:guest@127.0.0.1:{free_port()}"}
    )
    start_services(IntegrationsService, settings_override=broken)
    response = api.post("/v1/amqp-credentials", token(new_tenant()))
    assert response.status_code == 503
    assert "management API unreachable" in response.json()["error"]["message"]
