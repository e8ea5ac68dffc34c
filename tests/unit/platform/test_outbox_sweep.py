"""The outbox sweeps after a worker only when that worker made an event to store."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

import eventlet
import pytest
from ementor_contracts import OrganisationCreated

from ementor.platform.outbox import EventOutbox, Pending

pytestmark = pytest.mark.unit

EVENT = OrganisationCreated(organisation_id="t1", slug="harbour-school", name="Harbour School")


def outbox() -> EventOutbox:
    relay = EventOutbox()
    relay._handed, relay._sweep_wanted, relay.kicks = deque(), False, 0

    def kick():
        relay.kicks += 1

    relay.kick = kick
    return relay


def run_worker(relay: EventOutbox, body) -> None:
    """As nameko runs a worker: set-up, the method and teardown in one green thread."""

    def worker():
        context = SimpleNamespace(context_data={})
        relay.worker_setup(context)
        body()
        relay.worker_teardown(context)

    eventlet.spawn(worker).wait()


def test_a_worker_that_made_no_event_starts_no_sweep():
    relay = outbox()
    run_worker(relay, lambda: None)  # a read, or an RPC answered from the store
    assert relay.kicks == 0 and not relay._sweep_wanted


def test_a_worker_that_made_an_event_starts_a_sweep():
    relay = outbox()
    run_worker(relay, lambda: Pending.of(EVENT, "t1"))
    assert relay.kicks == 1 and relay._sweep_wanted


def test_workers_running_at_once_count_only_their_own_events():
    relay = outbox()
    started = eventlet.event.Event()

    def reader():
        started.wait()  # runs while the writer is between its event and its teardown

    def writer():
        Pending.of(EVENT, "t1")
        started.send()
        eventlet.sleep(0.01)

    threads = [eventlet.spawn(run_worker, relay, writer), eventlet.spawn(run_worker, relay, reader)]
    for thread in threads:
        thread.wait()
    assert relay.kicks == 1  # the writer's teardown; the reader's made none
