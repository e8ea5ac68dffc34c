"""Walkthrough (part of the profiles step): a minor's guardian consents through the emailed link."""

from __future__ import annotations

import re
import time

try:
    from ementor.devtools.catchers import running as running_catchers
except ImportError:  # no dev dependencies (aiosmtpd): staff record consent collected offline instead

    def running_catchers():
        return None, None

LINK = re.compile(r"/guardian/consent\?token=([A-Za-z0-9_\-]+)")
WAIT_SECONDS = 10.0


def run(tour, token: str, minor: dict, mentor_id: str) -> None:
    api = tour.api
    refused = api.post("/v1/matches", token, expect=(404, 409),
                       json={"mentee_id": minor["id"], "mentor_id": mentor_id}).json()["error"]
    tour.say(f"{minor['name']} is a minor: guardian consent is {minor['guardian_consent']}, so no match yet",
             f"{refused['code']}: {refused['message']}")
    link_token = _emailed_token(minor["guardian_consent_detail"]["guardian"]["email"])
    if link_token is None:
        record = api.post(f"/v1/people/{minor['id']}/guardian-consent", token, json={
            "decision": "grant", "evidence": "signed paper form, filed by the school office"}).json()
        tour.say("No mail catcher here: the coordinator records consent collected on paper",
                 {"state": record["consent"]["state"], "recorded_by": record["consent"]["recorded_by"]})
        return
    page = api.get(f"/v1/guardian-consents/{link_token}").json()
    tour.say("The guardian opens the emailed link: what the consent page shows",
             {k: page[k] for k in ("mentee_first_name", "organisation", "programme", "state", "supervision")})
    decision = api.post("/v1/guardian-consents/complete", json={"token": link_token, "decision": "grant"}).json()
    tour.say("The guardian consents", decision)
    tour.events.wait_for("GuardianConsentChanged", count=2)
    tour.show_events("GuardianConsentChanged")


def _emailed_token(address: str) -> str | None:
    mail, _ = running_catchers()
    if mail is None:
        return None
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        for caught in reversed(mail.to(address)):
            found = LINK.search(caught.message.get_body(("plain",)).get_content())
            if found:
                return found.group(1)
        time.sleep(0.1)
    return None
