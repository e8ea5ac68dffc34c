"""The rate limit as stored: one atomic step per message on the MongoDB fixture, shared by replicas."""

from __future__ import annotations

import eventlet
import pytest

from ementor.platform import mongo
from services.messaging.documents import SendAllowance
from services.messaging.domain import RateLimit
from services.messaging.repository import MessagingRepository

pytestmark = pytest.mark.integration


@pytest.fixture
def repo(mongodb):
    mongo.open_database("messaging", mongodb, (SendAllowance,))
    return MessagingRepository()


def test_the_stored_bucket_allows_a_burst_then_says_how_long_to_wait(repo):
    limit = RateLimit(per_minute=30)
    waits = [repo.take_send_allowance("org", "amara", limit, 1000.0) for _ in range(31)]
    assert waits[:30] == [None] * 30
    assert waits[30] == pytest.approx(2.0)
    assert repo.take_send_allowance("org", "amara", limit, 1002.0) is None
    assert repo.take_send_allowance("org", "priya", limit, 1000.0) is None  # per person
    assert repo.take_send_allowance("other-org", "amara", limit, 1000.0) is None  # per organisation


def test_racing_senders_never_get_more_than_the_bucket_holds(repo):
    """Two replicas (here: many green threads) spending the same person's bucket at once."""
    limit = RateLimit(per_minute=10)
    pool = eventlet.GreenPool(50)
    results = list(pool.imap(lambda _: repo.take_send_allowance("org", "jamie", limit, 5000.0), range(50)))
    assert sum(1 for wait in results if wait is None) == 10
