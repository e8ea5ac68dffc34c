"""Messages posted while the broker is away are stored at once and their events go out once it returns."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted

from ementor.platform.http.auth import issue_token
from ementor.platform.outbox import HandOverOutbox
from services.messaging import repository
from services.messaging.documents import Message
from services.messaging.service import MessagingService
from tests.support.events import eventually
from tests.support.publish import publish_event
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def broker_proxy(amqp_uri):
    parsed = urlparse(amqp_uri)
    proxy = TcpProxy(parsed.hostname, parsed.port or 5672)
    netloc = f"{parsed.username}:{parsed.password}@127.0.0.1:{proxy.port}"
    yield proxy, parsed._replace(netloc=netloc).geturl()
    proxy.close()


def test_events_of_messages_posted_during_an_outage_are_published_once_after_it(
    broker_proxy, start_services, settings, api, amqp_uri, events, monkeypatch
):
    # broker_proxy comes first so that it is torn down last, after the services have stopped.
    # Shorter than in production (15 s lease, 10 s sweep) so the test does not wait for them.
    monkeypatch.setattr(repository, "HANDOVER_LEASE", timedelta(seconds=1))
    monkeypatch.setattr(HandOverOutbox, "sweep_seconds", 0.5)
    proxy, proxied_uri = broker_proxy
    start_services(MessagingService, settings_override=settings.model_copy(update={"AMQP_URI": proxied_uri}))
    tenant, match_id, mentor, mentee = (str(ObjectId()) for _ in range(4))
    secret = settings.EMENTOR_JWT_SECRET
    coordinator = issue_token(secret, tenant_id=tenant, role="coordinator")
    token = issue_token(secret, tenant_id=tenant, role="mentor", person_id=mentor)
    publish_event(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=mentor, mentee_id=mentee), tenant)

    def opened():
        response = api.get(f"/v1/matches/{match_id}/conversation", coordinator)
        assert response.status_code == 200 and response.json()["status"] == "active", response.text

    eventually(opened, timeout=15)

    proxy.cut()
    posted = []
    for i in range(3):
        response = api.post(f"/v1/matches/{match_id}/messages", token, json={"body": f"still here {i}"})
        assert response.status_code == 201, "posting must not depend on the broker"
        posted.append(response.json()["id"])
    assert events.of_type("MessageSent") == []

    proxy.restore()
    published = events.wait_for("MessageSent", lambda e: e.subject in posted, count=3, timeout=60)
    assert sorted(e.subject for e in published) == sorted(posted)

    def drained():
        pending = {"tenant_id": tenant, "outbox.event_id": {"$exists": True}}
        assert Message._get_collection().count_documents(pending) == 0

    eventually(drained, timeout=15)
    assert len([e for e in events.of_type("MessageSent") if e.subject in posted]) == 3  # none twice
