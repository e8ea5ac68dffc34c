"""A test stuck on a green wait fails with the traceback of that wait, and the suite goes on.

Under eventlet, pytest-timeout falls back to its thread method, which ends the whole run with
os._exit and prints only the real threads' stacks (every green thread is on the main thread, so
where the test waits is not among them). Each phase of a test (setup, call, teardown) is bounded
here a little earlier by an eventlet.Timeout, raised in the green thread the test waits in;
pytest-timeout stays as the backstop for a hub that never gets to run.
"""

from __future__ import annotations

import eventlet
import pytest

MARGIN_SECONDS = 15


class GreenWaitTimedOut(BaseException):  # not an Exception: a test's own `except Exception` must not swallow it
    pass


def _timeout(item) -> float:
    marker = item.get_closest_marker("timeout")
    if marker and marker.args:
        return float(marker.args[0])
    return float(item.config.getoption("timeout", None) or item.config.getini("timeout") or 0)


def _bounded(item, phase: str):
    timeout = _timeout(item)
    if timeout <= MARGIN_SECONDS:
        return (yield)
    bound = timeout - MARGIN_SECONDS
    timer = eventlet.Timeout(bound, GreenWaitTimedOut(
        f"{phase} of {item.nodeid} still waited after {bound:g} s (its timeout is {timeout:g} s); "
        f"the traceback shows where"))
    try:
        return (yield)
    finally:
        timer.cancel()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _bounded(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _bounded(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    return (yield from _bounded(item, "teardown"))
