"""Planning reads the organisation's settings for every event, so it reads them through a short
cache: another replica's change is seen within SETTINGS_CACHE_SECONDS, this replica's at once, and
a change always starts from what is stored."""

from __future__ import annotations

import pytest

from ementor.platform import expiring, mongo
from services.notifications import repository
from services.notifications.documents import DOCUMENTS, OrganisationSettings
from services.notifications.repository import NotificationsRepository

pytestmark = pytest.mark.integration

TENANT = "org-1"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(expiring.time, "monotonic", clock)
    return clock


@pytest.fixture
def repo(mongodb) -> NotificationsRepository:
    mongo.open_database("notifications", mongodb, DOCUMENTS)
    OrganisationSettings(id=TENANT, tenant_id=TENANT, coordinator_email="old@school.org").save()
    return NotificationsRepository()


def _changed_elsewhere(email: str) -> None:
    """Another replica saves a change: this one's repository does not hear of it."""
    OrganisationSettings.scoped(TENANT, id=TENANT).update(set__coordinator_email=email)


def test_another_replicas_change_reaches_planning_within_the_cache_time(repo, clock):
    assert repo.settings(TENANT, cached=True).coordinator_email == "old@school.org"
    _changed_elsewhere("new@school.org")

    clock.now += repository.SETTINGS_CACHE_SECONDS - 0.1
    assert repo.settings(TENANT, cached=True).coordinator_email == "old@school.org"
    assert repo.settings(TENANT).coordinator_email == "new@school.org", "a change reads what is stored"
    clock.now += 0.2
    assert repo.settings(TENANT, cached=True).coordinator_email == "new@school.org"


def test_this_replicas_change_reaches_planning_at_once(repo, clock):
    assert repo.settings(TENANT, cached=True).coordinator_email == "old@school.org"
    changing = repo.settings(TENANT)
    changing.coordinator_email = "new@school.org"
    repo.save_settings(changing)

    assert repo.settings(TENANT, cached=True).coordinator_email == "new@school.org"
