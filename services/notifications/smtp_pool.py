"""A pool of reused SMTP connections over aiosmtplib: plain asyncio, no eventlet.

It runs in the mail worker process (`mail_worker.py`), never on the eventlet hub. Reusing
connections saves the TCP handshake, greeting, EHLO, STARTTLS and AUTH of every email after the
first. A connection the server dropped while idle is found out on use and replaced once, at no
cost to the email. Failures are raised as `domain.SendFailure`, permanent or not.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import asdict, dataclass

import aiosmtplib

from .domain import SendFailure, smtp_failure


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    pool_size: int = 8
    idle_seconds: float = 60.0  # connections unused this long are closed (servers drop them at ~5 min)
    ca_file: str | None = None  # trust these CAs instead of the system's (a private relay, tests)
    local_hostname: str = "ementor.local"  # our EHLO name (spares a DNS lookup per connection)

    def as_dict(self) -> dict:
        return asdict(self)

    def tls_context(self) -> ssl.SSLContext | None:
        if not self.starttls:
            return None
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass(frozen=True)
class Envelope:
    sender: str
    recipient: str
    data: bytes


class _Connection:
    def __init__(self, smtp: aiosmtplib.SMTP):
        self.smtp = smtp
        self.last_used = time.monotonic()


class SmtpPool:
    """Up to `pool_size` connections, each sending one email at a time. Use on one event loop."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._tls = config.tls_context()
        self._idle: list[_Connection] = []
        self._slots: asyncio.Semaphore | None = None
        self.opened = 0  # connections opened so far
        self.sent = 0

    async def send(self, envelope: Envelope) -> str:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.config.pool_size)
        async with self._slots:
            connection, reused = await self._checkout()
            try:
                return await self._send_on(connection, envelope)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:
                    raise SendFailure("the SMTP server closed the connection", permanent=False) from None
            # A pooled connection the server had dropped while idle: one more try on a fresh one.
            connection, _ = await self._checkout(fresh=True)
            try:
                return await self._send_on(connection, envelope)
            except aiosmtplib.SMTPServerDisconnected:
                raise SendFailure("the SMTP server closed the connection", permanent=False) from None

    async def _checkout(self, fresh: bool = False) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle and not fresh:
            connection = self._idle.pop()
            if connection.smtp.is_connected and now - connection.last_used < self.config.idle_seconds:
                return connection, True
            self._discard(connection, polite=connection.smtp.is_connected)
        return await self._open(), False

    async def _open(self) -> _Connection:
        config = self.config
        smtp = aiosmtplib.SMTP(
            hostname=config.host, port=config.port, username=config.username, password=config.password,
            start_tls=config.starttls, timeout=config.timeout, tls_context=self._tls,
            local_hostname=config.local_hostname,
        )
        try:
            await smtp.connect()
        except aiosmtplib.SMTPResponseException as exc:  # greeting, STARTTLS or AUTH refused: ours to fix
            smtp.close()
            raise smtp_failure(exc.code, exc.message, recipient_or_content=False) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError) as exc:
            smtp.close()
            raise smtp_failure(None, f"cannot reach the SMTP server: {_describe(exc)}",
                               recipient_or_content=False) from None
        self.opened += 1
        return _Connection(smtp)

    async def _send_on(self, connection: _Connection, envelope: Envelope) -> str:
        try:
            _, reply = await connection.smtp.sendmail(envelope.sender, [envelope.recipient], envelope.data)
        except aiosmtplib.SMTPServerDisconnected:
            self._discard(connection, polite=False)
            raise
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            self._checkin(connection)  # aiosmtplib reset the transaction: the connection is fine
            raise smtp_failure(refused.code, refused.message, recipient_or_content=True) from None
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as exc:
            self._checkin(connection)
            raise smtp_failure(exc.code, exc.message, recipient_or_content=True) from None
        except aiosmtplib.SMTPResponseException as exc:  # MAIL FROM refused and the like
            self._checkin(connection)
            raise smtp_failure(exc.code, exc.message, recipient_or_content=False) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self._discard(connection, polite=False)
            raise smtp_failure(None, _describe(exc), recipient_or_content=False) from None
        self.sent += 1
        self._checkin(connection)
        return reply

    def _checkin(self, connection: _Connection) -> None:
        if connection.smtp.is_connected:
            connection.last_used = time.monotonic()
            self._idle.append(connection)

    def _discard(self, connection: _Connection, polite: bool) -> None:
        if polite:
            asyncio.ensure_future(self._quit(connection.smtp))
        else:
            connection.smtp.close()

    @staticmethod
    async def _quit(smtp: aiosmtplib.SMTP) -> None:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            smtp.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        await asyncio.gather(*(self._quit(c.smtp) for c in idle), return_exceptions=True)


async def send_without_pool(config: SmtpConfig, envelope: Envelope) -> str:
    """One connection per email (connect, EHLO, [STARTTLS, AUTH,] send, QUIT): the benchmark's baseline."""
    pool = SmtpPool(config)
    try:
        return await pool.send(envelope)
    finally:
        await pool.close()


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
