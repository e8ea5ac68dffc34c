"""Risk detection in moderation, measured on the labelled held-out set (bench/data/risk).

    .venv/bin/python -m bench.risk [--json] [--quick]

Per category: precision and recall with counts and a 95 % Wilson interval on recall, on
`heldout.jsonl` (never used to write the patterns) and, for reference, on `tune.jsonl`; the share
of hard negatives flagged; and the scan's cost per message. Self-harm, abuse disclosure and
grooming were tuned for recall (every tune positive caught), accepting the precision that follows.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from bench.report import Report, arguments

DATA = Path(__file__).parent / "data" / "risk"
LABELS = {"self-harm": "self_harm", "abuse-disclosure": "abuse_disclosure", "grooming": "grooming",
          "bullying": "bullying", "contact-details": "contact_details"}


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if total == 0:
        return 0.0, 0.0
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def detected(text: str, minor: bool = True) -> set[str]:
    from services.messaging import moderation
    from services.messaging.domain import ModerationSettings

    verdict = moderation.moderate(text, moderation.policy_for(ModerationSettings(), minor=minor))
    return set(verdict.reasons) & set(LABELS.values())


def measure(report: Report, name: str, rows: list[dict]) -> None:
    counts = {c: [0, 0, 0] for c in LABELS.values()}  # true positives, false positives, false negatives
    hard, hard_flagged = 0, 0
    for row in rows:
        truth = {LABELS[c] for c in row["categories"] if c in LABELS}
        found = detected(row["text"])
        for category in LABELS.values():
            counts[category][0 if category in found and category in truth else
                             1 if category in found else 2 if category in truth else 0] += (
                1 if (category in found or category in truth) else 0)
        if row["categories"] == ["none"] and row.get("note", "").startswith("hard negative"):
            hard += 1
            hard_flagged += bool(found)
    for category, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        low, high = wilson(tp, tp + fn)
        report.figure(f"{name} {category} precision", precision, "ratio", flagged=tp + fp, correct=tp)
        report.figure(f"{name} {category} recall", recall, "ratio", caught=tp, positives=tp + fn,
                      wilson95=f"{low:.2f}-{high:.2f}")
    report.figure(f"{name} hard negatives flagged", hard_flagged / hard if hard else 0.0, "ratio",
                  flagged=hard_flagged, hard_negatives=hard)


def main(argv=None) -> int:
    args = arguments("risk detection in moderation", argv)
    report = Report("risk", as_json=args.json)
    heldout = [json.loads(line) for line in (DATA / "heldout.jsonl").read_text().splitlines() if line.strip()]
    tune = [json.loads(line) for line in (DATA / "tune.jsonl").read_text().splitlines() if line.strip()]
    report.note("held-out figures: the patterns were written from tune.jsonl only (README's held-out rule)")
    measure(report, "held-out", heldout)
    if not args.quick:
        measure(report, "tune", tune)
    texts = [row["text"] for row in heldout]
    repeat = 1 if args.quick else 5
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            detected(text)
    per_message = (time.perf_counter() - started) / (repeat * len(texts))
    report.figure("moderation scan with risk categories", per_message * 1e6, "µs/message", messages=len(texts),
                  policy="a minor's conversation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
