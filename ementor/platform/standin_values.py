"""How the stand-in copies, normalises and compares plain BSON values: the same answers as mongomock's
generic code, by dispatching on exact types; anything else goes to mongomock's own code. Used by
ementor/platform/standin.py (see its docstring for where each one is patched in).
"""

from __future__ import annotations

import copy
import datetime
import math
from collections import OrderedDict

from bson import ObjectId
from mongomock import collection as mongomock_collection
from mongomock import filtering, helpers

RANGE_OPERATORS = ("$lt", "$lte", "$gt", "$gte")

_SCALARS = frozenset((str, int, float, bool, type(None), bytes, datetime.datetime, ObjectId))
_PRECISE = _SCALARS - {datetime.datetime}  # values MongoDB stores as they are
_mongomock_precision = helpers.patch_datetime_awareness_in_document
_mongomock_timezone_aware = helpers.make_datetime_timezone_aware_in_document
_mongomock_returned_copy = mongomock_collection._copy_field
_NUMBERS = (int, float)
_EQUALITY_TYPES = frozenset((str, int, ObjectId))  # not bool: True is not 1 on MongoDB


def _plain_equal(expected, actual) -> bool | None:
    if type(expected) in _EQUALITY_TYPES and type(actual) in _EQUALITY_TYPES:
        return expected == actual
    return None


def _among(values, actual) -> bool | None:
    if type(actual) in _EQUALITY_TYPES and all(type(value) in _EQUALITY_TYPES for value in values):
        return actual in values  # one pass in C: an outbox's mark-published write lists a whole batch
    return None


def _in_range(operator: str, bound, actual) -> bool | None:
    if type(bound) in _NUMBERS and type(actual) in _NUMBERS:
        if math.isnan(bound) or math.isnan(actual):
            return None  # NaN sorts below every number on MongoDB
    elif not (type(bound) is type(actual) is datetime.datetime and bound.tzinfo is actual.tzinfo is None):
        return None
    if operator == "$lt":
        return actual < bound
    if operator == "$lte":
        return actual <= bound
    if operator == "$gt":
        return actual > bound
    return actual >= bound


def _condition_holds(condition, document: dict, field: str) -> bool | None:
    """Whether one top-level field's condition holds, or None when only mongomock's matcher can say."""
    if type(condition) is not dict:
        return _plain_equal(condition, document.get(field, NotImplemented))
    if not condition:
        return None
    for operator, operand in condition.items():
        if operator == "$exists":
            if type(operand) is not bool:
                return None
            holds = (field in document) is operand
        elif operator in RANGE_OPERATORS:
            holds = _in_range(operator, operand, document.get(field, NotImplemented))
        elif operator == "$in" and isinstance(operand, list | tuple):
            holds = _among(operand, document.get(field, NotImplemented))
        else:
            return None
        if not holds:
            return holds
    return True


def filter_holds(query: dict, document: dict) -> bool:
    """`filtering.filter_applies`, by comparing values where the filter and the document are plain."""
    for field, condition in query.items():
        holds = None if field[:1] == "$" or "." in field else _condition_holds(condition, document, field)
        if holds is None:
            return filtering.filter_applies(query, document)
        if not holds:
            return False
    return True


def at_mongodb_precision(value):
    """mongomock's `patch_datetime_awareness_in_document` (a copy with every datetime naive UTC, to the
    millisecond), dispatching on the exact type; anything unusual takes mongomock's own path."""
    kind = type(value)
    if kind is dict:
        return {key: at_mongodb_precision(item) for key, item in value.items()}
    if kind is OrderedDict:
        return OrderedDict((key, at_mongodb_precision(item)) for key, item in value.items())
    if kind is list or kind is tuple:
        return [at_mongodb_precision(item) for item in value]
    if kind in _PRECISE:
        return value
    if kind is datetime.datetime:
        millisecond = value.microsecond // 1000 * 1000
        if value.tzinfo is None:
            return value.replace(microsecond=millisecond)
        return (value - value.utcoffset()).replace(tzinfo=None, microsecond=millisecond)
    return _mongomock_precision(value)


def returned_copy(value, container):
    """mongomock's `_copy_field` (the copy a read returns, its documents made as `container`),
    dispatching on the exact type: immutable scalars are shared rather than `copy.copy`'d."""
    kind = type(value)
    if kind is dict or kind is OrderedDict:
        copied = container()
        for key, item in value.items():
            copied[key] = returned_copy(item, container)
        return copied
    if kind is list:
        return [returned_copy(item, container) for item in value]
    if kind in _SCALARS:
        return value
    return _mongomock_returned_copy(value, container)


def timezone_aware(value):
    """mongomock's `make_datetime_timezone_aware_in_document` (a read's copy with every datetime in
    UTC, for a `tz_aware` client), dispatching on the exact type."""
    kind = type(value)
    if kind is dict or kind is OrderedDict:
        return {key: timezone_aware(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [timezone_aware(item) for item in value]
    if kind is datetime.datetime:
        return value.replace(tzinfo=helpers.utc)
    if kind in _PRECISE:
        return value
    return _mongomock_timezone_aware(value)


def copy_document(value):
    """`copy.deepcopy` for BSON values: dicts (and the OrderedDicts mongomock stores upserted
    documents as) and lists copied, immutable scalars shared, anything else (a SON, a Decimal128)
    left to `copy.deepcopy`."""
    kind = type(value)
    if kind is dict:
        return {key: copy_document(item) for key, item in value.items()}
    if kind is OrderedDict:
        return OrderedDict((key, copy_document(item)) for key, item in value.items())
    if kind is list:
        return [copy_document(item) for item in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)
