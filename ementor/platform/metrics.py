"""Prometheus metrics shared by every service (served at /metrics by the web server)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "ementor_http_requests_total", "HTTP requests handled", ["service", "route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "ementor_http_request_seconds", "HTTP request latency", ["service", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_HANDLED = Counter("ementor_events_handled_total", "Events handled", ["service", "consumer", "type"])
EVENTS_IGNORED = Counter("ementor_events_ignored_total", "Events a subscriber's `when` test passed over",
                         ["service", "consumer", "type"])
EVENTS_FAILED = Counter("ementor_events_failed_total", "Event handler failures", ["service", "consumer", "type"])
EVENTS_DEAD_LETTERED = Counter("ementor_events_dead_lettered_total", "Events dead-lettered", ["service", "consumer"])
HANDLER_LATENCY = Histogram("ementor_event_handler_seconds", "Event handler latency", ["service", "consumer"])
EVENTS_PUBLISHED = Counter("ementor_events_published_total", "Events published from the outbox", ["service", "type"])
OUTBOX_BACKLOG = Gauge("ementor_outbox_backlog", "Documents with events waiting to be published", ["service"])
LOOP_TICKS = Counter("ementor_loop_ticks_total", "Background loop ticks", ["service", "loop"])
LOOP_FAILURES = Counter("ementor_loop_failures_total", "Background loop ticks that failed", ["service", "loop"])
LOOP_LAG = Histogram(
    "ementor_loop_lag_seconds", "From a kick to the tick that serves it", ["service", "loop"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
AUTH_FAILURES = Counter(
    "ementor_auth_failures_total", "Refused sign-ins, links, refreshes and rate-limited attempts",
    ["service", "endpoint", "reason"],
)
