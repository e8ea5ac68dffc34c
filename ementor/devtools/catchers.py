# Over 400 lines on purpose: the two development stand-ins (SMTP, Twilio) share start-up and fault switches; never shipped to production.
"""Development stand-ins for the outside world: an SMTP mail catcher and a fake Twilio.

Both are real servers on local ports, so the notifications service talks to them exactly as it
talks to a mail relay and to Twilio in production. The development server starts them for the
walkthrough; the tests use them (tests/support/smtp.py, tests/support/twilio_fake.py) with their
fault switches. Nothing in production imports this module.

- `MailCatcher`: an aiosmtpd server on its own asyncio loop in a real OS thread (never on the
  eventlet hub). It keeps every message it accepts; it can refuse a recipient (5xx), fail the
  next messages with a temporary error (4xx), go down (connection refused) and come back up on
  the same port, and offer STARTTLS and AUTH.
- `TwilioFake`: an HTTP server answering like Twilio's Messages API (`201` with `sid` and
  `status`), checking HTTP basic auth and the form fields the twilio client sends, recording
  them; it can be told to answer 500 (or any error) next, to reject a number, and it can post
  signed status callbacks back, as Twilio does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from aiosmtpd.smtp import (  # a dev dependency: without it, `ementor dev` skips the catchers
    SMTP,
    AuthResult,
    LoginPassword,
)

from ementor.platform.aio import AsyncioThread

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


# -- SMTP -------------------------------------------------------------------------------------
@dataclass
class CaughtMail:
    sender: str
    recipients: list[str]
    data: bytes
    received_at: float  # time.time() when the server accepted it

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)

    def part(self, content_type: str):
        """The first MIME part of this type (e.g. 'text/plain', 'text/calendar'), or None."""
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return part
        return None

    def text(self, content_type: str = "text/plain") -> str | None:
        part = self.part(content_type)
        return None if part is None else part.get_content()


class _Recorder:
    """aiosmtpd handler: records accepted messages; applies the catcher's fault switches."""

    def __init__(self, catcher: MailCatcher):
        self.catcher = catcher

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rejection = self.catcher._rejected.get(address.lower())
        if rejection:
            return rejection
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        catcher = self.catcher
        if catcher._failures:
            return catcher._failures.pop(0)
        catcher.messages.append(CaughtMail(
            sender=envelope.mail_from, recipients=list(envelope.rcpt_tos), data=bytes(envelope.content),
            received_at=time.time(),
        ))
        if len(catcher.messages) > catcher.keep:
            del catcher.messages[: len(catcher.messages) - catcher.keep]
        return "250 2.0.0 Message accepted for delivery"


