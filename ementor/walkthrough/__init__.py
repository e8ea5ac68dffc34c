"""The guided tour: each service adds a step that shows what it does, in platform order."""

from __future__ import annotations

import importlib
import importlib.util

from .tour import Api, Tour

STEPS = ("profiles", "matching", "messaging", "video", "knowledge", "integrations", "notifications", "safeguarding",
         "insights")


def available_steps(services=None) -> list[str]:
    """Steps are named after the service they show; a step runs only if its service runs."""
    return [s for s in STEPS if importlib.util.find_spec(f"{__name__}.{s}") is not None
            and (services is None or s in services)]


def run(base_url: str, admin_token: str, recorder, services=None) -> Tour:
    tour = Tour(api=Api(base_url), admin_token=admin_token, events=recorder)
    for step in available_steps(services):
        importlib.import_module(f"{__name__}.{step}").run(tour)
    tour.say("Walkthrough complete", f"the API stays up at {base_url}/v1 (OpenAPI at {base_url}/v1/openapi.json)")
    if "slug" in tour.state:
        tour.say("Try it yourself in the web app", (
            f"open {base_url}/sign-in, organisation {tour.state['slug']}, and sign in as\n"
            "  grace@coastal.example.org   the coordinator (staff pages at /staff)\n"
            "  jamie@students.example.org  Jamie, a mentee who is a minor (guardian consented)\n"
            "  amara@mentors.example.org   Amara, a mentor\n"
            "the sign-in link arrives in the development mailbox (its address is printed above)"))
    return tour
