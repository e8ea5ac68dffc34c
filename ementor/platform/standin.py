"""Make the mongomock stand-in cost what MongoDB costs where a service's hot path meets it.

mongomock answers every query by scanning the whole collection in Python, and on every access
to a collection with a TTL index it scans that collection again for expired documents. Two of
those costs have nothing to do with what MongoDB does and turn the inbox (one entry per event
handled, kept 30 days) into a quadratic cost as it grows:

- a point lookup (a filter that pins `_id`, or every key of a unique index, with plain values)
  is an index seek on MongoDB; here it becomes a hash lookup, and so does the unique check of
  every insert and update; `_id: {$in: [plain values]}` is a seek per value on MongoDB's `_id`
  index, and here a lookup per value (the outbox relay's mark-published write and batch reads
  by id use it), answered in `_id` order as that index returns them;
- `{field: {$exists: true}}` on a field with a sparse index (every outbox's claim: which documents
  hold pending events), or a range on it (`$lt`/`$lte`/`$gt`/`$gte` a value: the webhook sender's
  claim of the next due delivery), is a walk of that index on MongoDB, which holds only the
  documents that have the field; here it is a walk of the ids known to have held it;
- an equality or `$in` with plain values on the first field of a non-unique index is a seek on
  MongoDB; here it is a walk of the ids known to have held those values (notifications' sweep for
  due deliveries); an `$or` whose every branch is served so is the union of the branches, as
  MongoDB plans each branch on its own index;
- TTL expiry runs as MongoDB's TTL monitor does, once a minute per collection, instead of at
  every access;
- a stored document is copied (on insert, and as the snapshot an update keeps to undo a unique
  clash) by a copy that knows BSON values are dicts, lists and immutable scalars, four times
  faster than `copy.deepcopy`, which anything else still goes through; mongomock's pass that
  brings every datetime in a document or filter to MongoDB's precision takes the same shortcut,
  and so do the copy a read returns and its pass that gives every datetime a UTC zone (MongoDB
  sends a document's bytes; pymongo decodes them once);
- a candidate from a lookup is checked against a filter of plain equalities, `$in`s, ranges on
  numbers or dates and `$exists` on top-level fields by comparing values, as the server does;
  any other filter (arrays, dotted paths, `$or`, regular expressions) goes through mongomock's
  matcher, and so does a document whose value is not plain;
- mongomock parses its library version strings on every insert and update (to pick behaviour by
  pymongo version); here each string is parsed once.

One more patch is a compatibility fix, not a cost: pymongo 4.11 passes `sort` to a bulk write's
update, which mongomock's bulk builder does not take, so a bulk of `UpdateOne`s would fail here
while it works on MongoDB.

Everything else (range scans on other fields, sorts) still scans, as it would without an
index. Results never change: candidates from a hash are checked against the filter, and an entry
whose document changed or vanished is simply skipped. Only mongomock is touched, and only by
`mongo.connect` when it chooses the stand-in; see docs/decisions.md. How values are copied and
compared is in ementor/platform/standin_values.py.
"""

from __future__ import annotations

import copy
import functools
import time
import types
from typing import NamedTuple

from bson import ObjectId
from mongomock import filtering, helpers
from packaging import version

from ementor.platform.standin_values import (
    RANGE_OPERATORS,
    at_mongodb_precision,
    copy_document,
    filter_holds,
    returned_copy,
    timezone_aware,
)

TTL_MONITOR_SECONDS = 60.0  # MongoDB's ttlMonitorSleepSecs
POINT_TYPES = (str, int, ObjectId)  # values whose equality in a filter is Python equality

_installed = False


def _point(value) -> bool:
    return isinstance(value, POINT_TYPES) and not isinstance(value, bool)


