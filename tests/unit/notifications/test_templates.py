"""The words of notifications: defaults, organisation overrides, escaping, and template errors."""

import pytest

from services.notifications import templates
from services.notifications.templates import (
    KINDS,
    TemplateError,
    allowed_values,
    check_override,
    render_email,
    render_sms,
)

pytestmark = pytest.mark.unit


def sample_values(kind: str) -> dict:
    return {name: f"<{name}>" for name in allowed_values(kind) if name != "sign_off"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_default_template_renders_with_the_values_its_kind_has(kind):
    rendered = render_email(kind, sample_values(kind))
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.text.endswith("mentoring team\n")  # the default sign-off closes every email
    assert "<html>" in rendered.html
    assert "The &lt;organisation&gt; mentoring team" in rendered.html  # values escaped, sign-off included
    if KINDS[kind].sms is None:
        with pytest.raises(TemplateError, match="never sent by SMS"):
            render_sms(kind, sample_values(kind))
    else:
        assert len(render_sms(kind, sample_values(kind))) <= 320  # at most two SMS segments


def test_a_new_message_notice_names_the_sender_but_carries_no_body():
    values = {"recipient_name": "Bob", "organisation": "Northside", "app_url": "https://app", "other_name": "Ada",
              "other_role": "mentor", "match_id": "m1"}
    rendered = render_email("message_received", values)
    assert rendered.subject == "You have a new message from your mentor"
    assert "Ada, your mentor, has sent you a message" in rendered.text
    assert render_sms("message_received", values) == "Northside: you have a new message from your mentor on ementor."

    more = render_email("more_messages_received", values)  # a window's next notice may tell of several
    assert more.subject == "You have new messages from your mentor"
    assert "Ada, your mentor, has sent you more messages since we last told you" in more.text


def test_values_are_escaped_in_html_and_links_are_clickable():
    values = sample_values("match_accepted") | {"other_name": "<script>alert(1)</script>", "app_url": "https://app",
                                                "match_id": "m1"}
    rendered = render_email("match_accepted", values)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    link = "https://app/matches/m1/conversation"  # the page the email is about, not the app's home
    assert f'<a href="{link}">{link}</a>' in rendered.html
    assert "<script>alert(1)</script>" in rendered.text  # plain text stays plain


def test_an_organisation_overrides_subject_text_and_sign_off():
    values = sample_values("match_proposed") | {"organisation": "Northside", "recipient_name": "Bob"}
    rendered = render_email("match_proposed", values,
                      overrides={"subject": "$organisation: meet your $other_role", "text": "Hi $recipient_name!"},
                      sign_off="Cheers, the $organisation team")
    assert rendered.subject == "Northside: meet your <other_role>"
    assert rendered.text == "Hi Bob!\n\nCheers, the Northside team\n"
    # The HTML follows the overridden text rather than the default HTML.
    assert "<p>Hi Bob!</p>" in rendered.html and "Cheers, the Northside team" in rendered.html


def test_an_override_naming_a_value_the_kind_lacks_fails_that_channel_only():
    overrides = {"sms": "Hi $favourite_colour"}
    with pytest.raises(TemplateError, match=r"\$favourite_colour"):
        render_sms("match_accepted", sample_values("match_accepted"), overrides)
    assert render_email("match_accepted", sample_values("match_accepted"), overrides).subject  # email unaffected


@pytest.mark.parametrize("kind, part, source, message", [
    ("match_accepted", "subject", "Hi $favourite_colour", "unknown value"),
    ("match_accepted", "text", "Costs $5", "write \\$\\$"),
    ("match_declined", "sms", "Declined", "never sent by SMS"),
    ("no_such_kind", "subject", "Hi", "unknown notification kind"),
    ("match_accepted", "footer", "Hi", "unknown template part"),
    ("message_held", "text", "From $other_name", "unknown value"),  # coordinator notices name no "other"
])
def test_overrides_that_could_never_render_are_refused_when_saved(kind, part, source, message):
    with pytest.raises(TemplateError, match=message):
        check_override(kind, part, source)


def test_valid_overrides_are_accepted():
    check_override("match_accepted", "subject", "$$5 voucher for $recipient_name from ${organisation}")
    check_override("session_scheduled", "sms", "$other_name at $starts_at")


def test_the_calendar_kinds():
    assert {k for k, spec in KINDS.items() if spec.calendar} == {
        "session_scheduled", "session_rescheduled", "session_cancelled"}
    assert KINDS["session_cancelled"].calendar == "CANCEL"
    assert templates.SIGN_OFF == "The $organisation mentoring team"


@pytest.mark.parametrize(("kind", "page"), [
    ("match_proposed", "/matches/m1"), ("match_accepted", "/matches/m1/conversation"),
    ("message_received", "/matches/m1/conversation"), ("session_scheduled", "/matches/m1/sessions"),
    ("session_rescheduled", "/matches/m1/sessions"), ("session_reminder", "/matches/m1/sessions"),
    ("goal_completed", "/matches/m1/goals"), ("nudge", "/matches/m1/conversation"),
    ("relationship_at_risk", "/matches/m1/conversation"), ("message_held", "/staff/moderation"),
])
def test_an_email_links_to_the_page_it_is_about_in_either_language(kind, page):
    """Not the app's home: the web app keeps the page through sign-in, so one tap lands there."""
    import re

    for locale in (None, "es"):
        rendered = render_email(kind, sample_values(kind) | {"app_url": "https://app", "match_id": "m1"}, locale=locale)
        assert re.search(re.escape(f"https://app{page}") + r"(?![\w/])", rendered.text), (locale, rendered.text)