class MailCatcher:
    """A real SMTP server that keeps what it receives. Start with `start()`, stop with `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, tls_context=None, require_starttls: bool = False,
                 users: dict[str, str] | None = None, keep: int = 10_000):
        self.host = host
        self.port = port
        self.tls_context = tls_context
        self.require_starttls = require_starttls
        self.users = users  # AUTH is offered (after STARTTLS) when set
        self.keep = keep
        self.messages: list[CaughtMail] = []
        self.peers: set[tuple] = set()  # the client addresses of all connections so far
        self._rejected: dict[str, str] = {}
        self._failures: list[str] = []
        self._thread = AsyncioThread("mail-catcher")
        self._server = None
        self._transports: set = set()

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> MailCatcher:
        # aiosmtpd logs every SMTP command from the server's thread; under eventlet a log line from
        # a real thread can meet a green lock (see ementor.platform.aio), so its loggers stay off.
        for name in ("mail.log", "mail.debug"):
            logging.getLogger(name).disabled = True
        self._thread.start()
        self.up()
        return self

    def stop(self) -> None:
        self.down()
        self._thread.stop()

    def up(self) -> None:
        """Listen (again) on the same port."""
        if self._server is None:
            self._server = self._thread.run(self._listen, timeout=10)
            self.port = self._server.sockets[0].getsockname()[1]

    def down(self) -> None:
        """Stop listening and drop open connections: clients now get 'connection refused'."""
        if self._server is not None:
            self._thread.run(self._close, timeout=10)
            self._server = None

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    async def _listen(self):
        catcher = self
        recorder = _Recorder(self)

        class Protocol(SMTP):
            def connection_made(self, transport):
                catcher._transports.add(transport)
                catcher.peers.add(transport.get_extra_info("peername"))  # STARTTLS calls this again: same peer
                super().connection_made(transport)

            def connection_lost(self, exc):
                catcher._transports.discard(self.transport)
                super().connection_lost(exc)

        options = {"hostname": "mail-catcher.local", "ident": "ementor mail catcher"}
        if self.tls_context is not None:
            options.update(tls_context=self.tls_context, require_starttls=self.require_starttls)
        if self.users is not None:
            options.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=self.tls_context is not None)
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: Protocol(recorder, **options), self.host, self.port)

    async def _close(self):
        self._server.close()
        for transport in list(self._transports):
            transport.abort()
        await self._server.wait_closed()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(login) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    # -- fault switches ---------------------------------------------------------------------
    def reject_recipient(self, address: str, reply: str = "550 5.1.1 Mailbox unavailable") -> None:
        """Answer RCPT TO for this address with a (permanent) error reply."""
        self._rejected[address.lower()] = reply

    def fail_next(self, count: int = 1, reply: str = "451 4.3.0 Temporary failure, try again later") -> None:
        """Answer DATA of the next `count` messages with this (temporary) error reply."""
        self._failures.extend([reply] * count)

    def reset(self) -> None:
        self.messages.clear()
        self._rejected.clear()
        self._failures.clear()

    # -- reading ----------------------------------------------------------------------------
    def to(self, address: str) -> list[CaughtMail]:
        address = address.lower()
        return [m for m in list(self.messages) if address in (r.lower() for r in m.recipients)]

    def with_header(self, name: str, value: str) -> list[CaughtMail]:
        return [m for m in list(self.messages) if m.header(name) == value]


# -- Twilio -----------------------------------------------------------------------------------
@dataclass
class TwilioRequest:
    method: str
    path: str
    form: dict
    account_sid: str | None  # from basic auth
    answered: int


@dataclass
class FakeSms:
    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    status: str = "queued"
    form: dict = field(default_factory=dict)


class TwilioFake:
    """Answers `POST /2010-04-01/Accounts/{sid}/Messages.json` as Twilio would.

    With `account_sid`/`auth_token` set it requires exactly those credentials (401 otherwise);
    without, it accepts any and signs callbacks with the token the client sent.
    """

    def __init__(self, account_sid: str | None = None, auth_token: str | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, auto_status_callbacks: bool = False, callback_delay: float = 0.5):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.auto_status_callbacks = auto_status_callbacks
        self.callback_delay = callback_delay
        self.requests: list[TwilioRequest] = []
        self.messages: list[FakeSms] = []
        self.callbacks: list[tuple[str, str, int]] = []  # (sid, status, http status of our callback)
        self._scripted: list[tuple[int, int, str]] = []
        self._rejected: dict[str, tuple[int, int, str]] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._handle(self)

            def do_GET(self):
                fake._reply(self, 404, _twilio_error(404, 20404, "The requested resource was not found"))

            def log_message(self, format, *args):  # quiet
                pass

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._serving = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> TwilioFake:
        self._serving = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                         name="twilio-fake", daemon=True)
        self._serving.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- fault switches ---------------------------------------------------------------------
    def fail_next(self, status: int = 500, count: int = 1, code: int = 20500,
                  message: str = "An internal server error has occurred") -> None:
        """Answer the next `count` message requests with this error."""
        with self._lock:
            self._scripted.extend([(status, code, message)] * count)

    def reject_to(self, number: str, status: int = 400, code: int = 21610,
                  message: str = "Attempt to send to unsubscribed recipient") -> None:
        """Always answer messages to this number with this error (a permanent one by default)."""
        self._rejected[number] = (status, code, message)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.messages.clear()
            self.callbacks.clear()
            self._scripted.clear()
            self._rejected.clear()

    def to(self, number: str) -> list[FakeSms]:
        return [m for m in list(self.messages) if m.to == number]

    # -- status callbacks, as Twilio sends them ---------------------------------------------
    def send_status(self, sid: str, status: str, *, error_code: str | None = None) -> int:
        """POST a signed status callback for a message to its StatusCallback URL; return the HTTP status."""
        import requests
        from twilio.request_validator import RequestValidator

        sms = next(m for m in self.messages if m.sid == sid)
        if not sms.status_callback:
            raise ValueError(f"message {sid} has no status callback")
        params = {
            "AccountSid": sms.form.get("_account_sid", self.account_sid or ""),
            "MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "To": sms.to, "From": sms.from_ or "", "ApiVersion": "2010-04-01",
        }
        if sms.messaging_service_sid:
            params["MessagingServiceSid"] = sms.messaging_service_sid
        if error_code:
            params["ErrorCode"] = error_code
        token = self.auth_token or self._tokens.get(params["AccountSid"], "")
        signature = RequestValidator(token).compute_signature(sms.status_callback, params)
        response = requests.post(sms.status_callback, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
        sms.status = status
        self.callbacks.append((sid, status, response.status_code))
        return response.status_code

    # -- the Messages API -------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(request.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        account_sid, token = _basic_auth(request.headers.get("Authorization"))
        path = request.path.split("?")[0]
        match = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/Messages\.json", path)
        status, body = self._answer(match, account_sid, token, form)
        with self._lock:
            self.requests.append(TwilioRequest("POST", path, form, account_sid, status))
        self._reply(request, status, body)
        if status == 201 and self.auto_status_callbacks:
            threading.Thread(target=self._auto_callbacks, args=(body["sid"],), daemon=True).start()

    def _answer(self, match, account_sid, token, form) -> tuple[int, dict]:
        if match is None:
            return 404, _twilio_error(404, 20404, "The requested resource was not found")
        if account_sid is None or (self.account_sid and (account_sid, token) != (self.account_sid, self.auth_token)):
            return 401, _twilio_error(401, 20003, "Authenticate")
        if match.group(1) != account_sid:
            return 404, _twilio_error(404, 20404, "The requested resource was not found")
        with self._lock:
            scripted = self._scripted.pop(0) if self._scripted else None
        if scripted:
            return scripted[0], _twilio_error(*scripted)
        to, body = form.get("To", ""), form.get("Body", "")
        if not E164.match(to):
            return 400, _twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self._rejected:
            return self._rejected[to][0], _twilio_error(*self._rejected[to])
        if not body:
            return 400, _twilio_error(400, 21602, "Message body is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return 400, _twilio_error(400, 21603, "A 'From' phone number is required.")
        sid = "SM" + secrets.token_hex(16)
        self._tokens[account_sid] = token
        sms = FakeSms(sid=sid, to=to, from_=form.get("From"), messaging_service_sid=form.get("MessagingServiceSid"),
                      body=body, status_callback=form.get("StatusCallback"),
                      form={**form, "_account_sid": account_sid})
        with self._lock:
            self.messages.append(sms)
        now = format_datetime(datetime.now(UTC), usegmt=True)
        return 201, {
            "sid": sid, "account_sid": account_sid, "to": to, "from": sms.from_, "body": body, "status": "queued",
            "messaging_service_sid": sms.messaging_service_sid, "num_segments": "1", "num_media": "0",
            "direction": "outbound-api", "api_version": "2010-04-01", "price": None, "price_unit": "USD",
            "error_code": None, "error_message": None, "date_created": now, "date_updated": now, "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json", "subresource_uris": {},
        }

    def _auto_callbacks(self, sid: str) -> None:
        for status in ("sent", "delivered"):
            time.sleep(self.callback_delay)  # Twilio reports a moment after accepting, not at once
            try:
                self.send_status(sid, status)
            except Exception:  # noqa: BLE001 - the dev server may be stopping
                return

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)


def _twilio_error(status: int, code: int, message: str) -> dict:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None, None
    return user, password



# -- the development server's stand-ins -----------------------------------------------------------
_running: dict[str, object] = {}


def start_dev_catchers(*, mail: bool = True, sms: bool = True,
                       host: str = "127.0.0.1") -> tuple[MailCatcher | None, TwilioFake | None, Callable[[], None]]:
    """Start a mail catcher and/or a Twilio stand-in for `ementor dev`.

    Returns (mail catcher, Twilio stand-in, stop); one not asked for is None. The Twilio stand-in
    accepts any credentials and, like Twilio, posts signed status callbacks ("sent", then
    "delivered"). `running()` gives the walkthrough what they caught.
    """
    catcher = MailCatcher(host=host).start() if mail else None
    fake = TwilioFake(host=host, auto_status_callbacks=True).start() if sms else None
    _running.update({k: v for k, v in (("mail", catcher), ("sms", fake)) if v is not None})

    def stop() -> None:
        _running.clear()
        for server in (fake, catcher):
            if server is not None:
                server.stop()

    return catcher, fake, stop


def running() -> tuple[MailCatcher | None, TwilioFake | None]:
    """The development catchers started in this process, if any."""
    return _running.get("mail"), _running.get("sms")
