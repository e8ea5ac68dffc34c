"""Webhooks against the real broker: signed deliveries, retries, disabling, isolation, the log."""

from __future__ import annotations

import json
import time

import pytest
from ementor_contracts import MatchAccepted, MessageSent, SessionCancelled

from services.integrations import domain
from tests.integration.integrations._support import new_tenant, publish
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def accepted(match_id: str = "match-1") -> MatchAccepted:
    return MatchAccepted(match_id=match_id, mentee_id="mentee-1", mentor_id="mentor-1")


def register(api, token, tenant, url, event_types=("*",)) -> dict:
    response = api.post("/v1/webhooks", token(tenant), json={"url": url, "event_types": list(event_types)})
    assert response.status_code == 201, response.text
    return response.json()


def received(receiver, count: int = 1, timeout: float = 10.0) -> list[dict]:
    def check():
        assert len(receiver.requests) >= count, f"{len(receiver.requests)} of {count} deliveries arrived"
        return receiver.requests

    return eventually(check, timeout=timeout)


def deliveries(api, token, tenant, webhook_id) -> list[dict]:
    response = api.get(f"/v1/webhooks/{webhook_id}/deliveries", token(tenant))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_an_event_reaches_the_webhook_signed_per_standard_webhooks(
    integrations, api, token, receivers, amqp_uri
):
    tenant, receiver = new_tenant(), receivers()
    hook = register(api, token, tenant, receiver.url, ["MatchAccepted"])
    assert hook["secret"].startswith("whsec_") and len(domain.secret_key(hook["secret"])) >= 24

    envelope = publish(amqp_uri, accepted(), tenant)

    [request] = received(receiver)
    headers = request["headers"]
    assert headers["webhook-id"] == envelope.id
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    domain.verify(
        hook["secret"], headers, request["body"], now=time.time()
    )  # raises if the signature is wrong
    with pytest.raises(domain.InvalidSignature):
        domain.verify(
            hook["secret"], headers, request["body"].replace(b"match-1", b"match-2"), now=time.time()
        )
    assert headers["content-type"].startswith("application/cloudevents+json")
    body = json.loads(request["body"])
    assert body["type"] == "MatchAccepted" and body["id"] == envelope.id and body["tenantid"] == tenant
    assert body["data"]["match_id"] == "match-1"
    # The delivery log says so, and the secret is never shown again.
    [delivery] = eventually(lambda: _succeeded(api, token, tenant, hook["id"]))
    assert delivery["event_id"] == envelope.id and delivery["history"][0]["status_code"] == 200
    assert "secret" not in api.get(f"/v1/webhooks/{hook['id']}", token(tenant)).json()


def _succeeded(api, token, tenant, webhook_id):
    items = deliveries(api, token, tenant, webhook_id)
    assert items and all(d["status"] == "succeeded" for d in items), items
    return items


def test_only_subscribed_event_types_are_delivered(integrations, api, token, receivers, amqp_uri):
    tenant, receiver = new_tenant(), receivers()
    register(api, token, tenant, receiver.url, ["SessionCancelled"])
    publish(amqp_uri, accepted(), tenant)
    publish(
        amqp_uri,
        SessionCancelled(
            session_id="s1",
            match_id="m1",
            mentor_id="a",
            mentee_id="b",
            starts_at="2025-05-06T16:00:00Z",
            cancelled_by="a",
            sequence=1,
        ),
        tenant,
    )
    [request] = received(receiver)
    assert json.loads(request["body"])["type"] == "SessionCancelled"
    assert len(receiver.requests) == 1


def test_an_event_handled_twice_is_delivered_once(integrations, api, token, receivers, amqp_uri):
    tenant, receiver = new_tenant(), receivers()
    hook = register(api, token, tenant, receiver.url)
    first = publish(amqp_uri, accepted(), tenant)
    publish(amqp_uri, accepted(), tenant, event_id=first.id)  # at-least-once: the same event again
    marker = publish(amqp_uri, accepted("match-2"), tenant)

    requests = received(receiver, 2)
    ids = [r["headers"]["webhook-id"] for r in requests]
    assert marker.id in ids
    eventually(lambda: _succeeded(api, token, tenant, hook["id"]))
    assert ids.count(first.id) == 1
    assert sorted(d["event_id"] for d in deliveries(api, token, tenant, hook["id"])) == sorted(
        [first.id, marker.id]
    )


