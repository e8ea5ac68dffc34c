"""docs/indexes.md is the index set the code declares, regenerated whenever an index changes."""

from pathlib import Path

import pytest

from ementor.devtools import indexes

pytestmark = pytest.mark.unit

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_index_table_is_current():
    assert indexes.main(["check", str(DOCS)]) == 0, "run `python -m ementor.devtools.indexes write docs`"


def test_it_lists_the_inbox_key_and_its_ttl_beside_each_services_documents():
    text = indexes.render()
    assert "| inbox | tenant_id ↑, consumer ↑, event_id ↑ | unique |" in text
    assert "| inbox | handled_at ↑ | TTL 30 d |" in text
    assert "## notifications" in text and "| deliveries | tenant_id ↑, cause_event_id ↑" in text
