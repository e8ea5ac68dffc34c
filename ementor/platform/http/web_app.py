"""The web app (web/, built into web/dist by scripts/setup.sh) served at `/` by the API server.

Every GET outside `/v1`, `/health` and `/metrics` is the app's: a built file when one exists
(hashed assets cached for a year), otherwise index.html, so the app's own router shows the page
(the links ementor emails, /sign-in/complete or /guardian/consent, land there). The Content-
Security-Policy allows only this origin's scripts, styles, images and API: no inline script and
no third-party request.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from werkzeug.wrappers import Response

DIST = Path(__file__).resolve().parents[3] / "web" / "dist"
API_PREFIXES = ("/v1/", "/health", "/metrics")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # emailed tokens sit in the URL: never pass them on
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
NOT_BUILT = ("<!doctype html><title>ementor</title><p>The web app is not built yet: run scripts/setup.sh "
             "(or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>). The API is at /v1/docs.")


def is_app_path(path: str, method: str) -> bool:
    return method in ("GET", "HEAD") and path != "/v1" and not path.startswith(API_PREFIXES)


def respond(path: str, dist: Path = DIST) -> Response:
    headers = dict(SECURITY_HEADERS)
    index = dist / "index.html"
    if not index.is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/html", headers=headers)
    file = _file_in(dist, path)
    if file is None:
        headers["Cache-Control"] = "no-cache"
        return Response(index.read_bytes(), mimetype="text/html", headers=headers)
    immutable = file.parent.name == "assets"  # Vite names them by content hash
    headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
    mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return Response(file.read_bytes(), mimetype=mimetype, headers=headers)


def _file_in(dist: Path, path: str) -> Path | None:
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        return None
    candidate = (dist / relative).resolve()
    if dist.resolve() not in candidate.parents or not candidate.is_file():
        return None  # outside dist (../) or not a file: the app's route
    return candidate
