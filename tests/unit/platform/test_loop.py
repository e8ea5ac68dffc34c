"""BackgroundLoop: kicks, polls, back-off after failures, the singleton lease, graceful stop."""

import eventlet
import mongomock
import pytest

from ementor.platform.loop import BackgroundLoop, backoff
from ementor.platform.schedule import Leases
from tests.support.events import eventually

pytestmark = pytest.mark.unit


def test_backoff_doubles_up_to_its_cap_with_jitter():
    for failures, top in ((1, 1.0), (2, 2.0), (3, 4.0), (10, 30.0), (10_000, 30.0)):
        delays = [backoff(failures) for _ in range(200)]
        assert all(top * 0.5 <= d <= top for d in delays)
        assert len(set(delays)) > 1  # jittered: replicas failing together do not retry together
    assert backoff(3, base=0.1, cap=10.0) <= 0.8


def test_a_kick_ticks_at_once_and_many_kicks_make_few_ticks():
    ticks = []
    loop = BackgroundLoop("unit", "kicked", lambda: ticks.append(1), poll_seconds=60)
    loop.start()
    try:
        for _ in range(50):
            loop.kick()
        eventually(lambda: len(ticks) >= 1)
        eventlet.sleep(0.05)
        assert 1 <= len(ticks) <= 2
    finally:
        loop.stop()


def test_it_polls_without_kicks_and_ticks_again_while_work_is_left():
    left = [3]

    def tick():
        left[0] -= 1
        return left[0] > 0  # more to do: tick again at once

    loop = BackgroundLoop("unit", "polled", tick, poll_seconds=0.01)
    loop.start()
    try:
        eventually(lambda: left[0] <= -2)
    finally:
        loop.stop()


def test_a_failing_tick_backs_off_and_recovers(monkeypatch):
    slept, outcomes = [], iter([ConnectionError("down"), ConnectionError("down"), None])
    monkeypatch.setattr("ementor.platform.loop.eventlet.sleep", lambda seconds: slept.append(seconds))

    def tick():
        outcome = next(outcomes)
        if outcome:
            raise outcome

    loop = BackgroundLoop("unit", "failing", tick, backoff_base=1.0, backoff_cap=60.0)
    assert loop.run_once() is False and loop.failures == 1
    assert loop.run_once() is False and loop.failures == 2
    assert 0.5 <= slept[0] <= 2.0 and 1.0 <= slept[1] <= 4.0
    loop.run_once()
    assert loop.failures == 0 and len(slept) == 2


def test_with_a_lease_only_one_of_several_replicas_ticks():
    leases = Leases.__new__(Leases)
    leases.collection = mongomock.MongoClient().db.leases
    ticked = []
    replicas = [BackgroundLoop("unit", "singleton", lambda i=i: ticked.append(i), leases=leases,
                               lease_seconds=60) for i in range(3)]
    for _ in range(3):
        for replica in replicas:
            replica.run_once()
    assert len(set(ticked)) == 1 and len(ticked) == 3


def test_stop_lets_the_running_tick_finish():
    started, finished = eventlet.event.Event(), []

    def tick():
        started.send()
        eventlet.sleep(0.05)
        finished.append(True)

    loop = BackgroundLoop("unit", "graceful", tick, poll_seconds=60)
    loop.start()
    loop.kick()
    started.wait()
    loop.stop(timeout=5)
    assert finished == [True]


def test_stop_gives_up_on_a_tick_that_will_not_end():
    started = eventlet.event.Event()

    def tick():
        started.send()
        eventlet.sleep(60)

    loop = BackgroundLoop("unit", "stuck", tick, poll_seconds=60)
    loop.start()
    loop.kick()
    started.wait()
    with eventlet.Timeout(2):
        loop.stop(timeout=0.05)
