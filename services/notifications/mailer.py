"""The service's side of email: hands messages to the mail worker process and waits, green.

aiosmtplib is asyncio and the service runs on eventlet. Running it in a real thread of this
process works until anything on that thread touches a lock that eventlet has made green: a log
line from the thread while a green thread holds the logging lock ends in "greenlet.error: Cannot
switch to a different thread" (we hit exactly that; see docs/notifications.md). So the SMTP pool
runs in its own process (`mail_worker.py`, a fresh interpreter without eventlet), spoken to over
pipes that eventlet makes cooperative. A bonus: the SMTP work has its own GIL.

If the worker dies, emails in flight fail as transient (they are retried) and the next email
starts a new worker.
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import eventlet
from eventlet.event import Event as GreenEvent
from eventlet.semaphore import Semaphore

from .domain import SendFailure
from .mail_worker import HEADER, encode
from .smtp_pool import Envelope, SmtpConfig

log = logging.getLogger(__name__)

_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])  # where `services` can be imported from
RESTART_PAUSE_SECONDS = 1.0


class Mailer:
    """`submit(envelope)` returns a green event carrying the server's reply or a SendFailure."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._process: subprocess.Popen | None = None
        self._reader = None
        self._pending: dict[int, tuple[subprocess.Popen, GreenEvent]] = {}
        self._ids = itertools.count(1)
        self._write_lock = Semaphore(1)
        self._started_at = 0.0
        self._stopping = False

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Mailer:
        self._stopping = False
        self._spawn()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        process = self._process
        if process is None:
            return
        try:
            process.stdin.close()  # the worker finishes what is in flight, then exits
        except OSError:
            pass
        try:
            with eventlet.Timeout(max(timeout, 0.001)):  # 0: kill at once
                process.wait()
        except eventlet.Timeout:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.wait()
        self._process = None

    def _spawn(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SOURCE_ROOT, env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "services.notifications.mail_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
        )
        self._started_at = time.monotonic()
        self._write(("config", self.config.as_dict()))
        self._reader = eventlet.spawn(self._read_answers, self._process)

    def _ensure_running(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        if self._stopping:
            raise SendFailure("the mailer is stopping", permanent=False)
        wait = RESTART_PAUSE_SECONDS - (time.monotonic() - self._started_at)
        if wait > 0:  # a worker that dies at once must not be restarted in a tight loop
            eventlet.sleep(wait)
        if self._process is None or self._process.poll() is not None:
            log.warning("mail worker is not running; starting a new one")
            self._spawn()

    # -- sending ----------------------------------------------------------------------------
    def submit(self, envelope: Envelope) -> GreenEvent:
        outcome = GreenEvent()
        request_id = next(self._ids)
        try:
            self._ensure_running()
            self._pending[request_id] = (self._process, outcome)
            self._write(("send", request_id, envelope.sender, envelope.recipient, envelope.data))
        except SendFailure as failure:
            outcome.send_exception(failure)
        except OSError as exc:  # the worker's stdin is gone: it died
            if self._pending.pop(request_id, None) is not None:
                outcome.send_exception(SendFailure(f"mail worker unavailable: {exc}", permanent=False))
        return outcome

    def send(self, envelope: Envelope, timeout: float | None = None) -> str:
        """Send one email; return the server's reply or raise SendFailure."""
        outcome = self.submit(envelope)
        timeout = timeout or self.config.timeout * 3
        try:
            with eventlet.Timeout(timeout):
                return outcome.wait()
        except eventlet.Timeout:
            raise SendFailure(f"no answer from the SMTP server within {timeout:.0f}s", permanent=False) from None

    def stats(self, timeout: float = 5.0) -> dict:
        """Connections opened and emails sent by the current worker."""
        outcome = GreenEvent()
        self._pending[0] = (self._process, outcome)
        self._write(("stats",))
        with eventlet.Timeout(timeout):
            return outcome.wait()

    # -- the pipes --------------------------------------------------------------------------
    def _write(self, message: tuple) -> None:
        frame = encode(message)
        with self._write_lock:  # frames from many green threads must not interleave
            self._process.stdin.write(frame)
            self._process.stdin.flush()

    def _read_answers(self, process: subprocess.Popen) -> None:
        stream = process.stdout
        try:
            while True:
                header = _read_exactly(stream, HEADER.size)
                if header is None:
                    break
                answer = pickle.loads(_read_exactly(stream, HEADER.unpack(header)[0]) or b"")
                kind = answer[0]
                entry = self._pending.pop(0 if kind == "stats" else answer[1], None)
                if entry is None:
                    continue
                outcome = entry[1]
                if kind == "stats":
                    outcome.send(answer[1])
                elif kind == "ok":
                    outcome.send(answer[2])
                else:
                    outcome.send_exception(SendFailure(answer[2], permanent=answer[3]))
        finally:
            for request_id, (owner, outcome) in list(self._pending.items()):
                if owner is process:
                    del self._pending[request_id]
                    outcome.send_exception(SendFailure("the mail worker exited", permanent=False))
            if not self._stopping:
                log.warning("mail worker exited with %s", process.poll())


def _read_exactly(stream, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
