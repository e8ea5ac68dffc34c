"""Insights benchmark: projection throughput, report latency on a large organisation, health back-test.

    .venv/bin/python -m bench.insights [--json] [--quick] [--no-broker]

1. projection throughput: a generated history fed through the projections in this process
   (events/s and store round trips per event), then through the real service over RabbitMQ,
   beside the broker's own ceiling measured in the same run (confirmed publishes then consumes);
2. reports on an organisation with 20,000 people, 6,000 matches and 1,000,000 messages of history:
   its buckets and matches are built by the real contribution code from a simulated history (the
   facts are not stored: no report reads them), then overview and at-risk p50/p99 and round trips;
3. relationship-health back-test on a simulated history where we know which matches fizzled:
   precision and recall at the default threshold and how many days before "fizzled" it flags.

Storage figures run on the in-process mongomock stand-in: round trips carry over to a real
server, timings do not.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from bench.report import Report, arguments

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def extra(parser) -> None:
    parser.add_argument("--no-broker", action="store_true", help="skip the RabbitMQ figures")


def generated_history(matches: int, messages_per_match: int, seed: int = 7) -> list[tuple[object, datetime]]:
    """Matches proposed and accepted, then conversations, sessions and goals, as publishers would send them."""
    from ementor_contracts import GoalSet, MatchAccepted, MatchProposed, MessageSent, SessionScheduled

    rng = random.Random(seed)
    events = []
    for m in range(matches):
        match_id, mentor, mentee = f"m{m:06d}", f"r{m:06d}", f"e{m:06d}"
        start = NOW - timedelta(days=120 - rng.random() * 30)
        events.append((MatchProposed(match_id=match_id, mentor_id=mentor, mentee_id=mentee, programme_id="p1",
                                     proposed_by="coordinator", score=0.7), start - timedelta(days=1)))
        events.append((MatchAccepted(match_id=match_id, mentor_id=mentor, mentee_id=mentee, programme_id="p1"), start))
        at = start
        for n in range(messages_per_match):
            at += timedelta(hours=rng.expovariate(1 / 30))
            sender, recipient = (mentor, mentee) if rng.random() < 0.5 else (mentee, mentor)
            topics = [rng.choice(["university-applications", "cvs-and-applications", "study-skills"])] if n % 3 else []
            events.append((MessageSent(message_id=f"{match_id}-{n}", match_id=match_id, sender_id=sender,
                                       recipient_id=recipient, length=80, topics=topics), at))
        events.append((SessionScheduled(session_id=f"s{m}", match_id=match_id, mentor_id=mentor, mentee_id=mentee,
                                        starts_at=start + timedelta(days=7),
                                        ends_at=start + timedelta(days=7, minutes=45), sequence=0),
                       start + timedelta(days=2)))
        events.append((GoalSet(goal_id=f"g{m}", match_id=match_id, set_by=mentor), start + timedelta(days=3)))
    return events


def in_process_throughput(report: Report, quick: bool) -> None:
    from services.insights import intake
    from services.insights.repository import InsightsRepository
    from tests.support import store_ops

    repo = InsightsRepository()
    events = generated_history(40 if quick else 150, 30)
    with store_ops.counting() as ops:
        started = time.perf_counter()
        for event, at in events:
            intake.apply(repo, "tput", event, at, NOW)
        elapsed = time.perf_counter() - started
    messages = sum(1 for e, _ in events if e.type_name() == "MessageSent")
    report.figure("projection throughput in process", len(events) / elapsed, "events/s", events=len(events),
                  store="mongomock")
    report.figure("store round trips per event", ops.total / len(events), "round trips/event",
                  messages=messages, by_collection=ops.by_collection())
    replayed = events[: len(events) // 4]
    started = time.perf_counter()
    for event, at in replayed:
        intake.apply(repo, "tput", event, at, NOW)
    report.figure("replayed events (no change) throughput", len(replayed) / (time.perf_counter() - started),
                  "events/s", events=len(replayed))


def main(argv=None) -> int:
    args = arguments(__doc__.splitlines()[0], argv, extra)
    import eventlet

    eventlet.monkey_patch()
    import logging

    logging.basicConfig(level=logging.ERROR)
    from ementor.platform import mongo
    from services.insights.documents import DOCUMENTS
    from tests.support import store_ops

    store_ops.install()
    mongo.open_database("insights", None, DOCUMENTS)
    report = Report("insights", as_json=args.json)
    report.note("storage figures use the in-process mongomock stand-in; round trips carry over to a real server")
    in_process_throughput(report, args.quick)
    from bench import insights_world

    insights_world.reports_on_a_large_organisation(report, args.quick)
    from bench import insights_backtest

    insights_backtest.run(report, args.quick)
    if not args.no_broker:
        from bench import insights_broker

        insights_broker.run(report, args.quick)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
