"""Synthetic cohorts shaped like a large charity's: Zipf-like interests, capacities 1-5, minors.

Deterministic for a seed, so the benchmark's figures can be compared run to run.
"""

from __future__ import annotations

import numpy as np

from services.matching.scoring import Person

LANGUAGES = ["es", "fr", "pl", "ur", "pa", "ar", "so", "cy", "pt", "it", "bn", "ro"]
# UTC offsets (minutes) of where the people are: mostly the UK, some abroad.
OFFSETS = [0] * 16 + [60, 60, 120, -300, -300, -480, 330, 480, 600, 180]
SECTORS = ["engineering", "health", "law", "finance", "creative", "education", "public-sector", "charity"]
CAPACITY_SHARES = [0.12, 0.16, 0.22, 0.24, 0.26]  # capacities 1..5: about 3.36 places a mentor


def tag_names(n_tags: int) -> list[str]:
    return [f"tag-{t:03d}" for t in range(n_tags)]


def zipf_weights(n_tags: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, n_tags + 1) ** exponent
    return weights / weights.sum()


def _interests(rng, n: int, n_tags: int, lo: int, hi: int) -> list[tuple[str, ...]]:
    names = tag_names(n_tags)
    # Weighted sampling without replacement by Gumbel top-k: one vectorised draw for everybody.
    keys = np.log(zipf_weights(n_tags))[None, :] + rng.gumbel(size=(n, n_tags))
    order = np.argsort(-keys, axis=1)
    sizes = rng.integers(lo, hi + 1, size=n)
    return [tuple(names[t] for t in order[i, :sizes[i]]) for i in range(n)]


def _languages(rng, n: int) -> list[tuple[str, ...]]:
    out = []
    english = rng.random(n) < 0.93
    second = rng.random(n) < 0.3
    picks = rng.integers(0, len(LANGUAGES), size=n)
    for i in range(n):
        langs = (["en"] if english[i] else []) + ([LANGUAGES[picks[i]]] if second[i] or not english[i] else [])
        out.append(tuple(langs))
    return out


def people(rng, n: int, role: str, n_tags: int) -> list[Person]:
    interests = _interests(rng, n, n_tags, 3, 8)
    languages = _languages(rng, n)
    offsets = rng.choice(OFFSETS, size=n)
    answered = rng.random(n) < 0.7
    sectors = rng.integers(0, len(SECTORS), size=n)
    if role == "mentor":
        capacities = rng.choice(np.arange(1, 6), size=n, p=CAPACITY_SHARES)
        vetted = rng.random(n) < 0.7
        minor = np.zeros(n, dtype=bool)
    else:
        capacities = np.zeros(n, dtype=np.int64)
        vetted = np.zeros(n, dtype=bool)
        minor = rng.random(n) < 0.4
    prefix = "mr" if role == "mentor" else "me"
    return [
        Person(
            id=f"{prefix}{i:06d}",
            interests=interests[i],
            languages=languages[i],
            utc_offset_minutes=int(offsets[i]),
            custom_fields={"sector": SECTORS[sectors[i]]} if answered[i] else {},
            is_minor=bool(minor[i]),
            vetted=bool(vetted[i]),
            places=int(capacities[i]),
        )
        for i in range(n)
    ]


def cohort(n_mentees: int, n_mentors: int, n_tags: int = 200, seed: int = 7) -> tuple[list[Person], list[Person]]:
    rng = np.random.default_rng(seed)
    return people(rng, n_mentees, "mentee", n_tags), people(rng, n_mentors, "mentor", n_tags)
