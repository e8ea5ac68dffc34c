"""Walkthrough: the mentee asks the library at 11 pm, reads the answer's article and says it helped, the
library says when it has no good answer (and offers to ask the mentor), and the mentor shares an article
into the conversation as a card."""

from __future__ import annotations

import time


def _first(tour, kind: str) -> dict | None:
    people = tour.state.get(kind) or []
    return people[0] if people else None


def _offer(tour, token: str, question: str, timeout: float = 15.0) -> dict:
    """Knowledge learns the match from MatchAccepted; wait until it offers to ask the mentor."""
    deadline = time.monotonic() + timeout
    while True:
        advice = tour.api.post("/v1/advice", token, json={"question": question}).json()
        if advice.get("ask_mentor") or time.monotonic() > deadline:
            return advice
        time.sleep(0.1)


def run(tour) -> None:
    mentee, mentor = _first(tour, "mentees"), _first(tour, "mentors")
    if not mentee or "token_for" not in tour.state:
        tour.say("Knowledge library", "skipped: no mentee was left by the profiles step")
        return
    api, token_for = tour.api, tour.state["token_for"]
    mentee_token = token_for(mentee["id"])
    since = tour.now()

    question = "how long is the personal statement now"
    advice = api.post("/v1/advice", mentee_token, json={"question": question}).json()
    best = advice["answers"][0] if advice["answers"] else None
    tour.say(f"{mentee['name']} asks the library at 11 pm: \"{question}\"",
             f"POST /v1/advice -> answered={advice['answered']}\n"
             + (f"best: {best['title']} — {best['section']} (score {best['score']})\n"
                f"\"{best['passage'][:220]}...\"\n{best['url']}" if best else advice["message"]))

    if best:
        article = api.get(f"/v1/articles/{best['article_id']}", mentee_token).json()
        api.post(f"/v1/articles/{article['id']}/feedback", mentee_token, json={"helpful": True})
        tour.say(f"{mentee['name']} opens \"{article['title']}\" and answers \"Was this helpful?\" yes",
                 f"GET /v1/articles/{article['id']}, POST /v1/articles/{article['id']}/feedback -> "
                 "insights counts the first read and the answer (ArticleRead, ArticleRated)")

    hidden = api.get("/v1/articles/responding-to-a-disclosure", mentee_token, expect=404).json()
    tour.say("The mentor handbook is for mentors: a mentee gets a 404", hidden["error"]["message"])

    match = tour.state.get("match")
    unanswerable = "can i vote at sixteen"
    advice = _offer(tour, mentee_token, unanswerable) if match else api.post(
        "/v1/advice", mentee_token, json={"question": unanswerable}).json()
    tour.say(f"\"{unanswerable}\": the library says when it has no good answer",
             f"answered={advice['answered']}; {advice['message']}\nask_mentor={advice.get('ask_mentor')}")
    if match and mentor and advice.get("ask_mentor"):
        sent = api.post("/v1/advice/ask-mentor", mentee_token,
                        json={"question": unanswerable, "match_id": match["id"]}).json()
        tour.say(f"{mentee['name']} sends it to their mentor (moderated like any message)",
                 f"POST /v1/advice/ask-mentor -> {sent['status']} message {sent['message_id']}")
        shared = api.post("/v1/articles/writing-a-cv/share", token_for(mentor["id"]),
                          json={"match_id": match["id"]}).json()
        tour.say(f"{mentor['name']} shares an article into the conversation: a card, not a bare link",
                 f"POST /v1/articles/writing-a-cv/share -> {shared['status']} message {shared['message_id']}")
        tour.events.wait_for("ArticleShared", lambda e: e.data["match_id"] == match["id"], timeout=10)
    tour.say("Events that flowed (never a question's text)")
    tour.show_events("AdviceAsked", "ArticleRead", "ArticleRated", "ArticleShared", since=since)
