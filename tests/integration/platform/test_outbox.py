"""The outbox: state changes survive a broker outage, and their events go out once it is back."""

from urllib.parse import urlparse

import pytest

from services.profiles.documents import Person
from services.profiles.service import ProfilesService
from tests.support.events import eventually
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def broker_proxy(amqp_uri):
    parsed = urlparse(amqp_uri)
    proxy = TcpProxy(parsed.hostname, parsed.port or 5672)
    yield proxy, parsed._replace(netloc=f"{parsed.username}:{parsed.password}@127.0.0.1:{proxy.port}").geturl()
    proxy.close()


def test_changes_made_while_the_broker_is_down_are_published_once_it_returns(
    broker_proxy, start_services, settings, api, events
):
    # broker_proxy comes first so that it is torn down last, after the services have stopped
    proxy, proxied_uri = broker_proxy
    start_services(ProfilesService, settings_override=settings.model_copy(update={"AMQP_URI": proxied_uri}))
    organisation = api.create_organisation("harbour-school")
    token = api.coordinator_token(organisation["api_key"])
    events.wait_for("OrganisationCreated")

    proxy.cut()
    created = []
    for i in range(3):
        response = api.post("/v1/people", token, json={
            "role": "mentee", "name": f"Student {i}", "email": f"s{i}@example.org", "timezone": "Europe/London",
        })
        assert response.status_code == 201, "writes must not depend on the broker"
        created.append(response.json()["id"])

    # Nothing went out, and nothing was lost: the events wait beside the state they describe.
    assert events.of_type("ProfileCreated") == []
    pending = Person.scoped(organisation["id"]).filter(outbox__event_id__exists=True).count()
    assert pending == 3

    proxy.restore()
    published = events.wait_for("ProfileCreated", count=3, timeout=60)
    assert sorted(e.subject for e in published) == sorted(created)
    assert len({e.id for e in events.of_type("ProfileCreated")}) == 3
    eventually(lambda: _assert_no_pending(organisation["id"]))


def _assert_no_pending(tenant_id):
    assert Person.scoped(tenant_id).filter(outbox__event_id__exists=True).count() == 0
