"""Walkthrough: what insights made of the tour so far: the overview, library use, the match's health, an export."""

from __future__ import annotations

import time


def _wait_for_counts(tour, token: str, params: dict, timeout: float = 15.0) -> dict:
    """Insights learns from events; give the tour's messages and library questions a moment to be counted."""
    deadline = time.monotonic() + timeout
    while True:
        overview = tour.api.get("/v1/insights/overview", token, params=params).json()
        counted = overview["totals"]["messages"] > 0 and overview["reading"]["questions_asked"] > 0
        if counted or time.monotonic() > deadline:
            return overview
        time.sleep(0.2)


def run(tour) -> None:
    token = tour.state.get("coordinator_token")
    if not token:
        tour.say("Insights", "skipped: no organisation was left by the profiles step")
        return
    api = tour.api
    params = {"programme_id": tour.state["programme_id"]} if tour.state.get("programme_id") else {}
    overview = _wait_for_counts(tour, token, params)
    totals = overview["totals"]
    funnel = ", ".join(f"{s['stage']} {s['mentees']}" for s in overview["funnel"])
    tour.say("The coordinator's overview of the programme (GET /v1/insights/overview): counts, never text",
             f"messages {totals['messages']}, turn-taking {totals['turn_taking']}, "
             f"first response {totals['average_first_response_hours']} h, sessions scheduled "
             f"{totals['sessions_scheduled']}, goals set {totals['goals_set']}\nmentee funnel: {funnel}\n"
             f"weekly series for charts: {', '.join(s['name'] for s in overview['series'][:6])}, …")
    reading = overview["reading"]
    tour.say("The library's use in the same overview (from ArticleRead, ArticleRated and AdviceAsked)",
             f"first reads {reading['articles_read']}, helpful {reading['helpful']} / not {reading['not_helpful']}, "
             f"questions asked {reading['questions_asked']}, answered {reading['questions_answered']}; "
             f"articles named only once 5 people read them ({reading['articles_suppressed']} not named yet)")
    matches = api.get("/v1/insights/matches", token).json()["items"]
    for match in matches[:3]:
        tour.say(f"Health of match {match['match_id']} (GET /v1/insights/matches)",
                 f"score {match['score']} ({'at risk' if match['at_risk'] else 'fine'}): {'; '.join(match['reasons'])}")
    csv_text = api.get("/v1/insights/export", token, params={**params, "table": "weekly", "format": "csv"}).text
    tour.say("The weekly table as CSV (GET /v1/insights/export?table=weekly&format=csv, first lines)",
             "\n".join(csv_text.splitlines()[:3]))
