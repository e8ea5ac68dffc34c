"""Topic tagger benchmark: per-topic precision and recall on the held-out set, and messages per second.

    .venv/bin/python -m bench.topics [--json] [--quick] [--set tune|heldout]

The tagger (ementor/platform/topics.py) was built and tuned on bench/data/topics/tune.jsonl
only; held-out figures are a measurement (see bench/data/topics/README.md).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from bench.report import Report, arguments

DATA = Path(__file__).parent / "data" / "topics"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line.strip()]


def score(rows: list[dict], tag) -> tuple[dict[str, tuple[float, float, int]], tuple[float, float]]:
    tp, fp, fn, support = Counter(), Counter(), Counter(), Counter()
    for row in rows:
        gold, predicted = set(row["topics"]), set(tag(row["text"]))
        for t in gold:
            support[t] += 1
        for t in predicted & gold:
            tp[t] += 1
        for t in predicted - gold:
            fp[t] += 1
        for t in gold - predicted:
            fn[t] += 1
    per_topic = {}
    for t in sorted(set(support) | set(fp)):
        precision = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 0.0
        recall = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 0.0
        per_topic[t] = (precision, recall, support[t])
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return per_topic, (all_tp / (all_tp + all_fp), all_tp / (all_tp + all_fn))


def main(argv=None) -> int:
    args = arguments("topic tagger benchmark", argv,
                     extra=lambda p: p.add_argument("--set", default="heldout", choices=("heldout", "tune")))
    report = Report("topics", as_json=args.json)
    from ementor.platform import topics

    rows = load(args.set)
    per_topic, (micro_p, micro_r) = score(rows, topics.tag)
    report.note(f"{args.set} set: {len(rows)} messages; tagger tuned on tune.jsonl only")
    for topic, (precision, recall, support) in per_topic.items():
        report.figure(f"{topic} precision", precision * 100, "%", support=support)
        report.figure(f"{topic} recall", recall * 100, "%", support=support)
    report.figure("micro-average precision", micro_p * 100, "%", messages=len(rows))
    report.figure("micro-average recall", micro_r * 100, "%", messages=len(rows))

    texts = [row["text"] for row in rows] * (4 if args.quick else 40)
    started = time.perf_counter()
    for text in texts:
        topics.tag(text)
    elapsed = time.perf_counter() - started
    report.figure("tagging throughput", len(texts) / elapsed, "messages/s", messages=len(texts))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
