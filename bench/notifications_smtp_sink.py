"""The notifications benchmark's SMTP server: aiosmtpd in its own process, counting what it accepts.

    python -m bench.notifications_smtp_sink [--tls] [--user NAME:PASSWORD]

A plain asyncio process (no eventlet), so its CPU is not charged to the client being measured.
It prints one JSON line when listening ({"port", "certificate"}) and then, for every message it
accepts, a line `accepted <X-Ementor-Event header or -> <time.time()>`. It stops when its stdin
closes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import re
import ssl
import sys
import tempfile
import time
from pathlib import Path

EVENT_HEADER = re.compile(rb"^X-Ementor-Event: *(\S+)", re.MULTILINE | re.IGNORECASE)


class Sink:
    def __init__(self):
        self.accepted = 0

    async def handle_DATA(self, server, session, envelope):
        self.accepted += 1
        found = EVENT_HEADER.search(envelope.content[:4096])
        event_id = found.group(1).decode() if found else "-"
        sys.stdout.write(f"accepted {event_id} {time.time():.6f}\n")
        sys.stdout.flush()
        return "250 2.0.0 OK"


def self_signed() -> tuple[ssl.SSLContext, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-smtp-"))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context, str(folder / "cert.pem")


async def serve(tls: bool, user: str | None) -> None:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    sink = Sink()
    options: dict = {"hostname": "bench-sink.local"}
    certificate = None
    if tls:
        context, certificate = self_signed()
        options.update(tls_context=context, require_starttls=True)
    if user:
        login, _, password = user.partition(":")

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) \
                == (login, password)
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=tls)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, **options), "127.0.0.1", 0)
    print(json.dumps({"port": server.sockets[0].getsockname()[1], "certificate": certificate}), flush=True)
    # Run until stdin closes.
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()
    server.close()


if __name__ == "__main__":
    import logging

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # it warns on every AUTH
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--user")
    options = parser.parse_args()
    asyncio.run(serve(options.tls, options.user))
