"""A session-list cursor that this API did not return is a BadCursor (a 400), whatever it holds."""

import base64

import pytest

from services.video.repository import BadCursor, decode_cursor

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw", [b"[" * 100_000, b"[NaN, 1]", b'["2025-01-01T00:00:00", "x"]', b"\xff"])
def test_a_forged_cursor_is_refused_as_a_bad_cursor(raw):
    with pytest.raises(BadCursor):
        decode_cursor(base64.urlsafe_b64encode(raw).decode())
