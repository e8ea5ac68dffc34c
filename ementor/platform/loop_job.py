"""`loop_job`: a service method run by the kit's `BackgroundLoop`, inside a nameko worker.

A worker has the service's dependencies (repositories, the outbox, RPC proxies), which a bare
green thread has not: a job that asks other services over RPC (the subject-access export) or one
that should look like any other entrypoint in logs and metrics runs as

    @loop_job(poll_seconds=5.0, leased=True)
    def purge_expired(self) -> bool: ...   # True when it may have left work (tick again at once)

Each tick of the loop spawns one worker and waits for it. `leased=True` ticks only in the replica
that holds the job's lease (`<service>.<method>`); without it every replica ticks and the job's own
atomic claims share the work. `self.kicks("method")` (a `LoopKicks()` dependency) ticks it soon.
A failing worker is logged and backed off by the loop, like any tick that raises.
"""

from __future__ import annotations

from eventlet.event import Event as GreenEvent
from nameko.extensions import DependencyProvider, Entrypoint

from .extension import ServiceExtension
from .loop import BackgroundLoop
from .schedule import Leases


class LoopJob(ServiceExtension, Entrypoint):
    def __init__(self, poll_seconds: float = 5.0, leased: bool = False, lease_seconds: float | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.poll_seconds = poll_seconds
        self.leased = leased
        self.lease_seconds = lease_seconds

    def setup(self):
        leases = None
        if self.leased:
            self.open_database()
            leases = Leases(self.container.service_name)
        self.loop = BackgroundLoop(self.container.service_name, self.method_name, self.tick,
                                   poll_seconds=self.poll_seconds, leases=leases, lease_seconds=self.lease_seconds)

    def start(self):
        self.loop.start(lambda run: self.container.spawn_managed_thread(run, identifier=self.loop.name))

    def stop(self):
        self.loop.stop()

    def kill(self):
        self.loop.stop(timeout=0)

    def kick(self) -> None:
        self.loop.kick()

    def tick(self) -> bool:
        done = GreenEvent()

        def finished(worker_ctx, result, exc_info):
            done.send((result, exc_info))
            return result, exc_info

        self.container.spawn_worker(self, (), {}, handle_result=finished)
        result, exc_info = done.wait()
        if exc_info is not None:
            raise exc_info[1]  # the loop logs it and backs off
        return bool(result)


loop_job = LoopJob.decorator


class LoopKicks(DependencyProvider):
    """`self.kicks("method")` in a worker: tick the service's `loop_job` of that name soon (this replica)."""

    def get_dependency(self, worker_ctx):
        return self.kick

    def kick(self, method_name: str) -> None:
        for entrypoint in self.container.entrypoints:
            if isinstance(entrypoint, LoopJob) and entrypoint.method_name == method_name:
                entrypoint.kick()