class _Hashes:
    """Per collection store: for each unique index on plain fields, key values -> document ids."""

    def __init__(self):
        self.keys: dict[str, dict[tuple, set]] = {}
        self.unsafe: set[str] = set()  # indexes that saw a value a hash cannot stand for (an array, say)
        self.holders: dict[str, dict] = {}  # sparse index -> ids of documents that held its field (in order)
        self.leading: dict[str, dict] = {}  # a non-unique index's first field -> value -> ids that held it
        self.unsafe_leading: set[str] = set()  # first fields that held a value a hash cannot stand for


def _hashes(store) -> _Hashes:
    hashes = store.__dict__.get("_ementor_hashes")
    if hashes is None:
        hashes = store._ementor_hashes = _Hashes()
    return hashes


class _Plan(NamedTuple):
    """What a collection's indexes let the stand-in look up, read once per set of indexes."""

    indexes: tuple  # the index descriptions it was read from, kept so that their identity is a check
    hashable: tuple  # (name, fields, sparse) of each unique index on plain top-level fields
    sparse: tuple  # (name, field) of each single-field sparse index
    leading: tuple  # the first fields of the non-unique indexes, in the order declared (so that the
    # same query walks the same field every run): MongoDB seeks an equality on one in the index
    unique: frozenset  # the names of every unique index


def _plan(store) -> _Plan:
    """The store's plan, read again only when an index was created or dropped (mongomock replaces an
    index's description then, never changes one in place)."""
    indexes = tuple(store.indexes.values())
    plan = store.__dict__.get("_ementor_plan")
    if plan is not None and len(plan.indexes) == len(indexes) and all(
            kept is index for kept, index in zip(plan.indexes, indexes, strict=True)):
        return plan
    hashable, sparse, unique = [], [], set()
    for name, index in store.indexes.items():
        fields = [field for field, _ in index["key"]]
        partial = "partialFilterExpression" in index
        if index.get("unique"):
            unique.add(name)
            if not partial and not any("." in field for field in fields):
                hashable.append((name, fields, bool(index.get("sparse"))))
        if index.get("sparse") and len(fields) == 1 and not partial:
            sparse.append((name, fields[0]))
    leading = dict.fromkeys(
        index["key"][0][0] for index in indexes
        if not index.get("unique") and "partialFilterExpression" not in index and "." not in index["key"][0][0])
    plan = store._ementor_plan = _Plan(indexes, tuple(hashable), tuple(sparse), tuple(leading), frozenset(unique))
    return plan


def _file(hashes: _Hashes, field: str, document: dict) -> None:
    """Record that `document` holds its value of `field` (an array, say, sends the field back to scanning)."""
    table = hashes.leading.get(field)
    if table is None:
        return
    value = document.get(field)
    try:
        hash(value)
    except TypeError:
        value = []
    if isinstance(value, list | dict):
        hashes.unsafe_leading.add(field)
        del hashes.leading[field]
        return
    table.setdefault(value, {})[document["_id"]] = None


def _leading_holders(store, field: str, values: list) -> list[dict] | None:
    """The documents whose `field` holds one of `values` now (the table built by one scan the first time;
    ids whose document changed or vanished are forgotten), or None when the field cannot be trusted."""
    hashes = _hashes(store)
    if field in hashes.unsafe_leading:
        return None
    if field not in hashes.leading:
        hashes.leading[field] = {}
        for document in store._documents.values():
            _file(hashes, field, document)
        if field in hashes.unsafe_leading:
            return None
    table = hashes.leading[field]
    found = []
    for value in dict.fromkeys(values):
        ids = table.get(value, {})
        for document_id in list(ids):
            document = store._documents.get(document_id)
            if document is not None and document.get(field) == value:
                found.append(document)
            else:
                del ids[document_id]
    return found


def _needs_the_field(condition) -> bool:
    """True when a filter's condition can match only documents that have the field: `$exists: true`,
    or ranges on a value (a missing field is never less or greater than a value)."""
    return isinstance(condition, dict) and bool(condition) and all(
        (operator == "$exists" and value is True) or (operator in RANGE_OPERATORS and value is not None)
        for operator, value in condition.items())


