"""What an operator relies on: liveness and readiness probes, the access log and X-Request-Id."""

from __future__ import annotations

import json
import logging
from html import escape as html_escape
from urllib.parse import urlparse

import pytest

from ementor.platform.http import health
from ementor.platform.logs import JsonFormatter
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


def test_readiness_checks_the_broker_and_the_database_and_says_what_is_down(
    broker_proxy, start_services, settings, api, monkeypatch
):
    monkeypatch.setattr(health, "CACHE_SECONDS", 0)
    proxy, proxied_uri = broker_proxy
    start_services(ProfilesService, settings_override=settings.model_copy(update={"AMQP_URI": proxied_uri}))

    ready = api.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"service:profiles": "ok", "broker": "ok", "mongodb:profiles": "ok"}
    assert api.get("/health").json() == ready.json(), "/health is readiness"

    proxy.cut()
    down = api.get("/health/ready")
    assert down.status_code == 503 and down.json()["down"] == ["broker"], down.text
    assert api.get("/health").status_code == 503
    assert api.get("/health/live").status_code == 200, "the process is up: no restart for a broker outage"

    def database_down():
        raise ConnectionError("no primary")

    monkeypatch.setattr(health, "_ping_mongodb", lambda alias: database_down())
    proxy.restore()
    both = api.get("/health/ready")
    assert both.status_code == 503 and both.json()["down"] == ["mongodb:profiles"], both.text
    assert "no primary" in both.json()["checks"]["mongodb:profiles"]


def test_each_request_is_one_json_access_log_line_with_its_request_id(profiles, api, caplog):
    created = api.create_organisation("harbour")
    token = api.coordinator_token(created["api_key"])
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    caplog.set_level(logging.INFO, logger="ementor.access")

    given = api.get("/v1/programmes", token, headers={"X-Request-Id": "client-42", "traceparent": traceparent})
    assert given.status_code == 200 and given.headers["X-Request-Id"] == "client-42"
    generated = api.get("/v1/people/nobody", token)
    assert generated.status_code == 404 and len(generated.headers["X-Request-Id"]) == 32
    unsafe = api.get("/v1/programmes", token, headers={"X-Request-Id": "x" * 500})
    assert unsafe.headers["X-Request-Id"] != "x" * 500, "an oversized id is replaced, not logged"

    def logged():
        lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "ementor.access"]
        assert len(lines) >= 3
        return {line["request_id"]: line for line in lines}

    lines = eventually(logged)
    first = lines["client-42"]
    assert first["method"] == "GET" and first["route"] == "/v1/programmes" and first["status"] == 200
    assert first["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert first["service"] == "profiles" and first["tenant_id"] == created["id"]
    assert first["duration_ms"] >= 0 and first["level"] == "info"
    missing = lines[generated.headers["X-Request-Id"]]
    assert missing["route"] == "/v1/people/<person_id>" and missing["status"] == 404


@pytest.fixture
def profiles(start_services):
    return start_services(ProfilesService)


def test_the_api_docs_page_shows_every_operation_and_loads_nothing_from_elsewhere(profiles, api):
    response = api.get("/v1/docs")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    html = response.text
    document = api.get("/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert f"<code>{path}</code> {html_escape(operation['summary'])}" in html, path
    assert "<script" not in html and "src=" not in html and "https://" not in html and "@import" not in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
