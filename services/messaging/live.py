"""Live conversations for the web app: a server-sent-events stream of one conversation's messages.

The stream sends what `GET /v1/matches/{id}/messages` would show the viewer, as one `message`
event per message that is new or whose status changed (a held message approved or rejected), so a
page merges events by id. On connecting it sends the newest messages, which closes the gap between
a page's first load and its stream. A post or a moderation decision on this replica wakes the
conversation's streams at once; a change made on another replica is found by the stream's own
poll, once a second (the same indexed query as the list). A stream ends after MAX_SECONDS and
the browser reconnects by itself (EventSource), so a revoked session stops streaming within that.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

import eventlet
from eventlet.event import Event
from werkzeug.wrappers import Response

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
MAX_SECONDS = 50.0  # under the proxies' 60 s read timeout (infra/compose/nginx.conf, the ingress)
BATCH = 50
RETRY_MS = 500


class Wakeups:
    """Per conversation, the events this replica's open streams wait on."""

    def __init__(self):
        self._waiting: dict[tuple[str, str], set[Event]] = defaultdict(set)

    def wait(self, key: tuple[str, str], timeout: float) -> None:
        event = Event()
        self._waiting[key].add(event)
        try:
            with eventlet.Timeout(timeout, False):
                event.wait()
        finally:
            waiting = self._waiting.get(key)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    self._waiting.pop(key, None)

    def wake(self, key: tuple[str, str]) -> None:
        for event in list(self._waiting.get(key, ())):
            if not event.ready():
                event.send()


WAKEUPS = Wakeups()


def stream(fetch: Callable[[], list], view: Callable, key: tuple[str, str], *,
           max_seconds: float = MAX_SECONDS, wakeups: Wakeups = WAKEUPS) -> Iterator[str]:
    """`fetch()` gives the viewer's newest messages (newest first); `view(message)` its JSON-able view."""
    yield f"retry: {RETRY_MS}\n\n"
    seen: dict[str, str] = {}
    deadline = time.monotonic() + max_seconds
    quiet_since = time.monotonic()
    while True:
        for message in reversed(fetch()):
            state = f"{message.status}:{message.body is None}"
            if seen.get(message.id) != state:
                seen[message.id] = state
                quiet_since = time.monotonic()
                yield f"id: {message.id}\nevent: message\ndata: {json.dumps(view(message), default=str)}\n\n"
        now = time.monotonic()
        if now >= deadline:
            return
        if now - quiet_since >= KEEPALIVE_SECONDS:
            quiet_since = now
            yield ": keep-alive\n\n"  # a closed connection is noticed at the next write
        wakeups.wait(key, min(POLL_SECONDS, deadline - now))


def event_stream(request, chunks: Iterator[str]) -> Response:
    request.environ["eventlet.minimum_write_chunk_size"] = 0  # eventlet would hold writes until 4 KB
    return Response((chunk.encode() for chunk in chunks), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
