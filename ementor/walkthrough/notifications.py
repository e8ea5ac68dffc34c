"""Walkthrough: the emails and SMS everything before caused, from the delivery log and the catchers."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

try:
    from ementor.devtools.catchers import running as running_catchers
except ImportError:  # no dev dependencies (aiosmtpd): the log alone tells the story

    def running_catchers():
        return None, None

SETTLE_SECONDS = 20.0


def run(tour) -> None:
    token = tour.state.get("coordinator_token")
    if not token:
        tour.say("Notifications", "skipped: no organisation (the profiles step did not run)")
        return
    api = tour.api
    names = {p["id"]: p["name"] for p in tour.state.get("mentors", []) + tour.state.get("mentees", [])}
    names["coordinator"] = "the coordinator"

    log = _settled_log(api, token)
    if not log:
        tour.say("Notifications", "the delivery log is empty: no event so far was worth telling anyone about")
        return
    by_status: dict[str, int] = {}
    for entry in log:
        by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
    lines = [f"{names.get(d['person_id'], d['person_id'])[:18]:<18} {d['channel']:<5} {d['kind']:<22} "
             f"{d['status']:<9} {d['subject'] or ''}" for d in reversed(log)]
    tour.say(f"Every notification the tour caused (GET /v1/notifications): {len(log)}, "
             + ", ".join(f"{count} {status}" for status, count in sorted(by_status.items())), "\n".join(lines))
    read = [d for d in log if d["skip_code"] == "read_in_app"]
    if read:
        tour.say("New-message notices dropped because their recipient read the messages in the app first",
                 "\n".join(f"{names.get(d['person_id'], d['person_id'])}: {d['channel']} {d['kind']}" for d in read))
    deferred = [d for d in log if d["status"] == "deferred"]
    if deferred:
        people = tour.state.get("mentors", []) + tour.state.get("mentees", [])
        zones = {p["id"]: p.get("timezone") or "UTC" for p in people}
        tour.say("Some SMS wait for the end of their recipient's quiet hours, in the recipient's own time zone",
                 "\n".join(f"{names.get(d['person_id'], d['person_id'])}: {d['kind']} goes at "
                           f"{_local(d['next_attempt_at'], zones.get(d['person_id'], 'UTC'))}" for d in deferred))

    mail, sms = running_catchers()
    if mail is not None:
        caught = list(mail.messages)
        tour.say(f"What the development mail catcher received ({len(caught)} emails; no body, as a glance)",
                 "\n".join(_mail_line(m) for m in caught[-25:]) or "(none)")
        invite = next((m for m in reversed(caught) if m.part("text/calendar") is not None), None)
        if invite is not None:
            calendar = invite.part("text/calendar").get_content()
            tour.say(f"The calendar invitation attached to \"{invite.subject}\"",
                     "\n".join(line for line in calendar.splitlines()
                               if line.split(":")[0].split(";")[0] in ("METHOD", "UID", "SEQUENCE", "DTSTART",
                                                                       "DTEND", "SUMMARY", "STATUS")))
    if sms is not None:
        tour.say(f"What the Twilio stand-in received ({len(sms.messages)} SMS)",
                 "\n".join(f"to {m.to}: {m.body}  [{m.status}]" for m in sms.messages) or
                 "(none: nobody in the tour opted in to SMS outside their quiet hours)")

    held_dropped = [d for d in log if d["kind"] == "message_held"] == []
    settings = api.call("PUT", "/v1/settings/notifications", token, json={
        "coordinator_email": "coordinator@example.org",
        "sign_off": "Best wishes, the $organisation mentoring team",
        "nudge_after_days": 14, "escalate_after_days": 7,
        "templates": {"match_proposed": {"subject": "$organisation: meet your new $other_role, $other_name"}},
    }).json()
    tour.say("The coordinator sets the organisation's notification settings (PUT /v1/settings/notifications)",
             ("No coordinator email was set, so the held message above reached nobody by email; from now on "
              "held messages and quiet matches are reported to " if held_dropped else "Reports go to ")
             + f"{settings['coordinator_email']}. Matches quiet for {settings['nudge_after_days']} days get a "
             f"nudge, then the coordinator hears after {settings['escalate_after_days']} more.\n"
             f"Subject template of new-match emails: \"{settings['templates']['match_proposed']['subject']}\"; "
             f"sign-off: \"{settings['sign_off']}\" ($-values are filled in per email).")


def _settled_log(api, token: str) -> list[dict]:
    """The whole delivery log, once nothing is being sent any more (or after a while)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        log = _whole_log(api, token)
        busy = [d for d in log if d["status"] in ("pending", "sending")]
        if not busy or time.monotonic() > deadline:
            return log
        time.sleep(0.2)


def _whole_log(api, token: str) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/notifications", token, params=params).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def _local(iso: str, zone: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    return f"{moment:%a %H:%M} {zone}"


def _mail_line(mail) -> str:
    attachments = [p.get_filename() for p in mail.message.walk() if p.get_filename()]
    extra = f"  (+ {', '.join(attachments)})" if attachments else ""
    return f"to {mail.to[:44]:<44} {mail.subject}{extra}"
