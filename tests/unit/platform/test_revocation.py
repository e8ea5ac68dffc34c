import time
from datetime import UTC, datetime

import mongoengine
import mongomock
import pytest

from ementor.platform.principal import Principal
from ementor.platform.revocation import CACHE_SECONDS, RevocationList, Revocations
from ementor.registry import SERVICES, service_class

pytestmark = pytest.mark.unit
ALIAS = "unit-revocations"


@pytest.fixture
def revocations():
    mongoengine.connect(db=ALIAS, alias=ALIAS, host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
                        tz_aware=True)
    yield RevocationList(ALIAS)
    mongoengine.connection.get_db(ALIAS).client.drop_database(ALIAS)
    mongoengine.disconnect(ALIAS)


NOW = time.time()  # stored entries expire (TTL) two days after they take effect: keep times recent


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(NOW + seconds, UTC)


def test_tokens_issued_before_a_revocation_are_refused_and_later_ones_are_not(revocations):
    revocations.record("org", "person", "p1", at(1000))
    before = Principal("mentee", "org", person_id="p1", issued_at=NOW + 999.5)
    after = Principal("mentee", "org", person_id="p1", issued_at=NOW + 1000.2)
    other = Principal("mentee", "org", person_id="p2", issued_at=NOW + 999.5)
    assert revocations.is_revoked(before, now=NOW + 1001)
    assert not revocations.is_revoked(after, now=NOW + 1001)
    assert not revocations.is_revoked(other, now=NOW + 1001)


def test_a_revocation_in_the_future_takes_effect_when_it_is_due(revocations):
    revocations.record("org", "api_key", "k1", at(2000))
    token = Principal("integration", "org", key_id="k1", issued_at=NOW + 1500)
    assert not revocations.is_revoked(token, now=NOW + 1999)
    assert revocations.is_revoked(token, now=NOW + 2000 + CACHE_SECONDS)


def test_each_scope_and_the_organisation_are_checked_and_the_latest_revocation_wins(revocations):
    revocations.record("org", "session", "s1", at(100))
    revocations.record("org", "staff", "st1", at(100))
    revocations.record("org", "staff", "st1", at(50))  # a late duplicate does not move it back
    later = NOW + 200
    assert revocations.is_revoked(Principal("admin", "org", staff_id="x", session_id="s1", issued_at=NOW + 90), now=later)
    assert not revocations.is_revoked(Principal("admin", "org", staff_id="st1", issued_at=NOW + 100.5), now=later)
    assert revocations.is_revoked(Principal("admin", "org", staff_id="st1", issued_at=NOW + 99), now=later)
    revocations.record("org2", "organisation", "org2", at(100))
    assert revocations.is_revoked(Principal("mentor", "org2", person_id="p", issued_at=NOW + 10),
                                  now=later + CACHE_SECONDS)


def test_every_service_keeps_the_revocation_list():
    for name in SERVICES:
        assert issubclass(service_class(name), Revocations), name
