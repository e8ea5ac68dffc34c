"""Structured logs: one JSON object a line, carrying the event id and trace id in hand."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import secrets
import sys
from datetime import UTC, datetime

_event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
_trace_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)


_traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def valid_traceparent(value: str | None) -> str | None:
    parts = (value or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32 and len(parts[2]) == 16:
        return value
    return None


def bind_trace(traceparent: str | None) -> None:
    """Set the trace of the work this green thread does: its logs and the events it records."""
    _traceparent.set(traceparent)
    _trace_id.set(trace_id_from(traceparent))


def current_traceparent() -> str | None:
    return _traceparent.get()


def trace_id_from(traceparent: str | None) -> str | None:
    """The trace id of a W3C traceparent header (`00-<trace>-<span>-<flags>`)."""
    if traceparent and traceparent.count("-") == 3:
        return traceparent.split("-")[1]
    return None


@contextlib.contextmanager
def event_context(envelope):
    event_token = _event_id.set(envelope.id)
    trace_token = _trace_id.set(trace_id_from(envelope.traceparent))
    try:
        yield
    finally:
        _event_id.reset(event_token)
        _trace_id.reset(trace_token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (event_id := _event_id.get()) is not None:
            entry["event_id"] = event_id
        if (trace_id := _trace_id.get()) is not None:
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "pymongo", "urllib3", "twilio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # nameko logs every expected (4xx) exception with a traceback at WARNING; real errors are ERROR.
    logging.getLogger("nameko").setLevel(logging.ERROR)
