"""The delivery loop: the entrypoint that runs delivery rounds, and `Wake`, which hands it fresh deliveries."""

from __future__ import annotations

import collections
import logging
import time

from eventlet.event import Event as GreenEvent
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider, Entrypoint

from ementor.platform.loop import BackgroundLoop

log = logging.getLogger(__name__)


class DeliveryLoop(Entrypoint):
    """Runs the decorated method in a worker to send deliveries: fresh ones at once, the rest on a poll.

    Workers that plan deliveries hand their ids to this replica's loop (through `Wake`), and the
    loop sends them straight away, claiming each by id. Every `poll_seconds`, busy or not, it also
    scans for whatever else is due: retries, SMS held for quiet hours, a new-message notice planned
    for the end of its window, deliveries planned by a replica that died. It runs in every replica;
    claims are atomic updates, so replicas share the work and never send the same delivery twice.
    The method is called as `method(fresh=[(tenant_id, id, read)...], scan=bool)` and returns True
    when a scan found a full batch (more may be waiting).
    """

    batch = 100
    rounds = 4  # rounds of fresh deliveries in flight at once (each mostly waits on profiles and SMTP)

    def __init__(self, poll_seconds: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.poll_seconds = poll_seconds
        self._fresh: collections.deque = collections.deque()

    def setup(self):
        self._slots = Semaphore(self.rounds)
        self._kicked = False
        self._scanned_at = 0.0
        self.loop = BackgroundLoop(self.container.service_name, f"delivery-loop.{self.method_name}", self.tick,
                                   poll_seconds=self.poll_seconds)

    def start(self):
        self.loop.start(lambda run: self.container.spawn_managed_thread(run, identifier=self.loop.name))

    def stop(self):
        self.loop.stop()

    def kill(self):
        self.loop.stop(timeout=0)

    def kick(self, fresh=()) -> None:
        self._fresh.extend(fresh)
        self._kicked = True
        self.loop.kick()

    def tick(self) -> None:
        """Send what was handed over; scan when nothing was, or when the last scan is `poll_seconds` old.

        Scan rounds run one after another while fresh rounds run `rounds` at once: fresh deliveries
        need no scan, but under steady load (a kick in every poll) what waits for a later time
        would otherwise never be sent."""
        kicked, self._kicked = self._kicked, False
        if not kicked or time.monotonic() - self._scanned_at >= self.poll_seconds:
            self._scanned_at = time.monotonic()
            self._scan()
        while self._fresh:
            self._slots.acquire()
            fresh = [self._fresh.popleft() for _ in range(min(self.batch, len(self._fresh)))]
            self._round(fresh, scan=False, then=self._slots.release)

    def _scan(self) -> None:
        """Scan rounds, one after another, while each finds a full batch."""
        while True:
            done = GreenEvent()
            self._round([], scan=True, then=lambda: None, done=done)
            more, failed = done.wait()
            if failed or not more:
                return

    def _round(self, fresh: list, scan: bool, then, done: GreenEvent | None = None) -> None:
        def finished(worker_ctx, result, exc_info):
            then()
            if exc_info is not None:
                log.warning("%s failed (%r); its deliveries are retried once their claim lapses", self.method_name,
                            exc_info[1])
            if done is not None:
                done.send((result, exc_info is not None))
            return result, exc_info

        self.container.spawn_worker(self, (), {"fresh": fresh, "scan": scan}, handle_result=finished)


delivery_loop = DeliveryLoop.decorator


class Wake(DependencyProvider):
    """`wake(deliveries, read)`: hand freshly planned deliveries (with what was read to plan them, if
    given) to this replica's delivery loops."""

    def get_dependency(self, worker_ctx):
        return self.wake

    def wake(self, deliveries=(), read=None) -> None:
        fresh = [(d.tenant_id, d.id, read) for d in deliveries]
        if not fresh:
            return
        for entrypoint in self.container.entrypoints:
            if isinstance(entrypoint, DeliveryLoop):
                entrypoint.kick(fresh)
