"""Cursor pages: every list of the API is `{"items": [...], "next_cursor": ...}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def page_of(model: type[M], rows: list, limit: int, view: Callable, cursor: Callable = lambda row: row.id) -> M:
    """One page of `model` from `rows` fetched with `limit + 1`: the extra row says a next page exists,
    and the cursor is the last row shown."""
    page = rows[:limit]
    next_cursor = cursor(page[-1]) if len(rows) > limit and page else None
    return model(items=[view(row) for row in page], next_cursor=next_cursor)
