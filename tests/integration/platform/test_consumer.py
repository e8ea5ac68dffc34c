"""The subscriber entrypoint: one effect per event, dead letters after the limit, replay."""

import json
from typing import ClassVar

import pytest
from ementor_contracts import OrganisationCreated, to_cloudevent
from kombu import Connection, Exchange

from ementor.platform import topology
from ementor.platform.consumer import PermanentFailure, subscribe
from tests.support.events import eventually

pytestmark = pytest.mark.integration


class Recorder:
    """A subscriber whose behaviour each test sets: it records, fails, or fails for good."""

    name = "recorder"
    handled: ClassVar[list] = []
    mode = "ok"

    @subscribe(OrganisationCreated)
    def on_organisation_created(self, event, envelope):
        if Recorder.mode == "fail":
            raise RuntimeError("database unavailable")
        if Recorder.mode == "permanent":
            raise PermanentFailure("cannot ever handle this")
        Recorder.handled.append((envelope.tenantid, envelope.id, event.slug))


class Picky:
    """A subscriber that says up front which events it ignores."""

    name = "picky"
    handled: ClassVar[list] = []

    @subscribe(OrganisationCreated, when=lambda event: not event.slug.startswith("test-"))
    def on_organisation_created(self, event, envelope):
        Picky.handled.append(event.slug)


@pytest.fixture(autouse=True)
def reset_recorder():
    Picky.handled = []
    Recorder.handled = []
    Recorder.mode = "ok"


def publish(amqp_uri, body, content_type="application/cloudevents+json"):
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        exchange = Exchange("profiles.events", type="topic", durable=True, auto_delete=False)
        producer.publish(body if isinstance(body, str) else json.dumps(body), exchange=exchange,
                         routing_key="OrganisationCreated", content_type=content_type, declare=[exchange])


def envelope(slug="riverside"):
    event = OrganisationCreated(organisation_id="org-1", slug=slug, name="Riverside")
    return to_cloudevent(event, "org-1").model_dump(mode="json")


QUEUE = topology.Subscription("recorder", "on_organisation_created", "profiles", "OrganisationCreated").queue


def dead_letters(amqp_uri) -> int:
    subs = topology.subscriptions([Recorder])
    return topology.dead_letter_counts(amqp_uri, subs)[QUEUE]


def test_the_same_event_delivered_twice_has_one_effect(start_services, amqp_uri):
    start_services(Recorder)
    body = envelope()
    publish(amqp_uri, body)
    publish(amqp_uri, body)
    publish(amqp_uri, envelope("other"))
    eventually(lambda: _assert(len(Recorder.handled) == 2 and {h[2] for h in Recorder.handled} == {"riverside", "other"}))
    assert [h[1] for h in Recorder.handled].count(body["id"]) == 1


def test_a_failing_handler_is_retried_then_dead_lettered_and_can_be_replayed(start_services, amqp_uri, settings):
    Recorder.mode = "fail"
    start_services(Recorder)
    body = envelope()
    publish(amqp_uri, body)
    eventually(lambda: _assert(dead_letters(amqp_uri) == 1), timeout=30)
    assert Recorder.handled == []

    Recorder.mode = "ok"  # the fault is fixed: the operator replays the dead letter
    assert topology.replay_dead_letters(amqp_uri, QUEUE) == 1
    eventually(lambda: _assert([h[1] for h in Recorder.handled] == [body["id"]]))
    assert dead_letters(amqp_uri) == 0


def test_a_permanent_failure_is_dead_lettered_without_retrying(start_services, amqp_uri):
    Recorder.mode = "permanent"
    start_services(Recorder)
    publish(amqp_uri, envelope())
    eventually(lambda: _assert(dead_letters(amqp_uri) == 1), timeout=15)


@pytest.mark.parametrize("body", [
    "{not json",
    {"specversion": "1.0", "type": "OrganisationCreated"},  # no id, no tenant, no data
    {**envelope(), "tenantid": ""},
])
def test_an_unreadable_message_is_dead_lettered_at_once(start_services, amqp_uri, body):
    start_services(Recorder)
    publish(amqp_uri, body, content_type="application/json" if isinstance(body, str) else "application/cloudevents+json")
    eventually(lambda: _assert(dead_letters(amqp_uri) == 1), timeout=15)
    assert Recorder.handled == []


def test_an_event_the_subscriber_ignores_is_acked_without_an_inbox_entry(start_services, amqp_uri):
    from mongoengine.connection import get_db

    start_services(Picky)
    ignored, handled = envelope("test-sandbox"), envelope("riverside")
    publish(amqp_uri, ignored)
    publish(amqp_uri, handled)
    eventually(lambda: _assert(Picky.handled == ["riverside"]))
    inbox = get_db("picky")["inbox"]

    def entries(event) -> int:
        return inbox.count_documents({"tenant_id": event["tenantid"], "consumer": "picky.on_organisation_created",
                                      "event_id": event["id"]})

    assert (entries(ignored), entries(handled)) == (0, 1)
    queue = topology.Subscription("picky", "on_organisation_created", "profiles", "OrganisationCreated").queue
    with Connection(amqp_uri) as connection:  # nothing left waiting or dead-lettered
        assert connection.default_channel.queue_declare(queue, passive=True).message_count == 0
    assert topology.dead_letter_counts(amqp_uri, topology.subscriptions([Picky]))[queue] == 0


def _assert(condition):
    assert condition
