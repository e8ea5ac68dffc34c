"""Waiting for asynchronous outcomes in tests, without sleeping blindly."""

from __future__ import annotations

import time

from ementor.devtools.event_recorder import EventRecorder  # noqa: F401  (re-exported for tests)


def eventually(check, timeout: float = 10.0, interval: float = 0.02):
    """Retry `check` (which asserts) until it passes or the timeout runs out; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)
