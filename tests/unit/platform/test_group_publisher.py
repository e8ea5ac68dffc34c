"""Many green threads publishing at once share one confirmed batch; a failed batch fails each of them."""

from __future__ import annotations

import eventlet
import pytest

from ementor.platform.publisher import GroupPublisher, NotConfirmed

pytestmark = pytest.mark.unit


class FakeBroker:
    """Stands in for PipelinedPublisher: a batch takes a moment to confirm; `refuse` fails the next one."""

    def __init__(self):
        self.batches: list[list[str]] = []
        self.refusals = 0  # how many publishes in a row the broker refuses

    def publish_many(self, messages):
        eventlet.sleep(0.01)  # waiting for the confirm: other workers run meanwhile
        if self.refusals:
            self.refusals -= 1
            raise NotConfirmed("the broker refused 1 message(s)")
        self.batches.append([message_id for _, _, message_id, _ in messages])

    def close(self):
        pass


def publish_all(group: GroupPublisher, ids: list[str]) -> list:
    def one(message_id):
        try:
            group.publish(b"{}", "t1.MatchAccepted", message_id, {})
            return "confirmed"
        except NotConfirmed as exc:
            return str(exc)

    threads = [eventlet.spawn(one, i) for i in ids]
    return [t.wait() for t in threads]


def test_workers_publishing_at_once_wait_for_one_confirm_together():
    broker = FakeBroker()
    group = GroupPublisher(broker)
    assert publish_all(group, [f"e{n}" for n in range(6)]) == ["confirmed"] * 6
    assert broker.batches == [[f"e{n}" for n in range(6)]]
    assert publish_all(group, ["e6"]) == ["confirmed"]  # a later publish starts a new batch
    assert broker.batches[-1] == ["e6"]


def test_a_batch_refused_once_goes_out_on_the_second_attempt():
    broker = FakeBroker()
    broker.refusals = 1  # an idle connection the broker had closed, say
    group = GroupPublisher(broker)
    assert publish_all(group, ["e1", "e2"]) == ["confirmed"] * 2 and broker.batches == [["e1", "e2"]]


def test_a_batch_refused_twice_fails_every_worker_in_it_and_the_next_batch_goes_through():
    broker = FakeBroker()
    broker.refusals = 2
    group = GroupPublisher(broker)
    assert publish_all(group, ["e1", "e2"]) == ["the broker refused 1 message(s)"] * 2
    assert publish_all(group, ["e1", "e2"]) == ["confirmed"] * 2 and broker.batches == [["e1", "e2"]]


def test_workers_do_not_wait_for_ever_when_the_publisher_is_stopped_mid_batch():
    flushers = []
    group = GroupPublisher(FakeBroker(), spawn=lambda fn, *args: flushers.append(eventlet.spawn(fn, *args)))
    waiting = eventlet.spawn(publish_all, group, ["e1"])
    eventlet.sleep(0.001)
    flushers[0].kill()
    assert waiting.wait() == ["the publisher stopped before the broker confirmed"]
