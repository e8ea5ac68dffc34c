"""The RabbitMQ permissions an organisation's user gets (checked for real in the integration tests)."""

from __future__ import annotations

import re

import pytest

from services.integrations import domain

pytestmark = pytest.mark.unit

NORTH, SOUTH = "65f0c0ffee00000000000001", "65f0c0ffee00000000000002"


def allows(pattern: str, name: str) -> bool:
    # RabbitMQ matches permissions with Erlang's PCRE-compatible `re:run`, unanchored unless `^`.
    return re.search(pattern, name) is not None


def test_routing_keys_start_with_the_organisation():
    assert domain.routing_key(NORTH, "MatchAccepted") == f"{NORTH}.MatchAccepted"
    for bad in ("a.b", "*", "#", "", "x" * 65, "org id"):
        with pytest.raises(ValueError):
            domain.routing_key(bad, "MatchAccepted")


def test_topic_permissions_read_only_the_organisations_routing_keys():
    topic = domain.amqp_topic_permissions(NORTH)
    assert topic["exchange"] == "ementor.integrations"
    assert allows(topic["read"], f"{NORTH}.#") and allows(topic["read"], f"{NORTH}.MatchAccepted")
    for key in (f"{SOUTH}.#", "#", "*.MatchAccepted", f"#.{NORTH}.x", NORTH, f"{NORTH}x.#"):
        assert not allows(topic["read"], key), key
    assert not allows(topic["write"], f"{NORTH}.MatchAccepted")


def test_vhost_permissions_cover_own_queues_and_the_exchange_only():
    permissions = domain.amqp_permissions(NORTH)
    assert allows(permissions["configure"], f"{NORTH}.crm-sync")
    assert allows(permissions["read"], "ementor.integrations") and allows(
        permissions["read"], f"{NORTH}.crm-sync"
    )
    for name in (
        f"{SOUTH}.crm-sync",
        "matching.events",
        "profiles.events",
        "ementor.integrations.x",
        "evt-all--integrations.republish",
        "amq.gen-123",
        "ementor.dead-letter",
    ):
        assert not allows(permissions["read"], name), name
        assert not allows(permissions["configure"], name), name
        assert not allows(permissions["write"], name), name
    assert not allows(permissions["write"], "ementor.integrations")  # no forging events


def test_each_organisation_gets_its_own_user_and_a_strong_password():
    assert domain.amqp_username(NORTH) != domain.amqp_username(SOUTH)
    assert len(domain.new_amqp_password()) >= 40 and domain.new_amqp_password() != domain.new_amqp_password()
