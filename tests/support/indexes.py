"""Would this query scan on MongoDB? Each recorded query shape against the indexes declared.

Declared indexes are the mongoengine documents' `meta` indexes plus every index the code creates
itself (the inbox, anything made with `create_index`), as recorded by tests/support/store_ops.py;
every collection also has its `_id` index. A query is served when:

- it pins `_id` (equality or `$in`): the `_id` index; or
- some index's leading keys are exactly the filter's equality fields (in any order), followed by
  the sort's keys (all in the index's direction or all reversed), then its range fields. A unique
  index whose every key is pinned by equality serves any filter (one document at most), the rest
  being tested on that document;
- an `$or` beside served fields is tested on the documents those yield; an `$or` alone needs each
  branch served. Fields tested with `$ne`, `$regex` and the like never need an index.

This is the ESR rule (equality, sort, range) applied strictly: a query that fails it reads more
index entries or documents than it returns, or sorts in memory, on a real server. Such a query
is NARROWED when an index still bounds it by more than the tenant (the documents of one match,
say), and a SCAN when nothing does (the whole collection, or a whole organisation's documents).
The check fails the run on a SCAN and lists the NARROWED ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from tests.support.store_ops import Query


class Index(NamedTuple):
    keys: tuple  # ((field, direction), ...)
    unique: bool = False


def declared_indexes(recorded: dict) -> dict[tuple[str, str], list[Index]]:
    """(database, collection) -> its indexes: documents' meta, plus those created at run time."""
    from ementor.devtools.indexes import document_indexes
    from ementor.platform.mongo import database_name

    indexes: dict[tuple[str, str], dict] = {}
    for (alias, collection), specs in document_indexes().items():
        per_collection = indexes.setdefault((database_name(alias), collection), {})
        for spec in specs:
            keys = tuple((field, direction) for field, direction in spec["fields"])
            per_collection[keys] = per_collection.get(keys, False) or bool(spec.get("unique"))
    for place, created in recorded.items():
        per_collection = indexes.setdefault(place, {})
        for keys, unique in created.items():
            per_collection[keys] = per_collection.get(keys, False) or unique
    for per_collection in indexes.values():
        per_collection[(("_id", 1),)] = True  # every MongoDB collection has it
    return {place: [Index(keys, unique) for keys, unique in found.items()] for place, found in indexes.items()}


def _fields(filter_shape: tuple) -> tuple[dict, list]:
    fields = {field: how for field, how in filter_shape if field != "$or"}
    branches = [how[1] for field, how in filter_shape if field == "$or"]
    return fields, branches


SCAN, NARROWED, SERVED = 0, 1, 2


def serves(index: Index, filter_shape: tuple, sort: tuple = ()) -> int:
    """SERVED by the strict rule; NARROWED when the index bounds the query by more than its tenant
    (the rest is tested on each document, or sorted in memory); else SCAN."""
    fields, _ = _fields(filter_shape)
    equality = {f for f, how in fields.items() if how == "eq"}
    ranges = {f for f, how in fields.items() if how == "range"}
    keys = [field for field, _ in index.keys]
    if index.unique and set(keys) <= equality:
        return SERVED
    at = 0
    while at < len(keys) and keys[at] in equality:
        at += 1
    bounded = set(keys[:at]) | ({keys[at]} if at < len(keys) and keys[at] in ranges else set())
    narrowed = NARROWED if bounded - {"tenant_id"} else SCAN
    if equality - set(keys[:at]):
        return narrowed
    if sort:
        if not _sort_served(index, at, sort, equality):
            return narrowed
        at += len([field for field, _ in sort if field not in equality])
    return SERVED if ranges - {field for field, _ in sort} <= set(keys[at:]) else narrowed


def _sort_served(index: Index, at: int, sort: tuple, equality: set) -> bool:
    wanted = [(field, direction) for field, direction in sort if field not in equality]
    following = list(index.keys[at:at + len(wanted)])
    if len(following) < len(wanted) or [f for f, _ in following] != [f for f, _ in wanted]:
        return False
    same = all(d == w for (_, d), (_, w) in zip(following, wanted, strict=True))
    reversed_ = all(d == -w for (_, d), (_, w) in zip(following, wanted, strict=True))
    return same or reversed_


def served(indexes: list[Index], filter_shape: tuple, sort: tuple = ()) -> int:
    """How well the best index serves the query: SERVED, NARROWED or SCAN. An `$or` beside other
    fields is served as well as those fields are, or as its worst branch merged with them is."""
    fields, branches = _fields(filter_shape)
    if fields.get("_id") == "eq":
        return SERVED
    candidates = [*indexes, Index((("_id", 1),), unique=True)]
    best = max((serves(index, filter_shape, sort) for index in candidates), default=SCAN) if fields else SCAN
    if branches and best < SERVED:
        worst = min(served(indexes, tuple(sorted({**fields, **dict(branch)}.items())), sort) for branch in branches[0])
        best = max(best, worst)
    return best


def describe(query: Query) -> str:
    def how(filter_shape: tuple) -> str:
        parts = []
        for field, kind in filter_shape:
            if field == "$or":
                parts.append("$or: [" + " | ".join(how(branch) for branch in kind[1]) + "]")
            else:
                parts.append(f"{field}: {kind}")
        return "{" + ", ".join(parts) + "}"

    sort = f" sort {dict(query.sort)}" if query.sort else ""
    return f"{query.database}.{query.collection} {query.kind} {how(query.filter)}{sort}"


def suggestion(query: Query) -> str:
    """The index that would serve it, by the ESR rule: equality fields, then sort, then range."""
    fields, _ = _fields(query.filter)
    equality = sorted(f for f, how in fields.items() if how == "eq")
    if "tenant_id" in equality:
        equality.remove("tenant_id")
        equality.insert(0, "tenant_id")
    sort = [(f, d) for f, d in query.sort if f not in equality]
    ranges = sorted(f for f, how in fields.items() if how == "range" and f not in dict(sort))
    return str([*[(f, 1) for f in equality], *sort, *[(f, 1) for f in ranges]])


def unserved(queries: Iterable[Query], indexes: dict, allowed: dict[str, str]) -> tuple[list[str], list[str]]:
    """(queries that would scan, queries an index only narrows): one line each, `allowed` excepted."""
    scans, narrowed = [], []
    for query in sorted(set(queries)):
        if not query.filter and not query.sort:
            continue  # a whole-collection read is a choice (a count for a report), not a missed index
        level = served(indexes.get((query.database, query.collection), []), query.filter, query.sort)
        text = describe(query)
        if level == SERVED or text in allowed:
            continue
        (scans if level == SCAN else narrowed).append(f"{text}\n    e.g. index {suggestion(query)}")
    return scans, narrowed
