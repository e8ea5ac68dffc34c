"""Walkthrough: a mentee raises a concern, contact pauses, the safeguarding lead is alerted, decides."""

from __future__ import annotations

import re
import time

try:
    from ementor.devtools.catchers import running as running_catchers
except ImportError:  # no dev dependencies (aiosmtpd): the lead's part is skipped

    def running_catchers():
        return None, None

LINK = re.compile(r"token=([A-Za-z0-9_\-]+)")
LEAD = "sam.lee@coastal.example.org"


def run(tour) -> None:
    match = tour.state.get("match")
    if not match:
        tour.say("Safeguarding", "skipped: no active match was left by the matching step")
        return
    api, token_for, coordinator = tour.api, tour.state["token_for"], tour.state["coordinator_token"]
    mentor_token, mentee_token = token_for(match["mentor_id"]), token_for(match["mentee_id"])
    since = tour.now()
    api.call("PUT", "/v1/settings/safeguarding", coordinator, json={
        "contacts": [{"name": "Sam Lee", "email": LEAD, "phone": "+447700900101"},
                     {"name": "Head teacher", "email": "head@coastal.example.org"}],
        "acknowledge_within_minutes": 15})
    tour.say("The organisation names its safeguarding contacts in order (PUT /v1/settings/safeguarding)",
             "Sam Lee, then the head teacher, 15 minutes each to acknowledge, then the platform operator")

    concern = api.post("/v1/concerns", mentee_token, json={
        "category": "asked_to_meet_or_talk_elsewhere", "match_id": match["id"],
        "details": "asked me to add them on another app"}).json()
    tour.say("The mentee presses 'report' (POST /v1/concerns): they see it was received",
             {k: concern[k] for k in ("status", "category", "message")})
    refused = _refused(api, match["id"], mentor_token)
    tour.say("Contact is paused for both sides at once", f"{refused['code']}: {refused['message']}")

    lead = _sign_in_lead(tour, coordinator)
    if lead is None:
        tour.say("Safeguarding lead", "skipped: no mail catcher running to read the sign-in link from")
        return
    seen = api.get(f"/v1/concerns/{concern['id']}", lead).json()
    tour.say("The safeguarding lead (and only they) sees the concern, its details and its escalation",
             {k: seen[k] for k in ("category", "details", "raised_by", "escalation")})
    context = api.get(f"/v1/concerns/{concern['id']}/messages", lead).json()["items"]
    tour.say(f"...and the conversation around it ({len(context)} messages, held ones too)")
    api.post(f"/v1/concerns/{concern['id']}/acknowledge", lead, json={"note": "calling the mentee's school"})
    resolved = api.post(f"/v1/concerns/{concern['id']}/resolve", lead, json={
        "decision": "resume", "reason": "Spoke to both: the mentor suggested the school's own app, now explained"}).json()
    tour.say("They acknowledge it (the escalation clock stops) and resolve it with a reason",
             {k: resolved[k] for k in ("status", "decision", "reason", "resolved_by")})
    chain = api.get("/v1/safeguarding/audit", lead).json()
    tour.say("Every decision is in the organisation's hash-chained audit (`ementor audit verify` checks it)",
             "\n".join(f"{e['seq']}. {e['action']:<22} {e['actor']:<32} {e['hash'][:16]}…" for e in chain["items"])
             + f"\nverified: {chain['verified']}")
    tour.events.wait_for("ConcernResolved", lambda e: e.subject == concern["id"], timeout=10)
    tour.show_events("ConcernRaised", "ConcernEscalated", "ConcernResolved", since=since)


def _refused(api, match_id: str, token: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = api.post(f"/v1/matches/{match_id}/messages", token, expect=(201, 409), json={"body": "Hi!"})
        if answer.status_code == 409 or time.monotonic() > deadline:
            return answer.json().get("error", {"code": "not yet paused", "message": ""})
        time.sleep(0.05)


def _sign_in_lead(tour, coordinator: str) -> str | None:
    mail, _ = running_catchers()
    if mail is None:
        return None
    before = len(mail.messages)
    tour.api.post("/v1/staff", coordinator, json={"name": "Sam Lee", "email": LEAD, "role": "safeguarding_lead"})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in mail.messages[before:]:
            found = LEAD in message.recipients and LINK.search(message.text())
            if found and "invitation" in message.text().lower():
                return tour.api.post("/v1/auth/sign-in/complete", json={"token": found.group(1)}).json()["access_token"]
        time.sleep(0.05)
    return None
