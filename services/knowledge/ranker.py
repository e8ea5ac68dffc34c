"""Passage search: BM25 (bm25s) over passages, with a confidence that says whether an answer is good enough.

Each passage is indexed with its article title and section heading in front of its text (headings
say what a passage answers, so they count twice) and the article's summary (what the whole
article is about). A query is searched in its own language first;
the best passages come back with a `confidence` in [0, 1]: the share of the question's weight
(inverse document frequency of each of its terms) that the best passage matches. An unknown word
weighs as much as the rarest word in the library, so a question about something the library never
mentions ("capital of peru") has a low confidence even when one common word matches. A question
nearly all of whose words the library knows may answer with a lower confidence (`answers_well`).
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from . import text as textmod
from .library import LANGUAGES, Article, Passage

# The service builds an organisation's index in a real thread (eventlet's tpool), where every lock
# is a green one: bm25s's logger (set to DEBUG on import) takes the log handler's lock for its
# "Building index" line, and tqdm takes its class lock even with progress off. A green lock waited
# on from another thread crashes the hub ("Cannot switch to a different thread") and the request
# that wanted the index never answers (found by the web journey: the first article an organisation
# published). Neither the line nor the bar is wanted, so both are off.
logging.getLogger("bm25s").setLevel(logging.WARNING)
if hasattr(bm25s, "_faketqdm"):
    bm25s.tqdm = bm25s._faketqdm

# Tuned on bench/data/knowledge/questions-tune.jsonl only (see docs/knowledge.md).
HEADING_REPEAT = 2
ANSWER_CONFIDENCE = 0.4
ANSWER_MIN_SCORE = 1.5
ANSWER_KNOWN_SHARE = 0.8  # at least 4 in 5 of the question's distinct words are library words...
ANSWER_CONFIDENCE_KNOWN = 0.15  # ...and the best passage holds this share of its weight
PER_ARTICLE = 2  # at most this many passages of one article in a result list
SPELLING_MIN_LENGTH = 5


@dataclass(frozen=True)
class Hit:
    passage: Passage
    article: Article
    score: float
    confidence: float
    coverage: float = 1.0  # the share of the question's weight that the library's vocabulary knows at all
    known_share: float = 1.0  # the share of the question's distinct words that the library knows at all


class PassageIndex:
    """An immutable BM25 index over the passages of some articles, one sub-index per language."""

    def __init__(self, articles: Sequence[Article]):
        self.articles = list(articles)
        self.by_id = {a.id: a for a in self.articles}
        self.position = {a.id: i for i, a in enumerate(self.articles)}
        self.passages: list[Passage] = []
        owners: list[int] = []
        for number, article in enumerate(self.articles):
            for passage in article.passages:
                self.passages.append(passage)
                owners.append(number)
        self.owner = np.array(owners, dtype=np.int64)
        self.languages = {}
        for language in LANGUAGES:
            rows = [i for i, o in enumerate(owners) if self.articles[o].language == language]
            if rows:
                self.languages[language] = _LanguageIndex(language, rows, [self._document(i) for i in rows])

    def _document(self, row: int) -> str:
        passage = self.passages[row]
        article = self.articles[self.owner[row]]
        heading = f"{article.title} {passage.section}"
        return " ".join([heading] * HEADING_REPEAT + [article.summary, passage.text])

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: str, allowed_articles: np.ndarray | None = None, k: int = 5,
               language: str | None = None) -> list[Hit]:
        """The best `k` passages among those of allowed articles (a bool per article), best first."""
        language = language or textmod.detect_language(query)
        first = self._in(language, query, allowed_articles, k)
        if answers_well(first):
            return first
        for other in self.languages:
            if other != language:
                hits = self._in(other, query, allowed_articles, k)
                if answers_well(hits):
                    return hits
        return first

    def _in(self, language: str, query: str, allowed: np.ndarray | None, k: int) -> list[Hit]:
        index = self.languages.get(language)
        return self._search_in(index, query, allowed, k) if index else []

    def _search_in(self, index: _LanguageIndex, query: str, allowed: np.ndarray | None, k: int) -> list[Hit]:
        terms = index.known_terms(textmod.query_terms(query, index.language))
        if not terms.known:
            return []
        scores = index.scores(terms.known)
        rows = index.rows
        if allowed is not None:
            scores = np.where(allowed[self.owner[rows]], scores, 0.0)
        top = np.argsort(-scores)[: max(k * 4, 20)]
        hits: list[Hit] = []
        per_article: dict[int, int] = {}
        for local in top:
            score = float(scores[local])
            if score <= 0:
                break
            row = rows[local]
            owner = int(self.owner[row])
            if per_article.get(owner, 0) >= PER_ARTICLE:
                continue
            per_article[owner] = per_article.get(owner, 0) + 1
            confidence = index.confidence(terms, local)
            coverage = terms.known_weight / terms.weight if terms.weight > 0 else 0.0
            hits.append(Hit(self.passages[row], self.articles[owner], score, confidence, coverage,
                            terms.known_count / terms.count if terms.count else 0.0))
            if len(hits) == k:
                break
        return hits


@dataclass(frozen=True)
class _Terms:
    known: list[str]
    weight: float  # the summed weight of every query term, known or not
    known_weight: float = 0.0  # the summed weight of the terms the library knows (spelling fixed)
    count: int = 0  # distinct terms of the question
    known_count: int = 0  # of which the library knows (spelling fixed)


class _LanguageIndex:
    def __init__(self, language: str, rows: list[int], documents: list[str]):
        self.language = language
        self.rows = np.array(rows, dtype=np.int64)
        corpus = [textmod.terms(d, language) or ["\u2205"] for d in documents]
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)
        self.vocab = self.retriever.vocab_dict
        count = len(documents)
        frequency: dict[str, int] = {}
        for tokens in corpus:
            for token in set(tokens):
                frequency[token] = frequency.get(token, 0) + 1
        self.idf = {t: math.log(1 + (count - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self.unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        self.sets = [frozenset(tokens) for tokens in corpus]
        # Spelling candidates by first letter: a misspelling keeps its first letter far more often than not,
        # and comparing with a few hundred words instead of the whole vocabulary keeps p99 low.
        self.by_letter: dict[str, list[str]] = {}
        for term in sorted(t for t in self.idf if t.isalpha() and len(t) >= SPELLING_MIN_LENGTH - 1):
            self.by_letter.setdefault(term[0], []).append(term)
        self.corrections: dict[str, str | None] = {}

    def known_terms(self, terms: list[str]) -> _Terms:
        known, weight, known_weight, seen = [], 0.0, 0.0, set()
        for term in terms:
            if term in seen:
                continue
            seen.add(term)
            if term in self.idf:
                known.append(term)
                weight += self.idf[term]
                known_weight += self.idf[term]
                continue
            fixed = self._spelling(term)
            if fixed and fixed not in seen:
                seen.add(fixed)
                known.append(fixed)
            weight += self.unknown_idf if not fixed else self.idf[fixed]
            known_weight += self.idf[fixed] if fixed else 0.0
        count = sum(1 for t in dict.fromkeys(terms))
        known_count = sum(1 for t in dict.fromkeys(terms) if t in self.idf or self._spelling(t))
        return _Terms(known, weight, known_weight, count, known_count)

    def _spelling(self, term: str) -> str | None:
        """A misspelt word ("revison") read as the library word it is closest to, if one is close."""
        if len(term) < SPELLING_MIN_LENGTH or not term.isalpha():
            return None
        if term not in self.corrections:
            nearby = [w for w in self.by_letter.get(term[0], ()) if abs(len(w) - len(term)) <= 2]
            close = difflib.get_close_matches(term, nearby, n=1, cutoff=0.85)
            if len(self.corrections) > 50_000:
                self.corrections.clear()
            self.corrections[term] = close[0] if close else None
        return self.corrections[term]

    def scores(self, terms: list[str]) -> np.ndarray:
        return np.asarray(self.retriever.get_scores(terms), dtype=np.float64)

    def confidence(self, terms: _Terms, local: int) -> float:
        if terms.weight <= 0:
            return 0.0
        present = self.sets[local]
        matched = sum(self.idf[t] for t in terms.known if t in present)
        return min(1.0, matched / terms.weight)


def answers_well(hits: list[Hit]) -> bool:
    """Whether the best passage answers the question well enough to show as an answer.

    Either it holds enough of the question's weight (ANSWER_CONFIDENCE), or the library knows
    nearly every word of the question (ANSWER_KNOWN_SHARE: it is about something the library
    covers, typically a long question told as a story) and the passage still holds a fair part of
    it (ANSWER_CONFIDENCE_KNOWN). A question about something the library never mentions has words
    it does not know, so it keeps the stricter bar.
    """
    if not hits or hits[0].score < ANSWER_MIN_SCORE:
        return False
    best = hits[0]
    return best.confidence >= ANSWER_CONFIDENCE or (
        best.known_share >= ANSWER_KNOWN_SHARE and best.confidence >= ANSWER_CONFIDENCE_KNOWN)
