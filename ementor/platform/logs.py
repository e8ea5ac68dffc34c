"""Structured logs: one JSON object a line, carrying the service, tenant, request, event and trace
in hand, and the access log (one line a request)."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import secrets
import sys
import uuid
from datetime import UTC, datetime

_event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
_trace_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)


_traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)
_service: contextvars.ContextVar[str | None] = contextvars.ContextVar("service", default=None)
_tenant_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant_id", default=None)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

access_log = logging.getLogger("ementor.access")
MAX_REQUEST_ID = 128


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


def bind_worker(service: str, context_data: dict) -> None:
    """Set what this worker's log lines carry: its service, and the tenant, request and trace it serves."""
    _service.set(service)
    _tenant_id.set(context_data.get("tenant_id"))
    _request_id.set(context_data.get("request_id"))
    _event_id.set(context_data.get("ce-id"))
    bind_trace(context_data.get("traceparent"))


def request_id_from(header: str | None) -> str:
    """The client's X-Request-Id when it is short printable ASCII (it is logged), else a new one."""
    if header and len(header) <= MAX_REQUEST_ID and header.isascii() and header.isprintable():
        return header
    return uuid.uuid4().hex


def log_request(**fields) -> None:
    """One access-log line: method, route (the path template), status, duration_ms, request_id,
    trace_id, service and tenant_id when known."""
    access_log.info(
        "%s %s %s %.1fms", fields["method"], fields["route"] or fields["path"], fields["status"],
        fields["duration_ms"], extra={"fields": fields},
    )


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
        for key, var in (("service", _service), ("tenant_id", _tenant_id), ("request_id", _request_id),
                         ("event_id", _event_id), ("trace_id", _trace_id)):
            if (value := var.get()) is not None:
                entry[key] = value
        entry.update(getattr(record, "fields", {}))
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
