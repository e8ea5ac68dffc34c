"""The words of every notification, and how an organisation overrides them.

Templates are `string.Template` text: `$name` or `${name}` is replaced, `$$` is a dollar sign.
Each kind has a subject, a plain-text body, an HTML body and (for time-sensitive kinds) an SMS.
An organisation may override any part of any kind; the HTML of a kind whose text is overridden
but whose HTML is not is derived from that text, so the two never disagree. Values are escaped
for HTML. A template naming a value that does not exist fails that notification alone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from string import Template

from .templates_es import KINDS_ES, SIGN_OFF_ES

PARTS = ("subject", "text", "html", "sms")

# Values every template may use.
COMMON = ("recipient_name", "organisation", "sign_off", "app_url")
# Values a template of a kind that names the other person may use.
ABOUT = ("other_name", "other_role")
SESSION = ("starts_at", "session_id")


@dataclass(frozen=True)
class Kind:
    """One kind of notification: its default wording and the values it may use."""

    subject: str
    text: str
    sms: str | None
    values: tuple[str, ...]
    about_other: bool = True
    calendar: str | None = None  # iCalendar METHOD of the invite attached to the email


KINDS: dict[str, Kind] = {
    "match_proposed": Kind(
        subject="You have a new mentoring match to look at",
        text=(
            "Hello $recipient_name,\n\n"
            "$organisation has suggested $other_name as your $other_role. Have a look at their profile "
            "and accept the match if it suits you: $app_url/matches/$match_id\n\n"
            "The match starts once you both accept."
        ),
        sms="$organisation: you have a new mentoring match with $other_name. Open ementor to accept it.",
        values=("match_id",),
    ),
    "match_accepted": Kind(
        subject="Your mentoring match is confirmed",
        text=(
            "Hello $recipient_name,\n\n"
            "You and $other_name have both accepted: your mentoring match has started. Say hello in your "
            "conversation on ementor and agree a first session: $app_url/matches/$match_id/conversation"
        ),
        sms="$organisation: your match with $other_name has started. Say hello on ementor.",
        values=("match_id",),
    ),
    "match_declined": Kind(
        subject="A proposed mentoring match will not go ahead",
        text=(
            "Hello $recipient_name,\n\n"
            "The proposed match with $other_name will not go ahead.\n"
            "Reason given: $reason\n\n"
            "Your coordinator will look for another match for you."
        ),
        sms=None,
        values=("match_id", "reason"),
    ),
    "match_ended": Kind(
        subject="Your mentoring match has ended",
        text=(
            "Hello $recipient_name,\n\n"
            "Your mentoring match with $other_name has ended. $reason\n\n"
            "Thank you for taking part."
        ),
        sms=None,
        values=("match_id", "reason"),
    ),
    "message_received": Kind(
        subject="You have a new message from your $other_role",
        text=(
            "Hello $recipient_name,\n\n"
            "$other_name, your $other_role, has sent you a message. Read it and reply on ementor: $app_url/matches/$match_id/conversation"
        ),
        sms="$organisation: you have a new message from your $other_role on ementor.",
        values=("match_id",),
    ),
    # The notice after a window's first (planning.tell_of_message): it may tell of several messages.
    "more_messages_received": Kind(
        subject="You have new messages from your $other_role",
        text=(
            "Hello $recipient_name,\n\n"
            "$other_name, your $other_role, has sent you more messages since we last told you. Read them and reply "
            "on ementor: $app_url/matches/$match_id/conversation"
        ),
        sms="$organisation: you have new messages from your $other_role on ementor.",
        values=("match_id",),
    ),
    "message_held": Kind(
        subject="A message is waiting for your review",
        text=(
            "Hello,\n\n"
            "A message from $sender_name to $receiver_name has been held for review because of: $reasons.\n"
            "It will not reach $receiver_name until a coordinator approves it. Review it in the "
            "moderation queue: $app_url/staff/moderation"
        ),
        sms=None,
        values=("match_id", "message_id", "reasons", "sender_name", "receiver_name"),
        about_other=False,
    ),
    "session_scheduled": Kind(
        subject="Mentoring session booked for $starts_at",
        text=(
            "Hello $recipient_name,\n\n"
            "A mentoring session with $other_name is booked for $starts_at (until $ends_at).\n"
            "The calendar invitation is attached. When it is time, open ementor to join: $app_url/matches/$match_id/sessions"
        ),
        sms="$organisation: session with $other_name booked for $starts_at. Open ementor to join.",
        values=("match_id", "session_id", "starts_at", "ends_at", "sequence"),
        calendar="REQUEST",
    ),
    "session_rescheduled": Kind(
        subject="Mentoring session moved to $starts_at",
        text=(
            "Hello $recipient_name,\n\n"
            "Your mentoring session with $other_name has moved from $previous_starts_at to $starts_at "
            "(until $ends_at).\n"
            "The updated calendar invitation is attached. When it is time, open ementor to join: $app_url/matches/$match_id/sessions"
        ),
        sms="$organisation: session with $other_name moved to $starts_at.",
        values=("match_id", "session_id", "starts_at", "ends_at", "previous_starts_at", "sequence"),
        calendar="REQUEST",
    ),
    "session_cancelled": Kind(
        subject="Mentoring session on $starts_at cancelled",
        text=(
            "Hello $recipient_name,\n\n"
            "Your mentoring session with $other_name on $starts_at has been cancelled. $reason\n"
            "The attached update removes it from your calendar."
        ),
        sms="$organisation: your session with $other_name on $starts_at is cancelled.",
        values=("match_id", "session_id", "starts_at", "sequence", "reason"),
        calendar="CANCEL",
    ),
    "session_reminder": Kind(
        subject="Reminder: mentoring session at $starts_at",
        text=(
            "Hello $recipient_name,\n\n"
            "Your mentoring session with $other_name starts in $minutes_before minutes, at $starts_at.\n"
            "Open ementor to join: $app_url/matches/$match_id/sessions"
        ),
        sms="$organisation: session with $other_name in $minutes_before min ($starts_at). Open ementor to join.",
        values=("match_id", "session_id", "starts_at", "minutes_before"),
    ),
    "goal_completed": Kind(
        subject="A goal has been completed",
        text=(
            "Hello $recipient_name,\n\n"
            "A goal in your mentoring with $other_name has been marked complete. Well done! "
            "See your goals on ementor: $app_url/matches/$match_id/goals"
        ),
        sms=None,
        values=("match_id", "goal_id"),
    ),
    "nudge": Kind(
        subject="How is your mentoring going?",
        text=(
            "Hello $recipient_name,\n\n"
            "It has been $idle_days days since you and $other_name last exchanged a message. "
            "A short hello keeps things going: $app_url/matches/$match_id/conversation"
        ),
        sms="$organisation: it has been $idle_days days since you and $other_name last talked. Say hello on ementor.",
        values=("match_id", "idle_days"),
    ),
    "relationship_at_risk": Kind(
        subject="Keep your mentoring going",
        text=(
            "Hello $recipient_name,\n\n"
            "Things have gone a little quiet between you and $other_name. A short message, or a session "
            "in the diary, keeps your mentoring going: $app_url/matches/$match_id/conversation"
        ),
        sms=None,
        values=("match_id",),
    ),
    "survey_requested": Kind(
        subject="A quick question for you",
        text=(
            "Hello $recipient_name,\n\n"
            "How is your mentoring going? $organisation would like to know: a few quick questions, "
            "less than a minute. Tap a number from 1 to 5 for each one:\n\n"
            "$app_url/surveys/$survey_id\n\n"
            "Your answers help the programme. Only the programme team reads any comment you leave."
        ),
        sms=None,
        values=("survey_id", "match_id", "moment"),
        about_other=False,
    ),
    "nudge_escalation": Kind(
        subject="A mentoring match has gone quiet",
        text=(
            "Hello,\n\n"
            "$mentor_name (mentor) and $mentee_name (mentee) have not exchanged a message for $idle_days "
            "days, and a reminder to both of them $nudged_days_ago days ago did not change that. You may "
            "want to check in with them: $app_url"
        ),
        sms=None,
        values=("match_id", "idle_days", "nudged_days_ago", "mentor_name", "mentee_name"),
        about_other=False,
    ),
}

SIGN_OFF = "The $organisation mentoring team"
LOCALES = ("en", "es")


def language_of(locale: str | None) -> str:
    """The language a recipient reads: their profile's locale when ementor speaks it, else English."""
    base = (locale or "").lower().replace("_", "-").split("-")[0]
    return base if base in LOCALES else "en"


