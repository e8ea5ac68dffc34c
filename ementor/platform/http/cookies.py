"""The web app's cookie session: an HttpOnly access-token cookie, a refresh cookie, a CSRF cookie.

API clients send bearer tokens and never meet these. A request authenticated by the session
cookie that changes something must repeat the CSRF cookie's value in `X-CSRF-Token` (double
submit): another site can make the browser send the cookie, but cannot read it to copy it.
"""

from __future__ import annotations

import hmac

from werkzeug.wrappers import Response

from ..errors import Forbidden

ACCESS_COOKIE = "ementor_session"
REFRESH_COOKIE = "ementor_refresh"
CSRF_COOKIE = "ementor_csrf"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_PATH = "/v1/auth"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def set_session_cookies(response: Response, *, access_token: str, access_ttl: int, refresh_token: str,
                        session_ttl: int, csrf_token: str, secure: bool) -> Response:
    common = {"secure": secure, "samesite": "Lax"}
    response.set_cookie(ACCESS_COOKIE, access_token, max_age=access_ttl, httponly=True, path="/", **common)
    response.set_cookie(REFRESH_COOKIE, refresh_token, max_age=session_ttl, httponly=True, path=REFRESH_PATH, **common)
    response.set_cookie(CSRF_COOKIE, csrf_token, max_age=session_ttl, httponly=False, path="/", **common)
    return response


def clear_session_cookies(response: Response) -> Response:
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def require_csrf(request) -> None:
    """Refuse a cookie-authenticated unsafe request whose X-CSRF-Token does not match the CSRF cookie."""
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE) or ""
    sent = request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise Forbidden(f"send the {CSRF_COOKIE} cookie's value in the {CSRF_HEADER} header with this request",
                        code="csrf_failed")
