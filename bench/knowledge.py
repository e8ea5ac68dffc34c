"""Knowledge service benchmark: answer quality on the held-out questions, search latency over
10,000 articles, and answers per second.

    .venv/bin/python -m bench.knowledge [--json] [--quick]

Quality is measured on bench/data/knowledge/questions-heldout.jsonl only (the ranker was tuned on
questions-tune.jsonl; the tune figures are printed beside for reference). A hit is any labelled
passage. "No good answer" is scored both ways: its recall on the unanswerable questions and its
precision (of the times the service said so, how often there really was none).

The 10,000-article library is synthesised from the starter library: each article takes three
sections of different real articles under a new slug, so its vocabulary is realistic. Answers per
second run the whole use case (reading rules, search, storing the question and its event) on the
in-process mongomock stand-in, one worker, so they measure our code path, not a server.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from bench.report import Report, arguments

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "bench" / "data" / "knowledge"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (QUESTIONS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def quality(index, ranker, questions: list[dict]) -> dict:
    answerable = [q for q in questions if q["passages"]]
    none = [q for q in questions if not q["passages"]]
    top1 = top3 = refused = 0
    by_language: dict[str, list[int]] = {}
    for q in answerable:
        hits = index.search(q["question"], k=3)
        ids = [h.passage.id for h in hits]
        first, three = bool(ids) and ids[0] in q["passages"], any(i in q["passages"] for i in ids[:3])
        top1, top3 = top1 + first, top3 + three
        refused += not ranker.answers_well(hits)
        by_language.setdefault(q["language"], []).append(first)
    said_none = sum(not ranker.answers_well(index.search(q["question"], k=3)) for q in none)
    return {
        "top1": top1 / len(answerable), "top3": top3 / len(answerable), "answerable": len(answerable),
        "none_recall": said_none / len(none) if none else float("nan"), "unanswerable": len(none),
        "none_precision": said_none / (said_none + refused) if said_none + refused else float("nan"),
        "false_refusal": refused / len(answerable),
        "top1_by_language": {lang: sum(v) / len(v) for lang, v in by_language.items()},
    }


def synthetic_library(articles, count: int, seed: int = 16):
    from services.knowledge.library import Article, split_passages

    rng = random.Random(seed)
    english = [a for a in articles if a.language == "en" and a.passages]
    made = []
    for n in range(count):
        parts = rng.sample(english, 3)
        body = "\n\n".join(f"## {a.passages[rng.randrange(len(a.passages))].section} ({n})\n"
                           f"{a.passages[rng.randrange(len(a.passages))].text}" for a in parts)
        slug = f"synthetic-{n}"
        made.append(Article(id=slug, title=f"{parts[0].title} ({n})", summary=parts[0].summary, body=body,
                            audience=parts[0].audience, min_age=parts[0].min_age, tags=parts[0].tags,
                            passages=split_passages(slug, body)))
    return [replace(a) for a in articles] + made


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None) -> int:
    args = arguments("knowledge service benchmark", argv)
    report = Report("knowledge", as_json=args.json)

    from services.knowledge import ranker
    from services.knowledge.library import load_library

    articles = load_library(ROOT / "content" / "library")
    started = time.perf_counter()
    index = ranker.PassageIndex(articles)
    report.figure("index build, starter library", (time.perf_counter() - started) * 1e3, "ms",
                  articles=len(articles), passages=len(index))

    # -- quality ------------------------------------------------------------------------------
    for name, label in (("questions-heldout.jsonl", "held-out"), ("questions-tune.jsonl", "tune (reference)")):
        q = quality(index, ranker, load(name))
        target = name == "questions-heldout.jsonl"
        report.figure(f"top-1 hit rate, {label}", round(100 * q["top1"], 1), "%",
                      ">= 60" if target else None, answerable=q["answerable"],
                      **{f"top1_{k}": round(100 * v, 1) for k, v in q["top1_by_language"].items()})
        report.figure(f"top-3 hit rate, {label}", round(100 * q["top3"], 1), "%", ">= 80" if target else None)
        report.figure(f"'no good answer' said when there is none, {label}", round(100 * q["none_recall"], 1), "%",
                      unanswerable=q["unanswerable"])
        report.figure(f"'no good answer' precision, {label}", round(100 * q["none_precision"], 1), "%")
        report.figure(f"false refusals on answerable questions, {label}", round(100 * q["false_refusal"], 1), "%")

    # -- search latency over 10,000 articles ----------------------------------------------------
    count = 1_000 if args.quick else 10_000
    big = synthetic_library(articles, count - len(articles))
    started = time.perf_counter()
    big_index = ranker.PassageIndex(big)
    report.figure(f"index build, {len(big):,} articles", time.perf_counter() - started, "s", passages=len(big_index))
    queries = [q["question"] for q in load("questions-heldout.jsonl")]
    rounds = 1 if args.quick else 3
    latencies = []
    import numpy as np
    allowed = np.ones(len(big_index.articles), dtype=bool)
    for _ in range(rounds):
        for question in queries:
            started = time.perf_counter()
            big_index.search(question, allowed, k=5)
            latencies.append((time.perf_counter() - started) * 1e3)
    report.figure(f"search p50 over {len(big):,} articles", round(statistics.median(latencies), 2), "ms",
                  searches=len(latencies))
    report.figure(f"search p99 over {len(big):,} articles", round(percentile(latencies, 0.99), 2), "ms",
                  "<= 100" if not args.quick else None)

    # -- answers per second (the whole use case, on mongomock) --------------------------------
    import mongoengine

    from ementor.platform import mongo
    from ementor.platform.principal import Principal
    from services.knowledge import advice
    from services.knowledge.catalogue import Catalogue
    from services.knowledge.documents import DOCUMENTS
    from services.knowledge.repository import KnowledgeRepository

    mongo.open_database("knowledge", None, DOCUMENTS)
    repo, catalogue = KnowledgeRepository(), Catalogue(articles)
    tenant = "bench-tenant"
    repo.record_person(tenant, "mentee-1", "mentee", True, ["university"], ["en"], None)
    mentee = Principal(role="mentee", tenant_id=tenant, person_id="mentee-1")
    asked = queries[: 60 if args.quick else len(queries)]
    started = time.perf_counter()
    answered = sum(advice.ask(repo, catalogue, mentee, question).answered for question in asked)
    elapsed = time.perf_counter() - started
    report.figure("answers (POST /v1/advice use case, one worker, mongomock)", round(len(asked) / elapsed, 1),
                  "answers/s", asked=len(asked), answered=answered)
    mongoengine.disconnect("knowledge")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
