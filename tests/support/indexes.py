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
index entries or documents than it returns, or sorts in memory, on a real server.
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
    from mongoengine.base.common import _document_registry

    from ementor.platform.mongo import database_name

    indexes: dict[tuple[str, str], dict] = {}
    for document in _document_registry.values():
        meta = document._meta
        if meta.get("abstract"):
            continue
        alias = meta.get("db_alias")
        if not alias or not meta.get("collection"):
            continue
        per_collection = indexes.setdefault((database_name(alias), meta["collection"]), {})
        for spec in meta.get("index_specs", []):
            keys = tuple((field, direction) for field, direction in spec["fields"])
            per_collection[keys] = per_collection.get(keys, False) or bool(spec.get("unique"))
    for place, created in recorded.items():
        per_collection = indexes.setdefault(place, {})
        for keys, unique in created.items():
            per_collection[keys] = per_collection.get(keys, False) or unique
    return {place: [Index(keys, unique) for keys, unique in found.items()] for place, found in indexes.items()}


def _fields(filter_shape: tuple) -> tuple[dict, list]:
    fields = {field: how for field, how in filter_shape if field != "$or"}
    branches = [how[1] for field, how in filter_shape if field == "$or"]
    return fields, branches


def serves(index: Index, filter_shape: tuple, sort: tuple = ()) -> bool:
    fields, _ = _fields(filter_shape)
    equality = {f for f, how in fields.items() if how == "eq"}
    ranges = {f for f, how in fields.items() if how == "range"}
    keys = [field for field, _ in index.keys]
    if index.unique and set(keys) <= equality:
        return not sort or _sort_served(index, len(keys), sort, equality)
    at = 0
    while at < len(keys) and keys[at] in equality:
        at += 1
    if equality - set(keys[:at]):
        return False
    if sort:
        if not _sort_served(index, at, sort, equality):
            return False
        at += len([field for field, _ in sort if field not in equality])
    return ranges - {field for field, _ in sort} <= set(keys[at:])


def _sort_served(index: Index, at: int, sort: tuple, equality: set) -> bool:
    wanted = [(field, direction) for field, direction in sort if field not in equality]
    following = list(index.keys[at:at + len(wanted)])
    if len(following) < len(wanted) or [f for f, _ in following] != [f for f, _ in wanted]:
        return False
    same = all(d == w for (_, d), (_, w) in zip(following, wanted, strict=True))
    reversed_ = all(d == -w for (_, d), (_, w) in zip(following, wanted, strict=True))
    return same or reversed_


def served(indexes: list[Index], filter_shape: tuple, sort: tuple = ()) -> bool:
    fields, branches = _fields(filter_shape)
    if fields.get("_id") == "eq" and not sort:
        return True
    candidates = [*indexes, Index((("_id", 1),), unique=True)]
    if fields and any(serves(index, filter_shape, sort) for index in candidates):
        return True
    if branches and not fields:
        return all(served(indexes, branch, sort) for branch in branches[0])
    if branches:  # fields and an $or: served if fields alone would be, or each branch with the fields
        plain = tuple((f, how) for f, how in filter_shape if f != "$or")
        if any(serves(index, plain, sort) for index in candidates):
            return True
        return all(served(indexes, tuple(sorted({**fields, **dict(branch)}.items())), sort)
                   for branch in branches[0])
    return False


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


def unserved(queries: Iterable[Query], indexes: dict, allowed: dict[str, str]) -> list[str]:
    """One line per query shape no declared index serves (those in `allowed` excepted)."""
    problems = []
    for query in sorted(set(queries)):
        if query.database.startswith("admin") or (not query.filter and not query.sort):
            continue  # a whole-collection read is a choice (a count for a report), not a missed index
        if served(indexes.get((query.database, query.collection), []), query.filter, query.sort):
            continue
        text = describe(query)
        if text in allowed:
            continue
        problems.append(f"{text}\n    no index serves it; e.g. {suggestion(query)}")
    return problems
