"""The webhook sender loop: claims due deliveries and sends them from a green pool.

Every replica runs the loop; a delivery is claimed atomically, so each attempt is made once.
A slow or failing receiver cannot hold up the others: each attempt has a hard time limit, runs
in its own green thread, and at most `per_endpoint` attempts to one endpoint are in flight per
replica, so one endpoint's backlog never fills the pool.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import eventlet
import requests
from eventlet.greenpool import GreenPool

from ementor.platform.extension import ServiceDependency
from ementor.platform.loop import BackgroundLoop
from ementor.platform.settings import IntegrationsSettings

from . import domain
from .documents import utcnow
from .repository import IntegrationsRepository
from .sender import Response, TransportError, WebhookSender
from .transport import PinnedAddressAdapter

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 64 * 1024


def target_policy(settings) -> domain.TargetPolicy:
    """Development allows private and plain-http targets; elsewhere the operator decides
    (EMENTOR_ALLOW_PRIVATE_WEBHOOKS), and public targets always need https."""
    return domain.TargetPolicy(
        allow_private=settings.EMENTOR_ALLOW_PRIVATE_WEBHOOKS or settings.is_development,
        allow_http=settings.is_development,
    )


def http_post(session: requests.Session, timeout: float):
    """A `Post` over requests (green under eventlet), with a hard limit on the whole attempt."""

    def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
        try:
            with eventlet.Timeout(timeout):
                response = session.post(
                    url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
                )
                try:
                    # Read (a bounded part of) the answer so the connection can be reused.
                    response.raw.read(MAX_RESPONSE_BYTES)
                finally:
                    response.close()
        except eventlet.Timeout:
            raise TransportError(f"timed out after {timeout:g}s") from None
        except requests.Timeout:
            raise TransportError(f"timed out after {timeout:g}s") from None
        except requests.RequestException as exc:
            raise TransportError(f"request failed: {type(exc).__name__}: {str(exc)[:300]}") from None
        return Response(response.status_code, response.headers.get("retry-after"))

    return post


class WebhookDispatcher(ServiceDependency):
    settings_section = IntegrationsSettings

    def __init__(
        self,
        *,
        schedule: tuple[timedelta, ...] = domain.RETRY_SCHEDULE,
        timeout: float = 10.0,
        per_endpoint: int = 4,
        pool_size: int = 200,
        batch: int = 50,
        poll_seconds: float = 1.0,
    ):
        self.schedule = schedule
        self.timeout = timeout
        self.per_endpoint = per_endpoint
        self.pool_size = pool_size
        self.batch = batch  # deliveries claimed by one write
        self.poll_seconds = poll_seconds
        # Longer than any attempt can take: past it, an unfinished attempt is presumed lost.
        self.lease = timedelta(seconds=timeout + 30)

    def setup(self):
        settings = self.settings
        self.open_database()
        self.repo = IntegrationsRepository()
        session = requests.Session()
        adapter = PinnedAddressAdapter(
            target_policy(settings), pool_connections=100, pool_maxsize=self.per_endpoint, max_retries=0
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self.session = session
        self.sender = WebhookSender(
            self.repo, http_post(session, self.timeout), target_policy(settings), schedule=self.schedule
        )
        self.pool = GreenPool(self.pool_size)
        self.in_flight: Counter[str] = Counter()
        self.waiting = False  # whether due deliveries wait for an attempt to finish (a full endpoint or pool)
        self.loop = BackgroundLoop(self.container.service_name, "webhook-dispatcher", self.dispatch_due,
                                   poll_seconds=self.poll_seconds)

    def start(self):
        self.loop.start(lambda run: self.container.spawn_managed_thread(run, identifier="webhook-dispatcher"))

    def stop(self):
        self.loop.stop()
        # Attempts cut short here are retried once their lease lapses: delivery is at least once.
        for attempt in list(self.pool.coroutines_running):
            eventlet.greenthread.kill(attempt)
        self.session.close()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self

    def kick(self) -> None:
        self.loop.kick()

    def dispatch_due(self) -> bool:
        """Start an attempt for each of the most overdue deliveries that the pool and the per-endpoint
        limit allow, claimed together; True when a whole batch was due, so more may be."""
        room = min(self.pool.free(), self.batch)
        if room <= 0:
            self.waiting = True  # each finishing attempt kicks the loop
            return False
        now = utcnow()
        busy = [webhook_id for webhook_id, count in self.in_flight.items() if count >= self.per_endpoint]
        due = self.repo.due_deliveries(now, limit=room, skip_webhooks=busy)
        chosen, taken = [], Counter()
        for candidate in due:
            webhook_id = candidate["webhook_id"]
            if self.in_flight[webhook_id] + taken[webhook_id] < self.per_endpoint:
                chosen.append(candidate)
                taken[webhook_id] += 1
        claimed = self.repo.claim(chosen, now, self.lease)
        webhooks = self.repo.webhooks_of(claimed)
        for delivery in claimed:
            self.in_flight[delivery.webhook_id] += 1
            self.pool.spawn_n(self._attempt, delivery, webhooks.get(delivery.webhook_id))
        # Deliveries to a full endpoint (passed over, or not even asked for) wait for its attempts to
        # finish, which kick the loop.
        self.waiting = bool(busy) or len(chosen) < len(due)
        return len(due) == room

    def _attempt(self, delivery, webhook) -> None:
        try:
            self.sender.attempt(delivery, webhook)
        except Exception:  # logged; the lease brings the delivery back
            log.exception(
                "webhook delivery %s failed unexpectedly; it is retried when its lease lapses", delivery.id
            )
        finally:
            self.in_flight[delivery.webhook_id] -= 1
            if self.in_flight[delivery.webhook_id] <= 0:
                del self.in_flight[delivery.webhook_id]
            if self.waiting:
                self.kick()
