"""The mail worker: a plain asyncio process that sends the service's emails over an SMTP pool.

Started by `mailer.Mailer` as `python -m services.notifications.mail_worker`: a fresh interpreter
without eventlet, so aiosmtplib runs on an ordinary asyncio loop, with its own GIL. It talks to
the service over its stdin and stdout in length-prefixed frames (4-byte big-endian length, then
a pickle; both ends are this repository's code):

    in:  ("config", {...SmtpConfig})      first, once
         ("send", id, sender, recipient, data)
         ("stats",)
    out: ("ok", id, reply) | ("failed", id, message, permanent) | ("stats", {...})

It exits when its stdin closes (the service stopped or died), after finishing what is in flight.
Anything it prints goes to stderr, so stray output can never corrupt a frame.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import struct
import sys

from .domain import SendFailure
from .smtp_pool import Envelope, SmtpConfig, SmtpPool

HEADER = struct.Struct(">I")
log = logging.getLogger("ementor.mail_worker")


def encode(message: tuple) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


async def _read(reader: asyncio.StreamReader) -> tuple | None:
    try:
        header = await reader.readexactly(HEADER.size)
        return pickle.loads(await reader.readexactly(HEADER.unpack(header)[0]))
    except asyncio.IncompleteReadError:
        return None


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    first = await _read(reader)
    if not first or first[0] != "config":
        raise SystemExit("mail worker: expected a config frame first")
    pool = SmtpPool(SmtpConfig(**first[1]))
    in_flight: set[asyncio.Task] = set()

    def answer(message: tuple) -> None:
        writer.write(encode(message))

    async def send(request_id: int, envelope: Envelope) -> None:
        try:
            reply = await pool.send(envelope)
        except SendFailure as failure:
            answer(("failed", request_id, failure.message, failure.permanent))
        except Exception as exc:
            log.exception("mail worker: unexpected error")
            answer(("failed", request_id, f"mail worker error: {type(exc).__name__}", False))
        else:
            answer(("ok", request_id, reply))
        try:
            await writer.drain()
        except (ConnectionResetError, BrokenPipeError):
            pass

    while (message := await _read(reader)) is not None:
        if message[0] == "send":
            _, request_id, sender, recipient, data = message
            task = asyncio.ensure_future(send(request_id, Envelope(sender, recipient, data)))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        elif message[0] == "stats":
            answer(("stats", {"opened": pool.opened, "sent": pool.sent}))
            await writer.drain()
    if in_flight:
        await asyncio.gather(*in_flight, return_exceptions=True)
    await pool.close()
    await writer.drain()


async def main() -> None:
    # Frames go to the original stdout; everything else that would print there goes to stderr.
    frames_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, frames_out)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    try:
        await serve(reader, writer)
    except (ConnectionResetError, BrokenPipeError):  # the service went away: nobody to answer
        pass


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    asyncio.run(main())