def test_a_receiver_answering_500_gets_the_event_again(integrations, api, token, receivers, amqp_uri):
    tenant, receiver = new_tenant(), receivers(statuses=[500, 503])
    hook = register(api, token, tenant, receiver.url)
    envelope = publish(amqp_uri, accepted(), tenant)

    requests = received(receiver, 3)
    assert {r["headers"]["webhook-id"] for r in requests} == {envelope.id}
    # Each attempt is signed afresh, and every one verifies.
    for request in requests:
        domain.verify(hook["secret"], request["headers"], request["body"], now=time.time())
    [delivery] = eventually(lambda: _succeeded(api, token, tenant, hook["id"]))
    assert [a["status_code"] for a in delivery["history"]] == [500, 503, 200]
    assert api.get(f"/v1/webhooks/{hook['id']}", token(tenant)).json()["status"] == "active"


def test_410_gone_disables_the_webhook(integrations, api, token, receivers, amqp_uri):
    tenant, receiver = new_tenant(), receivers(default=410)
    hook = register(api, token, tenant, receiver.url)
    publish(amqp_uri, accepted(), tenant)

    def disabled():
        webhook = api.get(f"/v1/webhooks/{hook['id']}", token(tenant)).json()
        assert webhook["status"] == "disabled", webhook
        return webhook

    webhook = eventually(disabled)
    assert "410" in webhook["disabled_reason"]
    [delivery] = deliveries(api, token, tenant, hook["id"])
    assert delivery["status"] == "failed" and delivery["attempts"] == 1
    # Later events are no longer sent to it; a replay is refused until it is enabled again.
    receiver.default = 200
    publish(amqp_uri, accepted("match-2"), tenant)
    other, other_receiver = new_tenant(), receivers()
    register(api, token, other, other_receiver.url)
    publish(amqp_uri, accepted("match-3"), other)
    received(other_receiver)  # by now the second event of `tenant` has been handled too
    assert len(receiver.requests) == 1 and len(deliveries(api, token, tenant, hook["id"])) == 1
    replay = api.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/replay", token(tenant))
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "webhook_disabled"

    assert api.post(f"/v1/webhooks/{hook['id']}/enable", token(tenant)).json()["status"] == "active"
    assert (
        api.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/replay", token(tenant)).status_code
        == 202
    )
    assert received(receiver, 2)[1]["headers"]["webhook-id"] == delivery["event_id"]


def test_persistent_failure_disables_the_webhook_after_the_last_retry(
    integrations, api, token, receivers, amqp_uri
):
    tenant, receiver = new_tenant(), receivers(default=500)
    hook = register(api, token, tenant, receiver.url)
    publish(amqp_uri, accepted(), tenant)

    def disabled():
        webhook = api.get(f"/v1/webhooks/{hook['id']}", token(tenant)).json()
        assert webhook["status"] == "disabled", webhook
        return webhook

    webhook = eventually(disabled)
    assert "4 attempts" in webhook["disabled_reason"]  # the test schedule: 1 attempt + 3 retries
    [delivery] = deliveries(api, token, tenant, hook["id"])
    assert delivery["status"] == "failed" and [a["status_code"] for a in delivery["history"]] == [500] * 4


def test_a_slow_receiver_does_not_delay_another_endpoint(integrations, api, token, receivers, amqp_uri):
    tenant = new_tenant()
    slow, fast = receivers(), receivers()
    slow.hold.clear()  # answers nothing until released (the sender times out after 1 s)
    slow_hook = register(api, token, tenant, slow.url)
    fast_hook = register(api, token, tenant, fast.url)

    sent = [publish(amqp_uri, accepted(f"match-{i}"), tenant) for i in range(6)]

    received(fast, 6, timeout=5)
    assert not slow.requests, "the slow receiver was held, yet answered"
    assert {r["headers"]["webhook-id"] for r in fast.requests} == {e.id for e in sent}

    def timed_out():
        items = deliveries(api, token, tenant, slow_hook["id"])
        assert items and all(d["history"] and "timed out" in d["history"][0]["error"] for d in items), items
        return items

    eventually(timed_out)
    slow.hold.set()
    assert all(d["status"] == "succeeded" for d in deliveries(api, token, tenant, fast_hook["id"]))


