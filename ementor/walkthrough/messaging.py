"""Walkthrough: the matched mentor and mentee talk; a message with contact details waits for a coordinator."""

from __future__ import annotations

import time


def run(tour) -> None:
    match = tour.state.get("match")
    if not match:
        tour.say("Messaging", "skipped: no active match (the matching step did not run)")
        return
    api, token_for = tour.api, tour.state["token_for"]
    coordinator = tour.state["coordinator_token"]
    match_id, mentor_id, mentee_id = match["id"], match["mentor_id"], match["mentee_id"]
    mentor, mentee = token_for(mentor_id), token_for(mentee_id)
    names = {p["id"]: p["name"] for p in tour.state.get("mentors", []) + tour.state.get("mentees", [])}
    names.setdefault(mentor_id, "mentor")
    names.setdefault(mentee_id, "mentee")
    started = tour.now()

    conversation = _wait_for_conversation(api, match_id, coordinator)
    tour.say("MatchAccepted opened a conversation for the match",
             f"status {conversation['status']}, moderation policy: {conversation['moderation_policy']}"
             + (" (the mentee is a minor: contact details, links and worrying phrases are held)"
                if conversation["moderation_policy"] == "minor" else ""))

    path = f"/v1/matches/{match_id}/messages"
    api.post(path, mentor, json={"body": f"Hi {names[mentee_id].split()[0]}! Great to be matched. "
                                         "What would you like to get out of our sessions?"})
    api.post(path, mentee, json={"body": "Hi! I'd like help choosing between engineering courses."})
    held = api.post(path, mentor, json={
        "body": "Happy to help. If it's easier, text me on 07700 900 123 or look at robotics-club.org.uk"
    }).json()
    tour.say("The mentor's third message carries a phone number and a link, so it is held for review",
             f"POST {path} -> 201 status={held['status']} reasons={held['held_reasons']}")

    seen_by_mentee = api.get(path, mentee).json()["items"]
    tour.say(f"What {names[mentee_id]} sees (newest first): the held message is not there",
             _transcript(seen_by_mentee, names))

    queue = api.get("/v1/moderation/messages", coordinator, params={"status": "held"}).json()["items"]
    tour.say("The coordinator's moderation queue",
             "\n".join(f"{m['id']}  from {names[m['sender_id']]}: {m['body']!r}\n    found: "
                       + ", ".join(f"{f['kind']} {f['text']!r}" for f in m["findings"]) for m in queue))
    moderator = tour.state.get("staff_token", coordinator)  # a named member of staff, when one signed in
    approved = api.post(f"/v1/moderation/messages/{held['id']}/approve", moderator,
                        json={"reason": "The club's public number and site; fine to share"}).json()
    tour.events.wait_for("MessageSent", lambda e: e.subject == held["id"], timeout=10)
    tour.say("The coordinator approves it", f"status={approved['status']}, "
             f"decision={approved['moderation']['decision']}, reason={approved['moderation']['reason']!r}")

    tour.say(f"Now {names[mentee_id]} sees the whole conversation",
             _transcript(api.get(path, mentee).json()["items"], names))
    unread = api.get(f"/v1/matches/{match_id}/conversation", mentee).json()["unread"]
    newest = api.get(path, mentee, params={"limit": 1}).json()["items"][0]["id"]
    after = api.post(f"{path}/read", mentee, json={"up_to_message_id": newest}).json()["unread"]
    tour.say("Read state", f"{names[mentee_id]} had {unread} unread; after POST {path}/read: {after}")

    audit = api.get("/v1/moderation/audit", coordinator, params={"message_id": held["id"]}).json()["items"]
    tour.say("The append-only moderation audit log",
             "\n".join(f"{e['at']}  {e['decision']:<9} by {e['actor']:<11} "
                       f"{e['reason'] or ', '.join(e['held_reasons'])}" for e in reversed(audit)))

    stats = api.get(f"{path}/stats", coordinator).json()
    tour.say("Conversation statistics for the coordinator",
             "\n".join(f"{names[p['person_id']]:<14} {p['role']:<6} delivered={p['delivered']} "
                       f"held={p['held']} median response={p['median_response_seconds']}s"
                       for p in stats["people"])
             + f"\ndays since last message: {stats['days_since_last_message']}")

    _read_before_told(tour, path, mentor, mentee, names[mentee_id], mentee_id)
    tour.events.wait_for("MessageSent", lambda e: e.data.get("match_id") == match_id, count=3, timeout=10)
    tour.events.wait_for("ConversationRead", lambda e: e.subject == match_id, timeout=10)
    tour.say("Events that flowed (ids and lengths only: bodies never leave messaging; the read tells "
             "notifications to drop a new-message notice still waiting)")
    tour.show_events("MessageHeld", "MessageApproved", "MessageSent", "ConversationRead", since=started)
    tour.state["messages"] = {"match_id": match_id, "approved_message_id": held["id"]}


def _wait_for_conversation(api, match_id: str, token: str, timeout: float = 15.0) -> dict:
    """MatchAccepted reaches messaging asynchronously: wait (bounded) until the conversation is open."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(f"/v1/matches/{match_id}/conversation", token, expect=(200, 404))
        if response.status_code == 200 and response.json()["status"] == "active":
            return response.json()
        if time.monotonic() > deadline:
            raise RuntimeError(f"messaging did not open a conversation for match {match_id} "
                               f"within {timeout}s")
        time.sleep(0.1)


def _read_before_told(tour, path: str, mentor: str, mentee: str, mentee_name: str, mentee_id: str) -> None:
    """A message after the mentee was told of the chat waits for the next window's notice; reading it
    in the app drops that notice."""
    api, coordinator = tour.api, tour.state["coordinator_token"]
    later = api.post(path, mentor, json={"body": "Let me know how the open day goes!"}).json()
    waiting = _notice(api, coordinator, mentee_id, lambda d: d["status"] == "pending")
    api.post(f"{path}/read", mentee, json={"up_to_message_id": later["id"]})
    if waiting is None:  # the message fell in a new window, or joined a notice still being sent
        return
    dropped = _notice(api, coordinator, mentee_id, lambda d: d["id"] == waiting["id"] and d["status"] == "skipped")
    tour.say(f"The mentor writes once more. {mentee_name} was told of this chat already, so the message waits "
             f"for the next notice window; {mentee_name} reads it in the app first, and that notice is dropped",
             f"{waiting['kind']} due at {waiting['next_attempt_at']}: "
             + (f"{dropped['status']} ({dropped['last_error']})" if dropped else "still pending"))


def _notice(api, token: str, person_id: str, wanted, timeout: float = 5.0) -> dict | None:
    """The person's newest "more new messages" notice that is `wanted`, waiting (bounded) for it:
    notifications plans and drops them from events, asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        items = api.get("/v1/notifications", token, params={"person_id": person_id, "limit": 10}).json()["items"]
        found = next((d for d in items if d["kind"] == "more_messages_received" and wanted(d)), None)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _transcript(items: list[dict], names: dict) -> str:
    return "\n".join(f"[{m['status']:<9}] {names.get(m['sender_id'], m['sender_id'])}: {m['body']}"
                     for m in items)
