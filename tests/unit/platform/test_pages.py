from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from ementor.platform.pages import page_of

pytestmark = pytest.mark.unit


class Names(BaseModel):
    items: list[str]
    next_cursor: str | None


ROWS = [SimpleNamespace(id=f"id{i}", name=f"n{i}") for i in range(4)]


def test_a_row_beyond_the_limit_means_a_next_page_starting_after_the_last_row_shown():
    page = page_of(Names, ROWS, 3, lambda row: row.name)
    assert page == Names(items=["n0", "n1", "n2"], next_cursor="id2")


def test_the_last_page_has_no_cursor():
    assert page_of(Names, ROWS[:3], 3, lambda row: row.name) == Names(items=["n0", "n1", "n2"], next_cursor=None)
    assert page_of(Names, [], 3, lambda row: row.name) == Names(items=[], next_cursor=None)


def test_the_cursor_can_come_from_a_document_dict():
    docs = [{"_id": "a"}, {"_id": "b"}]
    page = page_of(Names, docs, 1, lambda doc: doc["_id"].upper(), cursor=lambda doc: doc["_id"])
    assert page == Names(items=["A"], next_cursor="a")