def _has(document: dict, field: str) -> bool:
    """What `{field: {$exists: true}}` means for the document."""
    if "." in field and any(part.isdigit() for part in field.split(".")):
        return filtering.filter_applies({field: {"$exists": True}}, document)  # a position: the matcher's rules
    return _walk(document, field)


def _walk(value, field: str) -> bool:
    """Whether the path leads somewhere: through an array, any element that has the rest of it (an
    outbox's `outbox.event_id`)."""
    name, _, rest = field.partition(".")
    if type(value) is list:
        return any(_walk(item, field) for item in value if isinstance(item, dict))
    if not isinstance(value, dict) or name not in value:  # an upsert stores an OrderedDict
        return False
    return not rest or _walk(value[name], rest)


def _sparse_holders(store, name: str, field: str) -> list[dict]:
    """The documents that hold `field` now: the known ids (built by one scan the first time), checked,
    and those that no longer hold it forgotten (a later write that gives it back records it again)."""
    hashes = _hashes(store)
    ids = hashes.holders.get(name)
    if ids is None:
        ids = hashes.holders[name] = {i: None for i, d in store._documents.items() if _has(d, field)}
    found = []
    for document_id in list(ids):
        document = store._documents.get(document_id)
        if document is not None and _has(document, field):
            found.append(document)
        else:
            del ids[document_id]
    return found


def _key(document: dict, fields: list[str]) -> tuple | None:
    values = tuple(document.get(field) for field in fields)
    try:
        hash(values)
    except TypeError:
        return None
    if any(isinstance(value, list | dict) for value in values):
        return None
    return values


def _table(store, name: str, fields: list[str], sparse: bool) -> dict[tuple, set] | None:
    """The index's hash, built by one scan the first time it is needed; None if it cannot be trusted."""
    hashes = _hashes(store)
    if name in hashes.unsafe:
        return None
    table = hashes.keys.get(name)
    if table is None:
        table = {}
        for document in store._documents.values():
            if not _add(hashes, table, name, document, fields, sparse):
                return None
        hashes.keys[name] = table
    return table


def _add(hashes: _Hashes, table: dict, name: str, document: dict, fields: list[str], sparse: bool) -> bool:
    key = _key(document, fields)
    if key is None:
        hashes.unsafe.add(name)
        hashes.keys.pop(name, None)
        return False
    if not (sparse and all(value is None for value in key)):
        table.setdefault(key, set()).add(document["_id"])
    return True


def _holders(store, table: dict, key: tuple, fields: list[str]) -> list[dict]:
    """Documents that hold `key` now (stale entries, from an update or a delete, are skipped)."""
    found = []
    for document_id in table.get(key, ()):
        document = store._documents.get(document_id)
        if document is not None and _key(document, fields) == key:
            found.append(document)
    return found


