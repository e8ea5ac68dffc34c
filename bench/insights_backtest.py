"""Back-test of relationship health (bench/insights.py): does the at-risk flag find the matches that fizzle?

A simulated programme of matches over 26 weeks. Healthy pairs write every few days, with the
odd quiet fortnight (holidays, exams); fizzling pairs talk normally, thin out, then stop for good
at a known day. "Fizzled" is the day a coordinator's usual rule would notice (28 days without a
message). Each day every match is scored with the real health code from what had happened up to
that day; a match is flagged on the first day it is below the default line. Precision and
recall count matches; "days early" is how long before the coordinator's rule the flag came.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from statistics import median

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
DAYS = 182
NOTICED_AFTER_DAYS = 28


def simulate(rng: random.Random, fizzles: bool) -> tuple[list[tuple[datetime, str]], float | None]:
    """(time, sender) of each message, and the day the match went quiet for good (None if it did not)."""
    messages, day = [], rng.uniform(0, 2)
    stop = rng.uniform(25, DAYS - NOTICED_AFTER_DAYS - 5) if fizzles else None
    holiday = rng.uniform(20, DAYS - 20) if rng.random() < 0.35 else None
    while day < DAYS:
        thinning = stop is not None and day > stop - 14
        if stop is not None and day > stop:
            break
        sender = "mentor" if rng.random() < (0.75 if thinning else 0.5) else "mentee"
        messages.append((START + timedelta(days=day), sender))
        gap = rng.expovariate(1 / (4.0 if thinning else 1.8))
        if holiday is not None and day < holiday <= day + gap + 1:
            gap += rng.uniform(9, 16)
        day += gap
    last = (messages[-1][0] - START).total_seconds() / 86400 if messages else 0.0
    return messages, (last if fizzles else None)


def first_flag(messages, accepted: datetime) -> float | None:
    from services.insights import health

    counters = {"messages": 0, "replies": 0, "reply_seconds": 0.0, "mentor_messages": 0, "mentee_messages": 0}
    index, previous = 0, None
    for day in range(1, DAYS + 1):
        now = START + timedelta(days=day)
        while index < len(messages) and messages[index][0] <= now:
            at, sender = messages[index]
            counters["messages"] += 1
            counters[f"{sender}_messages"] += 1
            if previous and previous[1] != sender:
                counters["replies"] += 1
                counters["reply_seconds"] += (at - previous[0]).total_seconds()
            previous, index = (at, sender), index + 1
        signals = health.Signals(accepted_at=accepted, last_message_at=previous[0] if previous else None,
                                 counters=dict(counters))
        if health.assess(signals, now).at_risk():
            return float(day)
    return None


def run(report, quick: bool, seed: int = 5) -> None:
    rng = random.Random(seed)
    matches = 150 if quick else 600
    tp = fp = fn = tn = 0
    early, after_last = [], []
    for m in range(matches):
        fizzles = m % 3 == 0
        messages, quiet_from = simulate(rng, fizzles)
        flagged = first_flag(messages, START)
        if fizzles:
            noticed = quiet_from + NOTICED_AFTER_DAYS
            if flagged is not None and flagged <= noticed:
                tp += 1
                early.append(noticed - flagged)
                after_last.append(flagged - quiet_from)
            else:
                fn += 1
        elif flagged is not None:
            fp += 1
        else:
            tn += 1
    report.figure("health back-test precision at the default threshold", 100 * tp / max(1, tp + fp), "%",
                  flagged=tp + fp, matches=matches, fizzled=tp + fn)
    report.figure("health back-test recall at the default threshold", 100 * tp / max(1, tp + fn), "%",
                  fizzled=tp + fn)
    report.figure("days before the 28-days-silent rule (median)", median(early) if early else 0, "days",
                  min=min(early, default=0), max=max(early, default=0))
    report.figure("days after the last message when flagged (median)", median(after_last) if after_last else 0,
                  "days")