def default_parts(kind: str, locale: str | None = None) -> tuple[str, str, str | None, str]:
    """The kind's own subject, text, SMS and sign-off in the recipient's language."""
    spec = KINDS[kind]
    if language_of(locale) == "es":
        subject, text, sms = KINDS_ES[kind]
        return subject, text, sms, SIGN_OFF_ES
    return spec.subject, spec.text, spec.sms, SIGN_OFF


class TemplateError(ValueError):
    """A template cannot be rendered (or saved): the message says which part and why."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def allowed_values(kind: str) -> tuple[str, ...]:
    spec = KINDS[kind]
    return COMMON + (ABOUT if spec.about_other else ()) + spec.values


def check_override(kind: str, part: str, source: str) -> None:
    """Refuse an override that could never render: bad `$` syntax or a value the kind does not have."""
    if kind not in KINDS:
        raise TemplateError(f"unknown notification kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}")
    if part not in PARTS:
        raise TemplateError(f"unknown template part {part!r}; parts are {', '.join(PARTS)}")
    if part == "sms" and KINDS[kind].sms is None:
        raise TemplateError(f"{kind} notifications are never sent by SMS, so they take no sms template")
    template = Template(source)
    if not template.is_valid():
        raise TemplateError(f"{kind}.{part}: a '$' must start a value name such as $recipient_name; write $$ for '$'")
    unknown = sorted(set(template.get_identifiers()) - set(allowed_values(kind)))
    if unknown:
        raise TemplateError(
            f"{kind}.{part} uses unknown value(s) {', '.join('$' + name for name in unknown)}; "
            f"available: {', '.join('$' + name for name in allowed_values(kind))}"
        )


def render_email(kind: str, values: dict, overrides: dict | None = None, sign_off: str | None = None,
                 locale: str | None = None) -> RenderedEmail:
    """The subject, text and HTML of an email in the recipient's language, with the organisation's overrides applied."""
    default_subject, default_text, _, default_sign_off = default_parts(kind, locale)
    overrides = overrides or {}
    values = _strings(values)
    values["sign_off"] = _fill(kind, "sign_off", sign_off or default_sign_off, values)
    subject = " ".join(_fill(kind, "subject", overrides.get("subject", default_subject), values).split())
    text_source = overrides.get("text", default_text)
    text = _fill(kind, "text", text_source, values).rstrip() + f"\n\n{values['sign_off']}\n"
    if "html" in overrides:
        body = _fill(kind, "html", overrides["html"], _escaped(values))
    else:
        body = _paragraphs(_fill(kind, "text", text_source, _escaped(values)))
    if values.get("app_url"):
        # The app's address, and a page of it (`$app_url/surveys/$survey_id`), become links.
        pattern = re.escape(html.escape(values["app_url"])) + r"(?:/[\w\-/]*\w)?"
        body = re.sub(pattern, lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', body)
    return RenderedEmail(subject=subject, text=text, html=_page(subject, body, html.escape(values["sign_off"])))


def render_sms(kind: str, values: dict, overrides: dict | None = None, locale: str | None = None) -> str:
    """The text of an SMS (one line) in the recipient's language, with the organisation's override applied."""
    spec = KINDS[kind]
    if spec.sms is None:
        raise TemplateError(f"{kind} notifications are never sent by SMS")
    source = (overrides or {}).get("sms", default_parts(kind, locale)[2])
    return " ".join(_fill(kind, "sms", source, _strings(values)).split())


def _strings(values: dict) -> dict:
    return {key: "" if value is None else str(value) for key, value in values.items()}


def _fill(kind: str, part: str, source: str, values: dict) -> str:
    try:
        return Template(source).substitute(values)
    except KeyError as exc:
        raise TemplateError(f"{kind}.{part} names ${exc.args[0]}, which this notification does not have") from None
    except ValueError as exc:
        raise TemplateError(f"{kind}.{part} is not a valid template: {exc}") from None


def _escaped(values: dict) -> dict:
    return {key: html.escape(value) for key, value in values.items()}


def _paragraphs(escaped_text: str) -> str:
    blocks = [block.strip() for block in escaped_text.strip().split("\n\n") if block.strip()]
    return "\n".join(f"<p>{block.replace(chr(10), '<br>')}</p>" for block in blocks)


def _page(subject: str, body: str, sign_off: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(subject)}</title></head>\n"
        '<body style="margin:0;padding:24px;background:#f6f7f9;font-family:Helvetica,Arial,sans-serif;'
        'color:#1f2933;line-height:1.5">\n'
        '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">\n'
        f"{body}\n<p>{sign_off}</p>\n</div>\n</body></html>\n"
    )
