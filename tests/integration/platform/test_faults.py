"""Faults the platform must survive: a replica dying mid-handler, the broker cut mid-stream."""

from typing import ClassVar
from urllib.parse import urlparse

import eventlet
import pytest
from ementor_contracts import ProfileCreated
from eventlet.event import Event

from ementor.platform.consumer import subscribe
from services.profiles.service import ProfilesService
from tests.support.events import eventually
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


class Projection:
    """A consumer that counts the effect of each event, and can be made to hang mid-handler."""

    name = "projection"
    effects: ClassVar[dict] = {}
    hang: Event | None = None
    started_hanging: Event | None = None

    @subscribe(ProfileCreated)
    def on_profile_created(self, event, envelope):
        if Projection.hang is not None and not Projection.hang.ready():
            Projection.started_hanging.send(True)
            Projection.hang.wait()
        Projection.effects[event.person_id] = Projection.effects.get(event.person_id, 0) + 1


@pytest.fixture(autouse=True)
def reset():
    Projection.effects, Projection.hang, Projection.started_hanging = {}, None, None


def person(i):
    return {"role": "mentee", "name": f"P{i}", "email": f"p{i}@example.org", "timezone": "Europe/London"}


def test_an_event_whose_replica_dies_mid_handler_is_redone_by_another(start_services, settings, api, monkeypatch):
    from datetime import timedelta

    from ementor.platform.inbox import Inbox
    from tests.support.infra import free_port

    monkeypatch.setattr(Inbox, "lease", timedelta(seconds=2))  # the dead replica's claim lapses quickly

    start_services(ProfilesService)
    organisation = api.create_organisation("harbour")
    token = api.coordinator_token(organisation["api_key"])
    doomed = start_services(Projection, settings_override=settings.model_copy(
        update={"EMENTOR_HTTP_ADDRESS": f"127.0.0.1:{free_port()}"}))
    Projection.hang, Projection.started_hanging = Event(), Event()

    created = api.post("/v1/people", token, json=person(1)).json()
    Projection.started_hanging.wait()  # the doomed replica holds the event, unacknowledged
    doomed.containers[0].kill()
    Projection.hang.send(True)
    start_services(Projection, settings_override=settings.model_copy(
        update={"EMENTOR_HTTP_ADDRESS": f"127.0.0.1:{free_port()}"}))
    eventually(lambda: _assert(Projection.effects.get(created["id"]) == 1), timeout=30)


@pytest.fixture
def broker_proxy(amqp_uri):
    parsed = urlparse(amqp_uri)
    proxy = TcpProxy(parsed.hostname, parsed.port or 5672)
    yield proxy, parsed._replace(netloc=f"{parsed.username}:{parsed.password}@127.0.0.1:{proxy.port}").geturl()
    proxy.close()


def test_cutting_the_broker_mid_stream_loses_nothing_and_doubles_nothing(broker_proxy, start_services, settings, api):
    proxy, proxied_uri = broker_proxy
    through_proxy = settings.model_copy(update={"AMQP_URI": proxied_uri})
    start_services(ProfilesService, Projection, settings_override=through_proxy)
    organisation = api.create_organisation("harbour")
    token = api.coordinator_token(organisation["api_key"])

    ids = []
    for i in range(60):
        if i in (15, 40):
            proxy.cut()
            eventlet.spawn_after(0.5, proxy.restore)
        response = api.post("/v1/people", token, json=person(i))
        assert response.status_code == 201
        ids.append(response.json()["id"])

    eventually(lambda: _assert(set(Projection.effects) == set(ids)), timeout=90)
    assert all(count == 1 for count in Projection.effects.values()), "an event took effect twice"


def _assert(condition):
    assert condition
