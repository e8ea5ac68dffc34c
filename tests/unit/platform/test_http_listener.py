"""A second process on the HTTP port is refused with a message that says what to do, instead of
sharing the port (eventlet's default SO_REUSEPORT) and silently taking half of the requests."""

from __future__ import annotations

import pytest

from ementor.platform.http.server import _listen


def test_a_port_already_served_is_refused_with_the_address_and_the_setting_to_change():
    first = _listen(("127.0.0.1", 0))
    host, port = first.getsockname()[:2]
    try:
        with pytest.raises(OSError) as refused:
            _listen((host, port))
        assert f"http://127.0.0.1:{port}" in str(refused.value)
        assert "EMENTOR_HTTP_ADDRESS" in str(refused.value)
    finally:
        first.close()
