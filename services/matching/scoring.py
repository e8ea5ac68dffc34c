# Over 400 lines on purpose: the scorer, its vectorised index and the explanations share one set of arrays.
"""How well a mentor fits a mentee: pure numpy, no nameko, no MongoDB.

A pair's score is a weighted mean of four factors, each between 0 and 1:

- interests: the share of the mentee's interests the mentor also has, each interest weighted by
  its rarity among the programme's mentors (an IDF weight: a tag every mentor lists says little,
  a tag three mentors list says a lot);
- language: 1 when they share a language (by primary subtag: `en-GB` and `en` are shared);
- timezone: 1 - gap / 12 h, the gap measured round the clock (UTC+12 and UTC-11 are 1 h apart);
- field: 1 when both gave the same answer to the programme's chosen custom field (for a
  multiple-choice field: any answer in common). Only counted when a field is chosen.

score = sum(weight_f * factor_f) / sum(weights of the counted factors), so scores lie in [0, 1]
and the per-factor contributions (`weight_f * factor_f / sum of weights`) add up to the score.

Hard constraints make a pair ineligible whatever its score: the mentor has no free place, they
share fewer interests than the minimum, the pair was declined or ended before, or the mentee is
a minor and the mentor is not vetted. Ineligible pairs score INELIGIBLE (-1) in matrices.

Everything mentee-independent is precomputed once per set of mentors (`MentorIndex`); the parts
that depend only on a mentee's "context" (time zone, languages, field answer, minor) are computed
once per distinct context and shared, so scoring a mentee is a sparse row sum plus a lookup.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

FACTORS = ("interests", "language", "timezone", "field")
INELIGIBLE = np.float32(-1.0)
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Weights:
    interests: float = 1.0
    language: float = 0.25
    timezone: float = 0.25
    field: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in FACTORS}


@dataclass(frozen=True)
class Rules:
    """A programme's scoring weights and hard constraints."""

    weights: Weights = Weights()
    min_shared_interests: int = 1
    field_key: str | None = None

    def counted(self) -> dict[str, float]:
        """The weights of the factors that count (the field only when one is chosen)."""
        weights = self.weights.as_dict()
        if not self.field_key:
            weights.pop("field")
        return weights

    def total_weight(self) -> float:
        total = sum(self.counted().values())
        return total if total > 0 else 1.0


@dataclass(frozen=True)
class Person:
    """The attributes of one mentor or mentee that scoring reads."""

    id: str
    interests: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    utc_offset_minutes: int = 0
    custom_fields: Mapping = field(default_factory=dict)
    is_minor: bool = False
    vetted: bool = False
    places: int = 0  # mentors: free places (capacity minus load)


