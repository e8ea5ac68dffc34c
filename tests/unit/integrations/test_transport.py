"""The webhook transport connects to the address it checked, whatever DNS answers next."""

from __future__ import annotations

import datetime
import http.server
import socket
import ssl
import threading

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.integrations import domain
from services.integrations.transport import PinnedAddressAdapter

pytestmark = pytest.mark.unit

NAME = "hooks.rebinding.test"
LAB = domain.TargetPolicy(allow_private=True, allow_http=True)
PRODUCTION = domain.TargetPolicy(allow_private=False, allow_http=False)


class RebindingResolver:
    """Answers the first question with the address the receiver listens on, then another one."""

    def __init__(self, first: str, then: str):
        self.answers = [first, then]
        self.questions = 0

    def __call__(self, host, port):
        assert host == NAME
        self.questions += 1
        return [self.answers[min(self.questions, 2) - 1]]


class Receiver:
    def __init__(self, tls_context: ssl.SSLContext | None = None):
        seen = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                seen.append({"host": self.headers["Host"], "body": self.rfile.read(int(self.headers["Content-Length"]))})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls_context is not None:
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """The system resolver answers like the rebinding name server: 127.0.0.2 once asked again."""
    resolver = RebindingResolver("127.0.0.1", "127.0.0.2")
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == NAME:
            return real(resolver(host, port)[0], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return resolver


def session(policy, resolver) -> requests.Session:
    s = requests.Session()
    adapter = PinnedAddressAdapter(policy, resolver, max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def test_a_rebinding_name_is_contacted_at_the_address_that_was_checked(rebinding_dns):
    receiver = Receiver()  # on 127.0.0.1 only: nothing listens on 127.0.0.2
    try:
        response = session(LAB, rebinding_dns).post(f"http://{NAME}:{receiver.port}/in", data=b"{}", timeout=5)
    finally:
        receiver.close()
    assert response.status_code == 204
    assert rebinding_dns.questions == 1, "the name is resolved once, for the check, and not again to connect"
    assert receiver.requests == [{"host": f"{NAME}:{receiver.port}", "body": b"{}"}]


def test_a_name_that_resolves_to_a_private_address_is_refused_before_any_connection(rebinding_dns):
    receiver = Receiver()
    try:
        with pytest.raises(domain.InvalidWebhook, match="private"):
            session(PRODUCTION, rebinding_dns).post(f"https://{NAME}:{receiver.port}/in", data=b"{}", timeout=5)
    finally:
        receiver.close()
    assert receiver.requests == []


def certificate_for(name: str, tmp_path) -> tuple[ssl.SSLContext, str, list[str]]:
    """A self-signed certificate for `name`: the server's TLS context, the CA file, and the SNI names seen."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server_names: list[str] = []
    context.sni_callback = lambda sock, server_name, ctx: server_names.append(server_name)
    return context, str(cert_file), server_names


def test_tls_keeps_the_server_name_and_verifies_the_certificate_against_it(rebinding_dns, tmp_path):
    context, ca_file, server_names = certificate_for(NAME, tmp_path)
    receiver = Receiver(context)
    try:
        response = session(LAB, rebinding_dns).post(
            f"https://{NAME}:{receiver.port}/in", data=b"{}", timeout=5, verify=ca_file
        )
    finally:
        receiver.close()
    assert response.status_code == 204 and server_names == [NAME]
    assert receiver.requests[0]["host"] == f"{NAME}:{receiver.port}"


def test_a_certificate_for_another_name_is_refused(rebinding_dns, tmp_path):
    context, ca_file, _ = certificate_for("someone-else.test", tmp_path)
    receiver = Receiver(context)
    try:
        with pytest.raises(requests.exceptions.SSLError):
            session(LAB, rebinding_dns).post(f"https://{NAME}:{receiver.port}/in", data=b"{}", timeout=5, verify=ca_file)
    finally:
        receiver.close()
    assert receiver.requests == []
