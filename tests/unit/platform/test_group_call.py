"""Callers at the same time share one call per key; each gets its own part of the answer."""

from __future__ import annotations

import eventlet
import pytest

from ementor.platform.group_call import GroupCall

pytestmark = pytest.mark.unit


class Stopped(Exception):
    pass


class Doubler:
    """A call that takes a moment and doubles each item, recording the batches it was given."""

    def __init__(self):
        self.calls: list[tuple[str, list[int]]] = []
        self.fail_next = None

    def __call__(self, key, items):
        eventlet.sleep(0.01)  # waiting on the other side: more callers arrive meanwhile
        self.calls.append((key, list(items)))
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return [2 * item for item in items]


def ask_all(group: GroupCall, asks: list[tuple[str, int]]) -> list:
    def one(key, item):
        try:
            return group(key, item)
        except Exception as exc:  # noqa: BLE001 - the test compares what each caller got
            return repr(exc)

    threads = [eventlet.spawn(one, key, item) for key, item in asks]
    return [thread.wait() for thread in threads]


def test_callers_at_the_same_time_share_one_call_and_each_gets_its_own_answer():
    call = Doubler()
    group = GroupCall(call, stopped=Stopped)
    assert ask_all(group, [("org-1", n) for n in range(5)]) == [0, 2, 4, 6, 8]
    assert call.calls == [("org-1", [0, 1, 2, 3, 4])]


def test_callers_with_different_keys_never_share_a_call():
    call = Doubler()
    group = GroupCall(call, stopped=Stopped)
    assert ask_all(group, [("org-1", 1), ("org-2", 2), ("org-1", 3)]) == [2, 4, 6]
    assert sorted(call.calls) == [("org-1", [1, 3]), ("org-2", [2])]


def test_callers_arriving_during_a_call_wait_for_the_next_one_together():
    call = Doubler()
    group = GroupCall(call, stopped=Stopped)
    first = eventlet.spawn(group, "org-1", 1)
    eventlet.sleep(0.002)  # the first call is under way
    assert ask_all(group, [("org-1", n) for n in (2, 3, 4)]) == [4, 6, 8]
    assert first.wait() == 2
    assert call.calls == [("org-1", [1]), ("org-1", [2, 3, 4])]


def test_a_failed_call_fails_each_of_its_callers_and_the_next_call_goes_ahead():
    call = Doubler()
    call.fail_next = TimeoutError("no answer")
    group = GroupCall(call, stopped=Stopped)
    assert ask_all(group, [("org-1", 1), ("org-1", 2)]) == ["TimeoutError('no answer')"] * 2
    assert ask_all(group, [("org-1", 3)]) == [6]


def test_a_call_that_answers_the_wrong_number_of_callers_fails_each_of_them():
    group = GroupCall(lambda key, items: [1], stopped=Stopped)
    assert ask_all(group, [("org-1", 1), ("org-1", 2)]) == ["ValueError('1 results for 2 callers')"] * 2


def test_callers_do_not_wait_for_ever_when_the_calling_thread_is_killed():
    callers = []
    group = GroupCall(Doubler(), stopped=lambda: Stopped("stopped"),
                      spawn=lambda fn, *args: callers.append(eventlet.spawn(fn, *args)))
    waiting = eventlet.spawn(ask_all, group, [("org-1", 1)])
    eventlet.sleep(0.001)
    callers[0].kill()
    assert waiting.wait() == ["Stopped('stopped')"]
    assert ask_all(group, [("org-1", 2)]) == [4]  # a later caller starts a new call
