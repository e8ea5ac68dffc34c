"""The mail worker process and its SMTP connection pool against a real SMTP server (aiosmtpd)."""

import pytest

from services.notifications.domain import SendFailure
from services.notifications.mailer import Mailer
from services.notifications.smtp_pool import Envelope, SmtpConfig
from tests.support.smtp import SmtpServer, self_signed_tls

pytestmark = pytest.mark.integration


def mail(to: str, subject: str) -> Envelope:
    return Envelope("no-reply@ementor.test", to, f"Subject: {subject}\r\nTo: {to}\r\n\r\nHello\r\n".encode())


@pytest.fixture
def secure_server():
    tls, certificate = self_signed_tls("localhost")
    server = SmtpServer(tls_context=tls, require_starttls=True, users={"ementor": "s3cret"}).start()
    yield server, certificate
    server.stop()


def test_starttls_and_login_over_reused_connections(secure_server):
    server, certificate = secure_server
    mailer = Mailer(SmtpConfig(host="localhost", port=server.port, username="ementor", password="s3cret",
                               starttls=True, ca_file=certificate, pool_size=2)).start()
    try:
        outcomes = [mailer.submit(mail(f"p{i}@example.org", f"n{i}")) for i in range(20)]
        assert {outcome.wait() for outcome in outcomes} == {"2.0.0 Message accepted for delivery"}
        assert sorted(m.subject for m in server.messages) == sorted(f"n{i}" for i in range(20))
        # Twenty emails, two TLS handshakes and logins: the pool's connections were reused.
        assert mailer.stats() == {"opened": 2, "sent": 20} and len(server.peers) == 2
    finally:
        mailer.stop()


def test_a_wrong_password_or_no_tls_is_a_transient_failure(secure_server):
    server, certificate = secure_server
    wrong = Mailer(SmtpConfig(host="localhost", port=server.port, username="ementor", password="guess",
                              starttls=True, ca_file=certificate)).start()
    plain = Mailer(SmtpConfig(host="localhost", port=server.port, username="ementor", password="s3cret",
                              starttls=False)).start()
    untrusted = Mailer(SmtpConfig(host="localhost", port=server.port, starttls=True)).start()  # system CAs only
    try:
        with pytest.raises(SendFailure) as refused:
            wrong.send(mail("a@example.org", "x"))
        assert refused.value.message.startswith("SMTP 535") and not refused.value.permanent
        with pytest.raises(SendFailure) as cleartext:
            plain.send(mail("a@example.org", "x"))
        assert not cleartext.value.permanent
        with pytest.raises(SendFailure) as unverified:
            untrusted.send(mail("a@example.org", "x"))
        assert "certificate verify failed" in unverified.value.message and not unverified.value.permanent
        assert server.messages == []
    finally:
        for mailer in (wrong, plain, untrusted):
            mailer.stop()


def test_the_pool_survives_a_server_restart_and_a_worker_crash():
    server = SmtpServer().start()
    mailer = Mailer(SmtpConfig(host="127.0.0.1", port=server.port, pool_size=1)).start()
    try:
        mailer.send(mail("a@example.org", "before"))
        server.down()  # drops the pooled connection
        with pytest.raises(SendFailure) as down:
            mailer.send(mail("a@example.org", "while down"))
        assert "cannot reach the SMTP server" in down.value.message and not down.value.permanent
        server.up()
        mailer.send(mail("a@example.org", "after"))

        mailer._process.kill()  # the worker process dies
        mailer._process.wait()
        mailer.send(mail("a@example.org", "after crash"))  # a new worker takes over
        assert [m.subject for m in server.messages] == ["before", "after", "after crash"]
    finally:
        mailer.stop()
        server.stop()


def test_a_refused_recipient_is_permanent_and_the_connection_stays_usable():
    server = SmtpServer().start()
    mailer = Mailer(SmtpConfig(host="127.0.0.1", port=server.port, pool_size=1)).start()
    server.reject_recipient("gone@example.org")
    server.fail_next(1)
    try:
        with pytest.raises(SendFailure) as temporary:
            mailer.send(mail("a@example.org", "first"))
        assert temporary.value.message.startswith("SMTP 451") and not temporary.value.permanent
        with pytest.raises(SendFailure) as refused:
            mailer.send(mail("gone@example.org", "x"))
        assert refused.value.message == "SMTP 550: 5.1.1 Mailbox unavailable" and refused.value.permanent
        mailer.send(mail("a@example.org", "second"))
        assert [m.subject for m in server.messages] == ["second"] and mailer.stats()["opened"] == 1
    finally:
        mailer.stop()
        server.stop()
