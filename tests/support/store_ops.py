"""Every store operation, seen where it leaves for the server: at the collection.

Two uses, one hook (mongomock's and pymongo's `Collection`, as tests/support/store.py hooks
mongomock to yield):

- round trips: `with counting() as ops:` counts the outermost collection operations issued
  meanwhile, by database, collection and kind, so a business operation's round trips are a
  figure (tests/unit/platform/test_round_trips.py, bench/round_trips.py);
- queries: every filter and sort the code issues is remembered by its shape (which fields, tested
  how), once per shape, for the index check (tests/support/indexes.py).

An operation whose answer was empty (nothing found, nothing changed) is counted apart: that is
what an idle background loop's poll looks like, and polls depend on the clock, not on the work.
A cursor's emptiness is not known when `find` returns, so a `find` always counts as work.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from contextlib import contextmanager
from typing import NamedTuple

from eventlet import corolocal

from tests.support.store import OPERATIONS

FILTER_FIRST = {"find", "find_one", "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
                "count_documents", "update_one", "update_many", "replace_one", "delete_one", "delete_many"}
EQUALITY = {"$eq", "$in", "$all"}
RANGE = {"$gt", "$gte", "$lt", "$lte"}


class Query(NamedTuple):
    """A query by shape: `filter` is ((field, how), ...) with how "eq", "range", "other" or
    ("or", (branch, ...)); `sort` is ((field, direction), ...)."""

    database: str
    collection: str
    kind: str
    filter: tuple
    sort: tuple = ()


def shape(query) -> tuple:
    """The fields a filter tests and how: equality (an index can seek), range (an index can bound) or
    other (`$ne`, `$regex`..., tested on each document the index yields)."""
    if not isinstance(query, dict):
        return (("_id", "eq"),) if query is not None else ()
    fields: dict = {}
    branches = []
    for key, value in query.items():
        if key == "$and":
            for part in value:
                for field, how in shape(part):
                    fields.setdefault(field, how) if field != "$or" else branches.append(how)
        elif key in ("$or", "$nor"):
            if key == "$or":
                branches.append(("or", tuple(shape(part) for part in value)))
        elif key.startswith("$"):
            continue  # $expr, $where, $text: not index-served; left to MongoDB's planner
        elif isinstance(value, dict) and value and all(k.startswith("$") for k in value):
            if "$elemMatch" in value and isinstance(value["$elemMatch"], dict):
                for field, how in shape(value["$elemMatch"]):
                    fields[f"{key}.{field}"] = how
                continue
            fields[key] = _operator_kind(value)
        elif hasattr(value, "pattern") and hasattr(value, "flags"):  # a compiled regular expression
            fields[key] = "other"
        else:
            fields[key] = "eq"
    return tuple(sorted(fields.items())) + tuple(("$or", branch) for branch in branches)


def _operator_kind(operators: dict) -> str:
    keys = set(operators)
    if keys & EQUALITY:
        return "eq"
    if keys == {"$exists"} and not operators["$exists"]:
        return "eq"  # a missing field is indexed as null
    if keys & RANGE or keys == {"$exists"}:
        return "range"
    return "other"


def _sort_of(sort) -> tuple:
    if not sort:
        return ()
    if isinstance(sort, str):
        return ((sort, 1),)
    if isinstance(sort, dict):
        return tuple(sort.items())
    return tuple((field, direction) for field, direction in sort)


class Count:
    """Operations counted while a `counting()` block runs."""

    def __init__(self):
        self.work: Counter = Counter()  # (database, collection, kind) -> operations that found or changed something
        self.empty: Counter = Counter()  # the same for operations whose answer was empty

    @property
    def total(self) -> int:
        return sum(self.work.values())

    def by_collection(self) -> dict[str, int]:
        counts: Counter = Counter()
        for (database, collection, kind), n in self.work.items():
            counts[f"{database}.{collection} {kind}"] += n
        return dict(sorted(counts.items()))

    def __repr__(self) -> str:
        return f"Count(total={self.total}, {self.by_collection()}, empty={sum(self.empty.values())})"


class Recorder:
    def __init__(self):
        self.queries: Counter = Counter()  # Query -> times issued
        self.indexes: dict = {}  # (database, collection) -> {index name: (keys, unique)}
        self.counts: list[Count] = []
        self._lock = threading.Lock()

    def operation(self, collection, kind: str, query, sort, result) -> None:
        database, name = collection.database.name, collection.name
        if query is not None or sort:
            self.queries[Query(database, name, kind, shape(query), _sort_of(sort))] += 1
        if self.counts:
            key = (database, name, kind)
            with self._lock:
                for count in self.counts:
                    (count.empty if _is_empty(kind, result) else count.work)[key] += 1

    def index(self, collection, keys, unique: bool) -> None:
        keys = tuple((field, direction) for field, direction in keys)
        per_collection = self.indexes.setdefault((collection.database.name, collection.name), {})
        per_collection[keys] = per_collection.get(keys, False) or unique


RECORDER = Recorder()
_depth = corolocal.local()


def _is_empty(kind: str, result) -> bool:
    if kind == "bulk_write":
        return not (result.inserted_count or result.matched_count or result.upserted_count or result.deleted_count)
    if kind.startswith("find_one"):
        return result is None
    if kind == "count_documents":  # a gauge's count of nothing waiting is an idle poll
        return not result
    if hasattr(result, "upserted_id"):  # UpdateResult
        return not result.matched_count and result.upserted_id is None
    if hasattr(result, "deleted_count"):
        return not result.deleted_count
    return False


def _query_of(kind: str, args: tuple, kwargs: dict):
    if kind in FILTER_FIRST:
        return args[0] if args else kwargs.get("filter")
    if kind == "distinct":
        return args[1] if len(args) > 1 else kwargs.get("filter")
    if kind == "aggregate":
        pipeline = args[0] if args else kwargs.get("pipeline", [])
        return pipeline[0].get("$match", {}) if pipeline else {}
    return None


def _recording(operation, kind: str):
    @functools.wraps(operation)
    def call(self, *args, **kwargs):
        if getattr(_depth, "value", 0):  # inside another operation: that one is the round trip
            return operation(self, *args, **kwargs)
        _depth.value = 1
        try:
            result = operation(self, *args, **kwargs)
        finally:
            _depth.value = 0
        RECORDER.operation(self, kind, _query_of(kind, args, kwargs), kwargs.get("sort"), result)
        if kind == "bulk_write":
            for request in (args[0] if args else kwargs.get("requests", ())):
                query = getattr(request, "_filter", None)
                if query is not None:
                    RECORDER.queries[Query(self.database.name, self.name, "bulk_write", shape(query))] += 1
        return result

    return call


def _recording_index(create_index):
    @functools.wraps(create_index)
    def call(self, keys, *args, **kwargs):
        name = create_index(self, keys, *args, **kwargs)
        if isinstance(keys, str):
            keys = [(keys, 1)]
        RECORDER.index(self, keys, bool(kwargs.get("unique")))
        return name

    return call


def _recording_sort(sort):
    @functools.wraps(sort)
    def call(self, key_or_list, direction=None):
        cursor = sort(self, key_or_list, direction)
        collection = getattr(self, "collection", None) or getattr(self, "_collection", None)
        spec = getattr(self, "_spec", None)
        keys = [(key_or_list, direction or 1)] if isinstance(key_or_list, str) else key_or_list
        if collection is not None:
            RECORDER.queries[Query(collection.database.name, collection.name, "find", shape(spec or {}),
                                   _sort_of(keys))] += 1
        return cursor

    return call


def install() -> None:
    """Hook mongomock's and pymongo's collections and cursors, once per process."""
    import mongomock.collection
    import pymongo.collection
    import pymongo.cursor

    for cls in (mongomock.collection.Collection, pymongo.collection.Collection):
        if getattr(cls, "_ementor_recorded", False):
            continue
        for kind in OPERATIONS:
            if kind in cls.__dict__:
                setattr(cls, kind, _recording(cls.__dict__[kind], kind))
        cls.create_index = _recording_index(cls.__dict__["create_index"])
        cls._ementor_recorded = True
    for cursor in (mongomock.collection.Cursor, pymongo.cursor.Cursor):
        if not getattr(cursor, "_ementor_recorded", False):
            cursor.sort = _recording_sort(cursor.__dict__["sort"])
            cursor._ementor_recorded = True


@contextmanager
def counting():
    """Count the store operations issued (by any green thread or thread) while the block runs."""
    install()
    count = Count()
    RECORDER.counts.append(count)
    try:
        yield count
    finally:
        RECORDER.counts.remove(count)
