"""`ementor dev` sends mail and SMS where the environment says, and to its own catchers otherwise."""

import pytest

from ementor.cli import _with_dev_catchers
from ementor.devtools.catchers import running
from ementor.platform.settings import load_settings

pytestmark = pytest.mark.integration


def dev_settings(**environ):
    return load_settings({"EMENTOR_ENV": "development", **environ})


@pytest.fixture
def start_dev():
    stops = []

    def start(settings):
        settings, stop = _with_dev_catchers(settings)
        stops.append(stop)
        return settings

    yield start
    for stop in stops:
        stop()


def test_without_smtp_or_twilio_settings_both_catchers_start(start_dev):
    settings = start_dev(dev_settings())
    mail, sms = running()
    assert (settings.SMTP_HOST, settings.SMTP_PORT) == (mail.host, mail.port)
    assert settings.TWILIO_BASE_URL == sms.base_url


def test_smtp_host_and_port_send_mail_to_that_server_and_sms_still_to_the_stand_in(start_dev):
    settings = start_dev(dev_settings(SMTP_HOST="mail.example.org", SMTP_PORT="2525"))
    mail, sms = running()
    assert mail is None
    assert (settings.SMTP_HOST, settings.SMTP_PORT) == ("mail.example.org", 2525)
    assert settings.TWILIO_BASE_URL == sms.base_url


def test_twilio_settings_send_sms_to_twilio_and_mail_still_to_the_catcher(start_dev):
    settings = start_dev(dev_settings(TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="secret",
                                      TWILIO_FROM_NUMBER="+15005550010"))
    mail, sms = running()
    assert sms is None and settings.TWILIO_BASE_URL is None
    assert (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN) == ("AC" + "1" * 32, "secret")
    assert settings.SMTP_HOST == mail.host


def test_with_both_set_no_catcher_starts(start_dev):
    settings = start_dev(dev_settings(SMTP_HOST="mailpit", TWILIO_BASE_URL="http://twilio.test:8080",
                                      TWILIO_ACCOUNT_SID="AC" + "2" * 32, TWILIO_AUTH_TOKEN="t"))
    assert running() == (None, None)
    assert (settings.SMTP_HOST, settings.TWILIO_BASE_URL) == ("mailpit", "http://twilio.test:8080")


def test_the_development_mailbox_shows_each_email_with_its_link_and_nothing_unescaped():
    import smtplib
    from email.message import EmailMessage

    import requests

    from ementor.devtools.catchers import MailCatcher
    from ementor.devtools.mailbox import Mailbox

    mail = MailCatcher().start()
    mailbox = Mailbox(mail, None, port=0)
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "ementor@example.org", "jamie@example.org", "Sign in <now>"
        message.set_content("Open http://127.0.0.1:8000/sign-in/complete?token=abc&x=1 to sign in.\n<script>x</script>")
        with smtplib.SMTP(mail.host, mail.port, timeout=10) as smtp:
            smtp.send_message(message)
        page = requests.get(mailbox.url, timeout=10)
    finally:
        mailbox.stop()
        mail.stop()
    assert page.status_code == 200 and "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert '<a href="http://127.0.0.1:8000/sign-in/complete?token=abc&amp;x=1">' in page.text
    assert "Sign in &lt;now&gt;" in page.text and "To jamie@example.org" in page.text
    assert "<script>" not in page.text and "&lt;script&gt;x&lt;/script&gt;" in page.text
