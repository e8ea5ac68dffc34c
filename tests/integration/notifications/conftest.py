"""Fixtures of the notifications tests: a real SMTP server, a fake Twilio, and the services.

Starting and stopping nameko services costs seconds, so this folder starts profiles and the
notifications service once, in its own RabbitMQ vhost and databases, and every test works in its
own organisation (a tenant of its own, with people whose addresses are unique). The `amqp_uri`,
`api` and `events` fixtures are overridden here to point at that shared set-up; events are read
per organisation. The notifications service runs with a fast retry policy, a fast delivery-loop
poll and a fast nudge timer, pointed at the SMTP server and the fake Twilio.
"""

from __future__ import annotations

import itertools
import uuid

import mongoengine
import pytest
from mongoengine.connection import get_db

from ementor.platform.schedule import leased_timer
from ementor.platform.settings import Settings
from ementor.runner import Services
from services.notifications.delivery_loop import delivery_loop
from services.notifications.domain import RetryPolicy
from services.notifications.service import NotificationsService
from services.profiles.service import ProfilesService
from tests.support.events import EventRecorder
from tests.support.http import ApiClient
from tests.support.infra import free_port
from tests.support.secrets import TEST_ADMIN_TOKEN, TEST_JWT_SECRET
from tests.support.services import start_within
from tests.support.smtp import SmtpServer
from tests.support.twilio_fake import TwilioServer

PUBLIC_URL = "https://ementor.example.org"
FROM_NUMBER = "+15005550006"


class FastNotifications(NotificationsService):
    """The real service with retries, polling and the nudge job sped up for tests."""

    retry_policy = RetryPolicy(base_seconds=0.05, cap_seconds=0.4, max_attempts=40)

    @delivery_loop(poll_seconds=0.2)
    def send_due(self, fresh=(), scan=False) -> bool:
        return super().send_due(fresh, scan)

    @leased_timer(interval=0.2)
    def nudge_quiet_matches(self):
        super().nudge_quiet_matches()


@pytest.fixture(scope="package")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def twilio():
    server = TwilioServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def healthy_fakes(smtp_server, twilio):
    """Each test starts with both fakes up and without scripted faults."""
    yield
    smtp_server.up()
    smtp_server._rejected.clear()
    smtp_server._failures.clear()
    twilio._scripted.clear()
    twilio._rejected.clear()


@pytest.fixture(scope="package")
def amqp_uri(rabbitmq):
    name, uri = rabbitmq.create()
    yield uri
    rabbitmq.delete(name)


@pytest.fixture(scope="package")
def notify_settings(amqp_uri, mongodb_uri, smtp_server, twilio) -> Settings:
    return Settings(
        _env_file=None, EMENTOR_ENV="test", EMENTOR_ADMIN_TOKEN=TEST_ADMIN_TOKEN, EMENTOR_JWT_SECRET=TEST_JWT_SECRET,
        EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}", AMQP_URI=amqp_uri, MONGODB_URI=mongodb_uri,
        EMENTOR_DELIVERY_LIMIT=3,
        SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_FROM="ementor <no-reply@ementor.test>",
        TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_BASE_URL=twilio.base_url,
        TWILIO_FROM_NUMBER=FROM_NUMBER, EMENTOR_PUBLIC_URL=PUBLIC_URL,
    )


@pytest.fixture(scope="package")
def services(notify_settings):
    running = start_within(Services([ProfilesService, FastNotifications], notify_settings))
    yield running
    running.stop()
    for alias in ("profiles", "notifications"):
        if alias in mongoengine.connection._connection_settings:
            db = get_db(alias)
            db.client.drop_database(db.name)
            mongoengine.disconnect(alias)


@pytest.fixture(scope="package")
def api(notify_settings) -> ApiClient:
    return ApiClient(f"http://{notify_settings.EMENTOR_HTTP_ADDRESS}", notify_settings.EMENTOR_ADMIN_TOKEN)


@pytest.fixture(scope="package")
def recorder(amqp_uri):
    events = EventRecorder(amqp_uri)
    yield events
    events.close()


class TenantEvents:
    """The shared event recorder, seen through one organisation: only its events count."""

    def __init__(self, recorder: EventRecorder, tenant_id: str):
        self.recorder = recorder
        self.tenant_id = tenant_id

    def of_type(self, type_name: str):
        return [e for e in self.recorder.of_type(type_name) if e.tenantid == self.tenant_id]

    def wait_for(self, type_name: str, predicate=lambda e: True, timeout: float = 15.0, count: int = 1):
        return self.recorder.wait_for(type_name, lambda e: e.tenantid == self.tenant_id and predicate(e),
                                      timeout=timeout, count=count)


class Organisation:
    """An organisation with a coordinator token, and a quick way to register people."""

    _numbers = itertools.count(1)

    def __init__(self, api: ApiClient, name: str):
        created = api.create_organisation(f"org-{uuid.uuid4().hex[:10]}", name)
        self.api = api
        self.id = created["id"]
        self.api_key = created["api_key"]
        self.token = api.coordinator_token(self.api_key)

    def person(self, name: str, role: str = "mentee", *, sms: bool = False, phone: str | None = None,
               timezone: str = "Europe/London", quiet_hours: tuple[str, str] = ("00:00", "00:00"),
               email: bool = True, is_minor: bool = False) -> dict:
        number = next(self._numbers)
        body = {
            "role": role, "name": name, "email": f"{name.lower().replace(' ', '.')}.{number}@example.org",
            "timezone": timezone, "channels": {"email": email, "sms": sms},
            "quiet_hours": {"start": quiet_hours[0], "end": quiet_hours[1]}, "is_minor": is_minor,
        }
        if sms or phone:
            body["phone"] = phone or f"+4477009{number:05d}"
        if role == "mentor":
            body["capacity"] = 2
        if is_minor:  # a minor takes part only with their guardian's consent: collected offline here
            body["consent_recorded_offline"] = {"decision": "grant", "evidence": "signed paper form (test)"}
        response = self.api.post("/v1/people", self.token, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def person_token(self, person_id: str) -> str:
        return self.api.person_token(self.api_key, person_id)

    def settings(self, **values) -> dict:
        response = self.api.request("PUT", "/v1/settings/notifications", self.token, json=values)
        assert response.status_code == 200, response.text
        return response.json()

    def log(self, person_id: str | None = None, token: str | None = None, **params) -> list[dict]:
        if person_id:
            params["person_id"] = person_id
        response = self.api.get("/v1/notifications", token or self.token, params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture
def org(services, api) -> Organisation:
    return Organisation(api, "Northside School")


@pytest.fixture
def events(recorder, org) -> TenantEvents:
    return TenantEvents(recorder, org.id)
