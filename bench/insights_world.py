"""A large organisation for bench/insights.py: 20,000 people, 6,000 matches, 1,000,000 messages, 60,000 surveys.

The history is simulated in memory and folded through the real contribution code
(services/insights/domain.py), exactly as the projections would add it, into counter buckets
and match documents; then the reports are timed against those.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
TENANT = "big-org"
PROGRAMMES = ("pa", "pb", "pc")


def build(people: int, matches: int, messages: int, seed: int = 11) -> dict:
    from services.insights import domain, health, survey_counts
    from services.insights.documents import Bucket, Match, Survey

    rng = random.Random(seed)
    counters: Counter = Counter()
    for p in range(people):  # the funnel, one cohort week per registration
        registered = NOW - timedelta(days=rng.uniform(30, 400))
        state = {"registered_at": registered, "role": "mentee" if p % 3 else "mentor",
                 "programme": PROGRAMMES[p % 3]}
        if p < matches * 2:
            state["matched_at"] = registered + timedelta(days=rng.uniform(1, 20))
            state["active_at"] = state["matched_at"] + timedelta(days=rng.uniform(0, 5))
        counters.update(domain.person_contributions(domain.normalise_times(state)))
    per_match = messages // matches
    match_docs, surveys = [], []
    for m in range(matches):
        programme, match_id = PROGRAMMES[m % 3], f"{m:06d}"
        mentor, mentee = f"r{m:06d}", f"e{m:06d}"
        accepted = NOW - timedelta(days=rng.uniform(60, 360))
        fizzles = rng.random() < 0.25
        own: Counter = Counter()
        at, previous, first_at, first_reply_seen = accepted, None, None, False
        state = {"proposed_at": accepted - timedelta(days=2), "accepted_at": accepted}
        mean_gap_hours = (NOW - accepted).total_seconds() / 3600 / per_match  # the history runs up to now
        for _ in range(per_match):
            at += timedelta(hours=rng.expovariate(1 / mean_gap_hours))
            if at > NOW:
                break
            sender = mentor if rng.random() < 0.45 else mentee
            reply = first = None
            if previous is not None and previous[1] != sender:
                reply = (at - previous[0]).total_seconds()
                if not first_reply_seen:
                    first_reply_seen, first = True, (at - first_at).total_seconds()
            first_at = first_at or at
            facts = domain.MessageFacts(at=at, sender_role="mentor" if sender == mentor else "mentee",
                                        reply_seconds=reply, first_response_seconds=first,
                                        topics=(rng.choice(("study-skills", "goals", "interviews")),))
            contrib = domain.message_contributions(facts, programme)
            for key, amount in contrib.items():
                (own if key.startswith("m|") else counters)[key] += amount
            previous = (at, sender)
        at = previous[0] if previous else accepted
        if fizzles:  # a quarter of the matches have gone quiet for a while
            at = min(at, NOW - timedelta(days=rng.uniform(10, 40)))
        counters.update(domain.match_contributions(domain.normalise_times(state), programme))
        for n, moment in enumerate(("after_session",) * 4 + ("midpoint",)):  # four sessions and the midpoint
            issued = accepted + timedelta(days=14 * (n + 1))
            for role in ("mentor", "mentee"):
                survey = {"moment": moment, "programme": programme, "issued_at": domain.iso(issued)}
                if rng.random() < 0.6:
                    survey["ratings"] = {q: rng.randint(1, 5) for q in ("useful", "listened", "next_steps")}
                    if rng.random() < 0.1:  # one answer in ten has a comment: those are stored as surveys
                        surveys.append({"_id": f"{TENANT}:s{len(surveys)}", "tenant_id": TENANT,
                                        "survey_id": f"s{len(surveys)}", "match_id": match_id, "role": role,
                                        "programme_id": programme, "moment": moment, "issued_at": issued,
                                        "closes_at": issued + timedelta(days=14), "answered_at": issued,
                                        "ratings": survey["ratings"], "comment": "A comment for staff", "outbox": []})
                counters.update(survey_counts.contributions(survey))
        for topic in ("study-skills", "goals", "interviews"):
            counters.update(domain.topic_conversation_contributions(topic, domain.ALL, programme))
        signals = health.Signals(accepted_at=accepted, last_message_at=at,
                                 counters={k.split("|")[2]: v for k, v in own.items()})
        assessed = health.assess(signals, NOW)
        match_docs.append({
            "_id": f"{TENANT}:{match_id}", "tenant_id": TENANT, "match_id": match_id, "programme_id": programme,
            "programme_known": True, "mentor_id": mentor, "mentee_id": mentee, "status": "active",
            "accepted_at": accepted, "first_message_at": accepted, "last_message_at": at,
            "counters": dict(signals.counters), "score": assessed.score, "reasons": assessed.reasons,
            "risk_at": health.risk_at(signals, NOW), "risk_pending": False, "outbox": [],
        })
    buckets = defaultdict(dict)
    for key, amount in counters.items():
        scope, period, name = key.split("|", 2)
        buckets[(scope, period)][name] = amount
    Bucket.raw().insert_many([{"_id": f"{TENANT}|{s}|{p}", "tenant_id": TENANT, "scope": s, "period": p, "c": c}
                              for (s, p), c in buckets.items()])
    Match.raw().insert_many(match_docs)
    Survey.raw().insert_many(surveys)
    return {"buckets": len(buckets), "matches": len(match_docs), "commented_surveys": len(surveys),
            "at_risk": sum(1 for m in match_docs if m["score"] < health.DEFAULT_THRESHOLD)}


def reports_on_a_large_organisation(report, quick: bool) -> None:
    from ementor.platform.principal import Principal
    from services.insights import handlers, survey_handlers
    from services.insights.repository import InsightsRepository
    from tests.support import store_ops

    people, matches, messages = (2_000, 600, 100_000) if quick else (20_000, 6_000, 1_000_000)
    started = time.perf_counter()
    built = build(people, matches, messages)
    report.note(f"large organisation: {people} people, {matches} matches, {messages} messages and "
                f"{matches * 10} surveys folded into {built['buckets']} buckets "
                f"({built['commented_surveys']} commented surveys stored) in {time.perf_counter() - started:.0f} s")
    repo = InsightsRepository()
    for programme in ("pa", "pb", "pc"):
        repo.remember_programme(TENANT, programme)
    auth = Principal(role="coordinator", tenant_id=TENANT)
    year_ago = (NOW - timedelta(days=364)).date()
    calls = {
        "overview, one programme, 52 weeks": lambda: handlers.overview(repo, auth, "pa", year_ago, NOW.date()),
        "overview, organisation, 12 weeks": lambda: handlers.overview(repo, auth, None, None, None),
        "at-risk list, first page of 50": lambda: handlers.matches(repo, auth, "at_risk", None, None, 50),
        "survey results, one programme, 52 weeks": lambda: survey_handlers.results(repo, auth, "pa", year_ago,
                                                                                   NOW.date()),
    }
    repeat = 30 if quick else 200
    for name, call in calls.items():
        with store_ops.counting() as ops:
            call()
        timings = []
        for _ in range(repeat):
            t = time.perf_counter()
            call()
            timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        report.figure(f"{name} p50", timings[len(timings) // 2], "ms", store="mongomock")
        report.figure(f"{name} p99", timings[int(0.99 * (len(timings) - 1))], "ms", repeat=repeat,
                      round_trips=ops.total)
    report.figure("matches at risk in the simulated organisation", built["at_risk"], "matches", of=matches)