def test_an_organisation_receives_only_its_own_events(integrations, api, token, receivers, amqp_uri):
    north, south = new_tenant(), new_tenant()
    north_receiver, south_receiver = receivers(), receivers()
    north_hook = register(api, token, north, north_receiver.url)
    south_hook = register(api, token, south, south_receiver.url)

    north_event = publish(amqp_uri, accepted("north-match"), north)
    south_event = publish(
        amqp_uri,
        MessageSent(message_id="msg", match_id="south-match", sender_id="a", recipient_id="b", length=12),
        south,
    )

    [north_request] = received(north_receiver)
    [south_request] = received(south_receiver)
    assert json.loads(north_request["body"])["id"] == north_event.id
    assert json.loads(south_request["body"])["id"] == south_event.id
    assert json.loads(south_request["body"])["tenantid"] == south
    # Neither can see, use or delete the other's webhook or its log: 404, not 403.
    for path in (f"/v1/webhooks/{south_hook['id']}", f"/v1/webhooks/{south_hook['id']}/deliveries"):
        assert api.get(path, token(north)).status_code == 404
    assert api.delete(f"/v1/webhooks/{south_hook['id']}", token(north)).status_code == 404
    [south_delivery] = deliveries(api, token, south, south_hook["id"])
    replay = api.post(
        f"/v1/webhooks/{south_hook['id']}/deliveries/{south_delivery['id']}/replay", token(north)
    )
    assert replay.status_code == 404
    replay = api.post(
        f"/v1/webhooks/{north_hook['id']}/deliveries/{south_delivery['id']}/replay", token(north)
    )
    assert replay.status_code == 404
    assert [w["id"] for w in api.get("/v1/webhooks", token(north)).json()["items"]] == [north_hook["id"]]


def test_replay_sends_a_delivered_event_again(integrations, api, token, receivers, amqp_uri):
    tenant, receiver = new_tenant(), receivers()
    hook = register(api, token, tenant, receiver.url)
    envelope = publish(amqp_uri, accepted(), tenant)
    received(receiver)
    [delivery] = eventually(lambda: _succeeded(api, token, tenant, hook["id"]))

    response = api.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/replay", token(tenant))
    assert response.status_code == 202, response.text
    first, again = received(receiver, 2)
    assert again["headers"]["webhook-id"] == envelope.id and again["body"] == first["body"]
    [delivery] = eventually(lambda: _succeeded(api, token, tenant, hook["id"]))
    assert len(delivery["history"]) == 2


def test_deleting_a_webhook_stops_its_deliveries(integrations, api, token, receivers, amqp_uri):
    tenant, gone, kept = new_tenant(), receivers(), receivers()
    hook = register(api, token, tenant, gone.url)
    register(api, token, tenant, kept.url)
    assert api.delete(f"/v1/webhooks/{hook['id']}", token(tenant)).status_code == 204
    assert api.get(f"/v1/webhooks/{hook['id']}", token(tenant)).status_code == 404

    publish(amqp_uri, accepted(), tenant)
    received(kept)
    assert gone.requests == []


def test_bad_webhook_requests_get_clear_4xx(integrations, api, token, receivers):
    tenant = new_tenant()
    url = receivers().url

    response = api.post(
        "/v1/webhooks",
        token(tenant),
        json={"url": url, "event_types": ["MatchAccepted", "Nope", "MatchAcepted"]},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert "MatchAcepted" in error["message"] and "Nope" in error["message"]
    assert error["details"][0]["unknown"] == ["MatchAcepted", "Nope"]

    response = api.post("/v1/webhooks", token(tenant), json={"url": url, "event_types": []})
    assert response.status_code == 422
    response = api.post(
        "/v1/webhooks", token(tenant), json={"url": "ftp://example.org/x", "event_types": ["*"]}
    )
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "url"
    assert api.get("/v1/webhooks/does-not-exist", token(tenant)).status_code == 404
    # Webhooks are the organisation's configuration: a mentor's token may not touch them.
    from ementor.platform.http.auth import issue_token

    mentor = issue_token(
        integrations.settings.EMENTOR_JWT_SECRET, tenant_id=tenant, role="mentor", person_id="p1"
    )
    assert api.post("/v1/webhooks", mentor, json={"url": url, "event_types": ["*"]}).status_code == 403
    assert api.get("/v1/webhooks", None).status_code == 401


def test_private_and_plain_http_targets_are_refused_unless_the_operator_allows_them(
    start_services, settings, api, token
):
    from services.integrations.service import IntegrationsService

    start_services(IntegrationsService)  # EMENTOR_ENV=test, private targets not allowed
    tenant = new_tenant()
    for url in (
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/",
        "https://[fe80::1]/hook",
        "https://[::ffff:192.168.0.1]/",
        "https://localhost/hook",
        "https://2130706433/hook",
    ):
        response = api.post("/v1/webhooks", token(tenant), json={"url": url, "event_types": ["*"]})
        assert response.status_code == 422, (url, response.text)
        assert "private, loopback or link-local" in response.json()["error"]["message"], url
    response = api.post(
        "/v1/webhooks", token(tenant), json={"url": "http://8.8.8.8/hook", "event_types": ["*"]}
    )
    assert response.status_code == 422 and "https" in response.json()["error"]["message"]
    response = api.post(
        "/v1/webhooks", token(tenant), json={"url": "https://8.8.8.8/hook", "event_types": ["*"]}
    )
    assert response.status_code == 201, response.text