def install() -> None:
    """Patch mongomock once per process (idempotent)."""
    global _installed
    if _installed:
        return
    from mongomock import collection as mongomock_collection
    from mongomock.collection import BulkOperationBuilder, Collection
    from mongomock.store import CollectionStore
    from pymongo.errors import DuplicateKeyError

    expire = CollectionStore._remove_expired_documents

    def remove_expired_documents(self):
        now = time.monotonic()
        if now >= self.__dict__.get("_ementor_ttl_due", 0.0):
            self._ementor_ttl_due = now + TTL_MONITOR_SECONDS
            expire(self)

    ensure_uniques = Collection._ensure_uniques

    def ensure_uniques_by_hash(self, new_data):
        store = self._store
        plan = _plan(store)
        checked = set()
        for name, fields, sparse in plan.hashable:
            table = _table(store, name, fields, sparse)
            if table is None:
                continue
            key = _key(new_data, fields)
            if key is None:
                _hashes(store).unsafe.add(name)
                continue
            if not (sparse and all(value is None for value in key)):
                others = [d for d in _holders(store, table, key, fields) if d["_id"] != new_data["_id"]]
                if others:
                    raise DuplicateKeyError("E11000 Duplicate Key Error", 11000)
            checked.add(name)
        for name, fields, sparse in plan.hashable:
            if name in checked:
                _add(_hashes(store), _hashes(store).keys[name], name, new_data, fields, sparse)
        if plan.unique - checked:
            ensure_uniques(self, new_data)  # the others (dotted, partial, arrays): mongomock's own scan
        hashes = _hashes(store)
        for name, field in plan.sparse:
            if name in hashes.holders and _has(new_data, field):
                hashes.holders[name][new_data["_id"]] = None
        for field in list(hashes.leading):
            _file(hashes, field, new_data)

    iter_documents = Collection._iter_documents

    def iter_documents_by_hash(self, filter):
        candidates = _point_lookup(self._store, filter) if isinstance(filter, dict) else None
        if candidates is None:
            return iter_documents(self, filter)
        return (document for document in candidates if filter_holds(filter, document))

    add_update = BulkOperationBuilder.add_update

    def add_update_unsorted(self, selector, doc, multi=False, upsert=False, sort=None, **kwargs):
        if sort:
            raise NotImplementedError("the stand-in has no sorted bulk updates")
        return add_update(self, selector, doc, multi, upsert, **kwargs)

    CollectionStore._remove_expired_documents = remove_expired_documents
    helpers.patch_datetime_awareness_in_document = at_mongodb_precision
    helpers.make_datetime_timezone_aware_in_document = timezone_aware
    mongomock_collection._copy_field = returned_copy
    mongomock_collection.copy = types.SimpleNamespace(deepcopy=copy_document, copy=copy.copy)
    mongomock_collection.version = types.SimpleNamespace(parse=functools.lru_cache(maxsize=64)(version.parse))
    BulkOperationBuilder.add_update = add_update_unsorted
    Collection._ensure_uniques = ensure_uniques_by_hash
    Collection._iter_documents = iter_documents_by_hash
    _installed = True


def _point_list(value) -> list | None:
    """The values of `{"$in": [...]}` when it is the whole condition and every value is plain."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$in"), list | tuple):
        values = list(value["$in"])
        if all(_point(item) for item in values):
            return values
    return None


def _point_lookup(store, query: dict) -> list[dict] | None:
    """The few documents a point filter (or a condition a sparse index serves) can match, or None when
    the filter needs a scan."""
    store._remove_expired_documents()
    if _point(query.get("_id")):
        document = store._documents.get(query["_id"])
        return [] if document is None else [document]
    ids = _point_list(query.get("_id"))
    if ids is not None:
        documents = [store._documents[i] for i in dict.fromkeys(ids) if i in store._documents]
        try:
            return sorted(documents, key=lambda document: document["_id"])
        except TypeError:  # ids of different types: no single order to follow
            return documents
    plan = _plan(store)
    for name, fields, sparse in plan.hashable:
        if all(_point(query.get(field)) for field in fields):
            table = _table(store, name, fields, sparse)
            if table is not None:
                return _holders(store, table, tuple(query[field] for field in fields), fields)
    for name, field in plan.sparse:
        if _needs_the_field(query.get(field)):
            return _sparse_holders(store, name, field)
    for field in plan.leading:
        condition = query.get(field)
        values = [condition] if _point(condition) else _point_list(condition)
        if values is not None:
            found = _leading_holders(store, field, values)
            if found is not None:
                return found
    return _either(store, query.get("$or"))


def _either(store, branches) -> list[dict] | None:
    """For `$or`: the union of what each branch can match, when an index serves every branch (MongoDB
    plans each branch on its own index); None when one would need a scan."""
    if not isinstance(branches, list) or not branches:
        return None
    found: dict = {}
    for branch in branches:
        candidates = _point_lookup(store, branch) if isinstance(branch, dict) else None
        if candidates is None:
            return None
        for document in candidates:
            found.setdefault(id(document), document)
    return list(found.values())
