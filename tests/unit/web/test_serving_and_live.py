"""The web app's serving rules and the live conversation stream, without a server."""

from __future__ import annotations

import time
from types import SimpleNamespace

import eventlet
import pytest

from ementor.platform.http import web_app
from services.messaging import live

pytestmark = pytest.mark.unit


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=app></div>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    return tmp_path


def test_app_routes_get_the_page_assets_are_cached_and_the_api_is_never_shadowed(dist):
    assert web_app.is_app_path("/guardian/consent", "GET") and web_app.is_app_path("/", "HEAD")
    for path in ("/v1/me", "/v1", "/health/ready", "/metrics"):
        assert not web_app.is_app_path(path, "GET"), path
    assert not web_app.is_app_path("/sign-in", "POST")
    page = web_app.respond("/sign-in/complete", dist)
    assert page.status_code == 200 and page.mimetype == "text/html" and page.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    asset = web_app.respond("/assets/index-abc.js", dist)
    assert asset.mimetype in ("text/javascript", "application/javascript") and "immutable" in asset.headers["Cache-Control"]
    assert web_app.respond("/../../etc/passwd", dist).get_data() == b"<div id=app></div>"  # never outside dist


def test_an_unbuilt_app_says_how_to_build_it(tmp_path):
    answer = web_app.respond("/", tmp_path)
    assert answer.status_code == 503 and b"scripts/setup.sh" in answer.get_data()


def message(id_, status="delivered", body="hi"):
    return SimpleNamespace(id=id_, status=status, body=body)


def test_the_stream_sends_history_then_each_new_message_and_status_change_at_once_when_woken():
    stored = [message("m1")]
    wakeups = live.Wakeups()
    chunks = live.stream(lambda: list(reversed(stored)), lambda m: {"id": m.id, "status": m.status}, ("t", "x"),
                         max_seconds=5, wakeups=wakeups)
    assert next(chunks).startswith("retry:")
    assert '"id": "m1"' in next(chunks)

    def later():
        eventlet.sleep(0.05)
        stored.append(message("m2", status="held"))
        wakeups.wake(("t", "x"))
    eventlet.spawn(later)
    started = time.monotonic()
    assert '"status": "held"' in next(chunks) and time.monotonic() - started < 0.5  # woken, not polled
    stored[1] = message("m2", status="delivered")
    assert '"id": "m2", "status": "delivered"' in next(chunks)  # found by the poll, within a second
