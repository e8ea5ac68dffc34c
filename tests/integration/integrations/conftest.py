"""Fixtures of the integrations suite: the service (private targets allowed), receivers, tokens."""

from __future__ import annotations

import pytest

from tests.integration.integrations._support import FastRetryIntegrations, Receiver, coordinator_token


@pytest.fixture
def lab_settings(settings):
    """Test settings with local (private) webhook targets allowed, as an operator's lab would."""
    return settings.model_copy(update={"EMENTOR_ALLOW_PRIVATE_WEBHOOKS": True})


@pytest.fixture
def integrations(start_services, lab_settings):
    return start_services(FastRetryIntegrations, settings_override=lab_settings)


@pytest.fixture
def receivers():
    made = []

    def make(statuses=(), default: int = 200) -> Receiver:
        receiver = Receiver(statuses, default)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def token(settings):
    return lambda tenant_id: coordinator_token(settings, tenant_id)
