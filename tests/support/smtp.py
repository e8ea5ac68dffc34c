"""A real SMTP server for tests (aiosmtpd), recording what it accepts, with fault switches.

    server = SmtpServer().start()        # listens on 127.0.0.1:<free port>
    server.down(); server.up()           # connection refused while down; same port when back
    server.reject_recipient("x@y.org")   # 550 on RCPT TO: a permanent failure
    server.fail_next(2)                  # 451 on DATA for the next two messages: transient
    server.messages                      # CaughtMail(sender, recipients, data, received_at)

The server itself is ementor.devtools.catchers.MailCatcher (the development mail catcher), on its
own asyncio loop in a real OS thread. `self_signed_tls()` gives it a certificate for STARTTLS.
"""

from __future__ import annotations

import datetime
import ssl
import tempfile
from pathlib import Path

from ementor.devtools.catchers import CaughtMail, MailCatcher

__all__ = ["CaughtMail", "SmtpServer", "self_signed_tls"]


class SmtpServer(MailCatcher):
    """MailCatcher under the name the tests use."""


def self_signed_tls(hostname: str = "localhost") -> tuple[ssl.SSLContext, str]:
    """(server context, path of the certificate for a client to trust) for STARTTLS tests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="ementor-tls-"))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return server, str(cert_file)