def primary_language(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def field_values(person: Person, key: str | None) -> frozenset:
    if not key or key not in person.custom_fields:
        return frozenset()
    value = person.custom_fields[key]
    if isinstance(value, (list, tuple)):
        return frozenset(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return frozenset([str(value)])


def timezone_gap_hours(a_minutes: int | np.ndarray, b_minutes: int | np.ndarray):
    d = np.abs(np.asarray(a_minutes) - np.asarray(b_minutes)) % MINUTES_PER_DAY
    return np.minimum(d, MINUTES_PER_DAY - d) / 60.0


def timezone_factor(gap_hours):
    return np.clip(1.0 - np.asarray(gap_hours) / 12.0, 0.0, 1.0)


@dataclass
class Candidates:
    """Scores of one mentee against every mentor of an index, with each factor kept apart."""

    score: np.ndarray  # float32 (n_mentors,), INELIGIBLE where a hard constraint fails
    interests: np.ndarray  # the interests factor in [0, 1]
    language: np.ndarray
    timezone: np.ndarray
    field: np.ndarray
    shared_count: np.ndarray
    ineligible: dict[str, np.ndarray]  # constraint name -> bool mask of mentors it rules out


class MentorIndex:
    """Mentors of one programme as arrays, ready to score any number of mentees against."""

    def __init__(self, mentors: Sequence[Person], rules: Rules):
        self.mentors = list(mentors)
        self.rules = rules
        self.ids = [m.id for m in self.mentors]
        self.position = {mentor_id: j for j, mentor_id in enumerate(self.ids)}
        n = self.n = len(self.mentors)

        # interests: a tag-by-mentor 0/1 matrix and each tag's IDF weight among these mentors
        self.tags: dict[str, int] = {}
        rows, cols = [], []
        for j, mentor in enumerate(self.mentors):
            for tag in set(mentor.interests):
                rows.append(self.tags.setdefault(tag, len(self.tags)))
                cols.append(j)
        self.tag_names = list(self.tags)
        t = len(self.tags)
        self.has_tag = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
            shape=(t, n),
        )
        df = np.asarray(self.has_tag.sum(axis=1)).ravel()
        self.idf = (np.log((n + 1.0) / (df + 1.0)) + 1.0).astype(np.float64)
        self.unknown_idf = math.log(n + 1.0) + 1.0  # a tag no mentor lists: as rare as can be
        # Dense tag-major copy for fast row sums when it is small enough (the usual taxonomy).
        self.dense = self.has_tag.toarray() if t * n <= 64_000_000 else None

        self.offsets = np.asarray([m.utc_offset_minutes for m in self.mentors], dtype=np.int32)
        self.vetted = np.asarray([m.vetted for m in self.mentors], dtype=bool)
        self.places = np.asarray([m.places for m in self.mentors], dtype=np.int32)
        languages: dict[str, int] = {}
        mentor_languages = [{primary_language(x) for x in m.languages} for m in self.mentors]
        for langs in mentor_languages:
            for lang in langs:
                languages.setdefault(lang, len(languages))
        self.languages = languages
        self.speaks = np.zeros((len(languages), n), dtype=bool)
        for j, langs in enumerate(mentor_languages):
            for lang in langs:
                self.speaks[languages[lang], j] = True
        self.field_vocab: dict[str, int] = {}
        mentor_fields = [field_values(m, rules.field_key) for m in self.mentors]
        for values in mentor_fields:
            for value in values:
                self.field_vocab.setdefault(value, len(self.field_vocab))
        self.answers = np.zeros((len(self.field_vocab), n), dtype=bool)
        for j, values in enumerate(mentor_fields):
            for value in values:
                self.answers[self.field_vocab[value], j] = True
        self._contexts: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._tag_sets: list[frozenset] | None = None
        self._language_sets: list[frozenset] | None = None
        self._components: dict[tuple, np.ndarray] = {}
        self._nobody = np.zeros(n, dtype=bool)
        self._full = self.places <= 0

    def mentor_tags(self, j: int) -> frozenset:
        if self._tag_sets is None:
            self._tag_sets = [frozenset(m.interests) for m in self.mentors]
        return self._tag_sets[j]

    def mentor_languages(self, j: int) -> frozenset:
        if self._language_sets is None:
            self._language_sets = [frozenset(primary_language(x) for x in m.languages) for m in self.mentors]
        return self._language_sets[j]

    def set_places(self, j: int, places: int) -> None:
        """A mentor's free places changed (an accept or an end): no rebuild needed."""
        self.places[j] = places
        self._full[j] = places <= 0
        self._contexts.clear()  # cached base rows carry the "full" mask

    # -- the parts of a score that depend on the mentee's context, not their interests ---------
    MAX_CONTEXTS = 256  # each context holds a few rows of n_mentors values: keep memory bounded

    def _remember(self, key, value) -> None:
        if len(self._contexts) >= self.MAX_CONTEXTS:
            self._contexts.clear()
        self._contexts[key] = value

    def context_key(self, mentee: Person) -> tuple:
        return (
            int(mentee.utc_offset_minutes),
            frozenset(primary_language(x) for x in mentee.languages),
            field_values(mentee, self.rules.field_key),
            bool(mentee.is_minor),
        )

    def _component(self, kind: str, value, compute) -> np.ndarray:
        key = (kind, value)
        row = self._components.get(key)
        if row is None:
            if len(self._components) >= 4 * self.MAX_CONTEXTS:
                self._components.clear()
            row = self._components[key] = compute()
        return row

    def context(self, key: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(language factor, timezone factor, field factor, minor-safeguarding mask) for a context.

        Each part is cached on its own (a few dozen time zones, language sets and answers), so a
        new combination costs a couple of vector additions.
        """
        offset, langs, values, is_minor = key

        def language():
            rows = [self.languages[x] for x in langs if x in self.languages]
            return (self.speaks[rows].any(axis=0) if rows else np.zeros(self.n, dtype=bool)).astype(np.float32)

        def same_field():
            rows = [self.field_vocab[v] for v in values if v in self.field_vocab]
            return (self.answers[rows].any(axis=0) if rows else np.zeros(self.n, dtype=bool)).astype(np.float32)

        def tz():
            return timezone_factor(timezone_gap_hours(offset, self.offsets)).astype(np.float32)

        unsafe = ~self.vetted if is_minor else self._nobody
        return (self._component("language", langs, language), self._component("timezone", offset, tz),
                self._component("field", values, same_field), unsafe)

    def base_scores(self, key: tuple) -> tuple[np.ndarray, np.ndarray]:
        """The non-interest part of the score (already divided by the total weight), and who is ruled out."""
        cached = self._contexts.get(key)
        if cached is None:
            language, tz, same_field, unsafe = self.context(key)
            w = self.rules.counted()
            total = np.float32(self.rules.total_weight())
            base = language * np.float32(w["language"] / total)
            base += tz * np.float32(w["timezone"] / total)
            if "field" in w:
                base += same_field * np.float32(w["field"] / total)
            cached = (base, unsafe | self._full)
            self._remember(key, cached)
        return cached

    # -- interests ------------------------------------------------------------------------------
    def interest_weights(self, mentee: Person) -> tuple[list[int], np.ndarray, float]:
        """Rows of the mentee's tags known to mentors, their IDF weights, and the mentee's total weight."""
        rows, weights, total = [], [], 0.0
        for tag in dict.fromkeys(mentee.interests):
            row = self.tags.get(tag)
            if row is None:
                total += self.unknown_idf
            else:
                rows.append(row)
                weights.append(self.idf[row])
                total += float(self.idf[row])
        return rows, np.asarray(weights, dtype=np.float64), total

    def shared(self, mentee: Person) -> tuple[np.ndarray, np.ndarray]:
        """(IDF-weighted share of the mentee's interests each mentor has, count of shared tags)."""
        rows, weights, total = self.interest_weights(mentee)
        if not rows or total <= 0:
            zeros = np.zeros(self.n, dtype=np.float32)
            return zeros, zeros.copy()
        if self.dense is not None:
            block = self.dense[rows]
        else:
            block = self.has_tag[rows].toarray()
        share = (weights / total).astype(np.float32) @ block
        count = block.sum(axis=0)
        return share.astype(np.float32), count.astype(np.float32)

    # -- one mentee against all mentors (recommendations) ---------------------------------------
    def candidates(self, mentee: Person, excluded: Iterable[str] = ()) -> Candidates:
        key = self.context_key(mentee)
        language, tz, same_field, unsafe = self.context(key)
        share, count = self.shared(mentee)
        w = self.rules.counted()
        total = self.rules.total_weight()
        score = w["interests"] * share / total + self.base_scores(key)[0]
        ineligible = {
            "mentor_at_capacity": self.places <= 0,
            "too_few_shared_interests": count < self.rules.min_shared_interests,
            "mentor_not_vetted": unsafe,
            "repeat_pair": np.zeros(self.n, dtype=bool),
        }
        for mentor_id in excluded:
            j = self.position.get(mentor_id)
            if j is not None:
                ineligible["repeat_pair"][j] = True
        if mentee.id in self.position:  # never oneself
            ineligible["repeat_pair"][self.position[mentee.id]] = True
        ruled_out = np.zeros(self.n, dtype=bool)
        for mask in ineligible.values():
            ruled_out |= mask
        score = np.where(ruled_out, INELIGIBLE, score).astype(np.float32)
        return Candidates(score, share, language, tz, same_field, count, ineligible)

    def top(self, mentee: Person, limit: int, excluded: Iterable[str] = ()) -> tuple[Candidates, np.ndarray]:
        """The mentee's candidates and the positions of the best `limit` eligible mentors, best first."""
        found = self.candidates(mentee, excluded)
        eligible = np.flatnonzero(found.score >= 0)
        if len(eligible) > limit:
            part = np.argpartition(-found.score[eligible], limit - 1)[:limit]
            eligible = eligible[part]
        # Best first; ties broken by mentor id so the order is stable across replicas.
        order = sorted(eligible.tolist(), key=lambda j: (-float(found.score[j]), self.ids[j]))
        return found, np.asarray(order, dtype=np.int64)

    def explainer(self, mentee: Person) -> Explainer:
        """Explains any number of the mentee's pairs with the mentee's part computed once."""
        return Explainer(self, mentee)

    def factors(self, mentee: Person, j: int) -> dict[str, float]:
        """The four factors of one pair, computed pair-wise (the same values the matrices hold)."""
        return self.explainer(mentee).factors(j)

    def reasons(self, mentee: Person, j: int) -> dict:
        """The per-factor breakdown of one pair: the contributions (4 d.p.) add up to the score."""
        return self.explainer(mentee).reasons(j)

    # -- many mentees against all mentors (cohort runs) ------------------------------------------
    def batch(self, mentees: Sequence[Person], excluded_pairs: Mapping[str, Iterable[str]] | None = None
              ) -> MenteeBatch:
        return MenteeBatch(self, mentees, excluded_pairs or {})

    def score_block(self, mentees: Sequence[Person], excluded_pairs: Mapping[str, Iterable[str]] | None = None
                    ) -> np.ndarray:
        """A (len(mentees), n_mentors) float32 matrix of scores, negative where a pair is ruled out."""
        batch = self.batch(mentees, excluded_pairs)
        scores = np.empty((batch.n, self.n), dtype=np.float32)
        scores[batch.order] = batch.scores(0, batch.n)
        return scores


class Explainer:
    """One mentee's pairs, factor by factor, in plain Python (a few microseconds a pair).

    Each factor shows its weight, its value in [0, 1] and its contribution; interests list what
    is shared, rarest first, with each tag's rarity (its IDF weight among the mentors); language
    lists the shared languages; timezone gives the gap in hours. The contributions, rounded to 4
    decimals, add up to the score.
    """

    def __init__(self, index: MentorIndex, mentee: Person):
        self.index = index
        self.mentee = mentee
        rows, weights, total_idf = index.interest_weights(mentee)
        self.total_idf = float(total_idf)
        self.tags = [(index.tag_names[r], float(w)) for r, w in zip(rows, weights)]
        self.languages = {primary_language(x) for x in mentee.languages}
        self.answers = field_values(mentee, index.rules.field_key)
        self.w = index.rules.counted()
        self.total_weight = index.rules.total_weight()

    def factors(self, j: int) -> dict[str, float]:
        mentor = self.index.mentors[j]
        mentor_tags = self.index.mentor_tags(j)
        shared = sum(w for tag, w in self.tags if tag in mentor_tags)
        d = abs(self.mentee.utc_offset_minutes - mentor.utc_offset_minutes) % MINUTES_PER_DAY
        gap = min(d, MINUTES_PER_DAY - d) / 60.0
        return {
            "interests": shared / self.total_idf if self.total_idf > 0 else 0.0,
            "language": 1.0 if self.languages & self.index.mentor_languages(j) else 0.0,
            "timezone": min(1.0, max(0.0, 1.0 - gap / 12.0)),
            "field": 1.0 if self.answers & field_values(mentor, self.index.rules.field_key) else 0.0,
        }

    def reasons(self, j: int) -> dict:
        mentor = self.index.mentors[j]
        w, total = self.w, self.total_weight
        values = self.factors(j)
        mentor_tags = self.index.mentor_tags(j)
        shared = [{"interest": tag, "rarity": round(idf, 3),
                   "contribution": round(w["interests"] * idf / self.total_idf / total, 4)}
                  for tag, idf in self.tags if tag in mentor_tags]
        shared.sort(key=lambda s: (-s["rarity"], s["interest"]))

        def part(name: str, **extra) -> dict:
            return {"weight": w[name], "factor": round(values[name], 4),
                    "contribution": round(w[name] * values[name] / total, 4), **extra}

        d = abs(self.mentee.utc_offset_minutes - mentor.utc_offset_minutes) % MINUTES_PER_DAY
        parts = {
            "interests": part("interests", shared=shared),
            "language": part("language", shared=sorted(self.languages & self.index.mentor_languages(j))),
            "timezone": part("timezone", gap_hours=round(min(d, MINUTES_PER_DAY - d) / 60.0, 2)),
        }
        if "field" in w:
            key = self.index.rules.field_key
            parts["field"] = part("field", key=key, mentee=self.mentee.custom_fields.get(key),
                                  mentor=mentor.custom_fields.get(key))
        return parts


RULED_OUT = np.float32(-4.0)  # added to a ruled-out pair: every score is in [0, 1], so it ends up below 0


class MenteeBatch:
    """Many mentees prepared for scoring against a MentorIndex, a block of rows at a time.

    The interest part of a block is one matrix product (mentee-by-tag IDF weights times the
    tag-by-mentor 0/1 matrix, so BLAS does the work on every core); the rest depends only on
    the mentee's context, so rows are ordered by context and each run of equal contexts gets one
    precomputed row added. Ineligible pairs end up negative: `scores >= 0` is the eligibility mask.

    Row r of the batch is mentee `order[r]` of the list it was built from.
    """

    BASE_CACHE_BYTES = 64 * 2**20
    BIG = 1e6  # 1 / the smallest weight a shared tag can carry (idf >= 1, <= 20 tags, weights >= 1e-3)

    def __init__(self, index: MentorIndex, mentees: Sequence[Person], excluded_pairs: Mapping[str, Iterable[str]]):
        self.index = index
        self.n = len(mentees)
        keys: dict[tuple, int] = {}
        codes = np.asarray([keys.setdefault(index.context_key(m), len(keys)) for m in mentees], dtype=np.int64)
        self.order = np.argsort(codes, kind="stable")
        self.codes = codes[self.order]
        self.context_keys = list(keys)
        self.run_starts = np.flatnonzero(np.r_[True, self.codes[1:] != self.codes[:-1]]) if self.n else np.zeros(0, int)
        ordered = [mentees[i] for i in self.order]
        rules = index.rules
        w = rules.counted()
        total = rules.total_weight()
        rows, cols, vals = [], [], []
        for r, mentee in enumerate(ordered):
            tag_rows, weights, mentee_total = index.interest_weights(mentee)
            if tag_rows and mentee_total > 0:
                rows.extend([r] * len(tag_rows))
                cols.extend(tag_rows)
                vals.append((w["interests"] / total) * weights / mentee_total)
        values = np.concatenate(vals).astype(np.float32) if vals else np.zeros(0, dtype=np.float32)
        coords = (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))
        self.q = sparse.csr_matrix((values, coords), shape=(self.n, len(index.tags)))
        # which tags each mentee has (for counting shared tags when weights cannot tell)
        self.has = sparse.csr_matrix((np.ones(len(values), dtype=np.float32), coords), shape=(self.n, len(index.tags)))
        self.min_shared = rules.min_shared_interests
        self.interest_weighted = w["interests"] / total >= 1e-3
        # pairs ruled out one by one: earlier declined/ended pairs, and a person with themself
        excluded_rows, excluded_cols = [], []
        for r, mentee in enumerate(ordered):
            for mentor_id in [*excluded_pairs.get(mentee.id, ()), mentee.id]:
                j = index.position.get(mentor_id)
                if j is not None:
                    excluded_rows.append(r)
                    excluded_cols.append(j)
        self.excluded_rows = np.asarray(excluded_rows, dtype=np.int64)
        self.excluded_cols = np.asarray(excluded_cols, dtype=np.int64)
        self._bases: dict[int, np.ndarray] = {}
        self._max_bases = max(64, self.BASE_CACHE_BYTES // max(1, 4 * index.n))

    def _base_row(self, code: int, shift: float = 0.0) -> np.ndarray:
        """The context's non-interest scores (RULED_OUT where its mentors are ruled out), plus `shift`."""
        key = (code, shift)
        row = self._bases.get(key)
        if row is None:
            base, ruled_out = self.index.base_scores(self.context_keys[code])
            row = np.where(ruled_out, RULED_OUT, base).astype(np.float32)
            if shift:
                row += np.float32(shift)
            if len(self._bases) >= self._max_bases:
                self._bases.clear()
            self._bases[key] = row
        return row

    def pair_scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Exact scores of the given (batch row, mentor) pairs, negative where ruled out.

        The same arithmetic as `scores`, pair by pair: for pricing pairs out of a compact cache.
        """
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        index = self.index
        out = np.zeros(len(rows), dtype=np.float32)
        if not len(rows):
            return out
        indptr, indices, data = self.q.indptr, self.q.indices, self.q.data
        counts = indptr[rows + 1] - indptr[rows]
        owner = np.repeat(np.arange(len(rows)), counts)
        offsets = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        entries = indptr[rows][owner] + offsets
        tags = indices[entries]
        if index.dense is not None:
            has = index.dense[tags, cols[owner]]
        else:
            has = np.asarray(index.has_tag[tags, cols[owner]]).ravel()
        out += np.bincount(owner, weights=data[entries] * has, minlength=len(rows)).astype(np.float32)
        shared = np.bincount(owner, weights=(has > 0), minlength=len(rows))
        codes = self.codes[rows]
        for code in np.unique(codes):
            which = np.flatnonzero(codes == code)
            out[which] += self._base_row(int(code))[cols[which]]
        if self.min_shared > 0:
            out[shared < self.min_shared] += RULED_OUT
        if len(self.excluded_rows):
            excluded = set(zip(self.excluded_rows.tolist(), self.excluded_cols.tolist()))
            for p, (r, c) in enumerate(zip(rows.tolist(), cols.tolist())):
                if (r, c) in excluded:
                    out[p] = RULED_OUT
        return out

    def scores(self, start: int, stop: int) -> np.ndarray:
        """Scores of batch rows [start, stop) against every mentor: float32, negative = ruled out."""
        index = self.index
        q = self.q[start:stop]
        if index.dense is not None and index.dense.shape[0]:
            # sparse rows (a few tags each) times the dense tag-by-mentor matrix: cheaper than BLAS on
            # the mostly-zero dense rows, and it releases the GIL, so blocks run on every core
            block = np.asarray(q @ index.dense, dtype=np.float32)
        else:
            block = np.asarray((q @ index.has_tag).toarray(), dtype=np.float32)
        # The minimum of shared interests as arithmetic, not a (slow) masked assignment: `lift` is 4
        # where enough is shared and 0 where not, and every base row is shifted down by 4 to match.
        lift = None
        if self.min_shared == 1 and self.interest_weighted:
            lift = block * np.float32(4.0 * self.BIG)  # any shared tag weighs at least 1/BIG
        elif self.min_shared >= 1:
            ones = self.has[start:stop]
            counts = ones @ index.dense if index.dense is not None else (ones @ index.has_tag).toarray()
            lift = np.asarray(counts, dtype=np.float32) - np.float32(self.min_shared - 1)
            lift *= np.float32(4.0)
            np.maximum(lift, np.float32(0.0), out=lift)
        shift = 0.0
        if lift is not None:
            np.minimum(lift, np.float32(4.0), out=lift)
            shift = -4.0
        first = max(0, int(np.searchsorted(self.run_starts, start, side="right")) - 1)
        for r in range(first, len(self.run_starts)):
            a = int(self.run_starts[r])
            if a >= stop:
                break
            b = int(self.run_starts[r + 1]) if r + 1 < len(self.run_starts) else self.n
            lo, hi = max(a, start), min(b, stop)
            block[lo - start:hi - start] += self._base_row(int(self.codes[a]), shift)
        if lift is not None:
            block += lift
        if len(self.excluded_rows):
            lo, hi = np.searchsorted(self.excluded_rows, [start, stop])
            if hi > lo:
                block[self.excluded_rows[lo:hi] - start, self.excluded_cols[lo:hi]] = RULED_OUT
        return block


def pair_score(mentee: Person, mentor: Person, rules: Rules, mentors: Sequence[Person]) -> float:
    """The score of one pair computed the slow, obvious way (a reference for tests)."""
    n = len(mentors)
    df: dict[str, int] = {}
    for m in mentors:
        for tag in set(m.interests):
            df[tag] = df.get(tag, 0) + 1

    def idf(tag: str) -> float:
        return math.log((n + 1.0) / (df.get(tag, 0) + 1.0)) + 1.0

    tags = list(dict.fromkeys(mentee.interests))
    mass = sum(idf(t) for t in tags)
    interests = sum(idf(t) for t in tags if t in set(mentor.interests)) / mass if mass else 0.0
    language = float(bool({primary_language(x) for x in mentee.languages}
                          & {primary_language(x) for x in mentor.languages}))
    tz = float(timezone_factor(timezone_gap_hours(mentee.utc_offset_minutes, mentor.utc_offset_minutes)))
    same = float(bool(field_values(mentee, rules.field_key) & field_values(mentor, rules.field_key)))
    w = rules.counted()
    total = rules.total_weight()
    score = w["interests"] * interests + w["language"] * language + w["timezone"] * tz
    if "field" in w:
        score += w["field"] * same
    return score / total


def pair_eligible(mentee: Person, mentor: Person, rules: Rules, excluded: Iterable[str] = ()) -> bool:
    shared = len(set(mentee.interests) & set(mentor.interests))
    return (
        mentor.places > 0
        and shared >= rules.min_shared_interests
        and (mentor.vetted or not mentee.is_minor)
        and mentor.id not in set(excluded)
        and mentor.id != mentee.id
    )
