"""An asyncio event loop in its own OS thread, usable from eventlet green threads.

Services run on eventlet, which monkey-patches `socket`, `select`, `selectors`, `threading` and
`time` in place. asyncio code (aiosmtplib, aiosmtpd) must never run on the eventlet hub, so it
gets a real OS thread here, and that thread must not touch the green primitives either: a green
selector or lock used from a foreign OS thread parks on a hub that nobody runs, and the loop
hangs at random. So the loop below

- polls with the original `select.poll`, not the green `select`;
- resolves names and runs `run_in_executor`/`asyncio.to_thread` work in original OS threads,
  never in `concurrent.futures` (whose locks are green once patched);
- hands results back to green threads through an original socket pair that a green thread
  waits on, so a green caller sleeps cooperatively while the loop works.

Sockets asyncio creates are eventlet GreenSockets in non-blocking mode, which pass every call
straight to the real socket. Without monkey patching all of this is plain asyncio.

Call `submit`/`run` from green threads of the hub's OS thread (the normal case in a service).

One rule for code running on this loop: never use `logging` (nor any other green lock). Once
eventlet has patched `threading`, a handler's lock is green, and if a green thread holds it when
the loop thread asks for it, the loop thread dies with "greenlet.error: Cannot switch to a
different thread". The loop's own error reports go straight to stderr for that reason. Code
that must log, or that is not ours to audit, belongs in a subprocess instead (the notifications
service runs its SMTP pool that way).
"""

from __future__ import annotations

import asyncio
import collections
import os
import selectors
from collections.abc import Awaitable, Callable
from typing import TypeVar

import eventlet
from eventlet import hubs, patcher
from eventlet.event import Event as GreenEvent

_select = patcher.original("select")
_socket = patcher.original("socket")
_threading = patcher.original("threading")

T = TypeVar("T")


class _PollSelector(selectors._PollLikeSelector):
    """selectors.PollSelector built on the original `select.poll` (eventlet deletes it)."""

    _selector_cls = _select.poll
    _EVENT_READ = _select.POLLIN
    _EVENT_WRITE = _select.POLLOUT


def _settle(future: asyncio.Future, result, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


class _Loop(asyncio.SelectorEventLoop):
    """A selector loop whose blocking helpers run in original OS threads."""

    def __init__(self):
        super().__init__(selector=_PollSelector())

    def run_in_executor(self, executor, func, *args):
        future = self.create_future()

        def work():
            try:
                result = func(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                self.call_soon_threadsafe(_settle, future, None, exc)
            else:
                self.call_soon_threadsafe(_settle, future, result, None)

        _threading.Thread(target=work, name="asyncio-blocking-call", daemon=True).start()
        return future

    def set_default_executor(self, executor):
        raise RuntimeError("this loop runs blocking calls in original OS threads; no executor is used")

    async def getaddrinfo(self, host, port, *, family=0, type=0, proto=0, flags=0):
        return await self.run_in_executor(None, _socket.getaddrinfo, host, port, family, type, proto, flags)

    async def getnameinfo(self, sockaddr, flags=0):
        return await self.run_in_executor(None, _socket.getnameinfo, sockaddr, flags)


class LoopTimeout(TimeoutError):
    pass


class AsyncioThread:
    """Runs coroutines on a private asyncio loop in a real OS thread; green callers wait cheaply."""

    def __init__(self, name: str = "asyncio"):
        self.name = name
        self.loop = _Loop()
        self._thread = _threading.Thread(target=self._run, name=name, daemon=True)
        self._results: collections.deque = collections.deque()
        self._wake_r, self._wake_w = _socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._collector = None
        self._started = False

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> AsyncioThread:
        if not self._started:
            self._started = True
            self._collector = eventlet.spawn(self._collect)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if not self._started or self.loop.is_closed():
            return
        try:
            self.run(self._cancel_everything, timeout=timeout)
        except Exception:  # noqa: BLE001, S110 - stopping anyway
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        # The loop stops at its next iteration; wait for the thread without blocking the hub.
        deadline = timeout
        while self._thread.is_alive() and deadline > 0:
            eventlet.sleep(0.005)
            deadline -= 0.005
        if not self._thread.is_alive():
            self.loop.close()
        if self._collector is not None:
            self._collector.kill()
        self._wake_r.close()
        self._wake_w.close()
        self._started = False

    async def _cancel_everything(self) -> None:
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.set_exception_handler(_report_to_stderr)
        self.loop.run_forever()

    # -- calling into the loop ---------------------------------------------------------------
    def submit(self, make_coroutine: Callable[[], Awaitable[T]]) -> GreenEvent:
        """Start `make_coroutine()` on the loop; return a green event that receives its outcome."""
        if not self._started:
            raise RuntimeError(f"asyncio thread {self.name} is not started")
        outcome = GreenEvent()

        def start() -> None:
            try:
                task = asyncio.ensure_future(make_coroutine())
            except BaseException as exc:  # noqa: BLE001 - handed to the green caller
                self._deliver(outcome, None, exc)
                return
            task.add_done_callback(lambda t: self._deliver(outcome, *_outcome_of(t)))

        self.loop.call_soon_threadsafe(start)
        return outcome

    def run(self, make_coroutine: Callable[[], Awaitable[T]], timeout: float | None = None) -> T:
        """Run a coroutine on the loop and wait for it from a green thread."""
        outcome = self.submit(make_coroutine)
        with eventlet.Timeout(timeout, LoopTimeout(f"{self.name}: no answer within {timeout}s")):
            return outcome.wait()

    def _deliver(self, outcome: GreenEvent, result, exc) -> None:
        # Runs in the loop's thread: queue the outcome and wake the green collector.
        self._results.append((outcome, result, exc))
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):  # a wake-up byte is already pending, or shutting down
            pass

    def _collect(self) -> None:
        while True:
            try:
                hubs.trampoline(self._wake_r.fileno(), read=True)
                self._wake_r.recv(4096)
            except BlockingIOError:
                pass
            except (OSError, ValueError):  # closed by stop()
                return
            while self._results:
                outcome, result, exc = self._results.popleft()
                if exc is not None:
                    outcome.send_exception(exc)
                else:
                    outcome.send(result)


def _report_to_stderr(loop, context: dict) -> None:
    """The loop's error reporter: straight to file descriptor 2, never through `logging` (see above)."""
    exception = context.get("exception")
    text = f"asyncio thread error: {context.get('message', '')} {exception!r}\n"
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:
        pass


def _outcome_of(task: asyncio.Future) -> tuple:
    if task.cancelled():
        return None, asyncio.CancelledError()
    exc = task.exception()
    return (None, exc) if exc is not None else (task.result(), None)
