"""The RabbitMQ management HTTP API: the organisations' own users, permissions and connections."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests


class ManagementError(RuntimeError):
    """The management API refused or could not be reached."""


class ManagementClient:
    """The few calls of the RabbitMQ management HTTP API we need. Plain class: testable alone."""

    def __init__(self, url: str, timeout: float = 10.0, session: requests.Session | None = None):
        parts = urlsplit(url.rstrip("/"))
        self.auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
        netloc = parts.hostname or "localhost"
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port:
            netloc += f":{parts.port}"
        self.base = urlunsplit((parts.scheme or "http", netloc, parts.path, "", "")) + "/api"
        self.timeout = timeout
        self.session = session or requests.Session()

    def _call(
        self,
        method: str,
        path: str,
        json: dict | None = None,
        ok=(200, 201, 204),
        headers: dict | None = None,
    ) -> requests.Response:
        try:
            response = self.session.request(
                method, self.base + path, json=json, auth=self.auth, timeout=self.timeout, headers=headers
            )
        except requests.RequestException as exc:
            raise ManagementError(f"RabbitMQ management API unreachable: {exc}") from None
        if response.status_code not in ok:
            raise ManagementError(
                f"RabbitMQ management API answered {response.status_code} to {method} {path}: "
                f"{response.text[:200]}"
            )
        return response

    @staticmethod
    def _q(name: str) -> str:
        return quote(name, safe="")

    def put_user(self, username: str, password: str) -> None:
        self._call("PUT", f"/users/{self._q(username)}", {"password": password, "tags": ""})

    def delete_user(self, username: str) -> None:
        self._call("DELETE", f"/users/{self._q(username)}", ok=(200, 204, 404))

    def set_permissions(self, vhost: str, username: str, permissions: dict[str, str]) -> None:
        self._call("PUT", f"/permissions/{self._q(vhost)}/{self._q(username)}", permissions)

    def set_topic_permissions(self, vhost: str, username: str, permissions: dict[str, str]) -> None:
        self._call("PUT", f"/topic-permissions/{self._q(vhost)}/{self._q(username)}", permissions)

    def set_user_limit(self, username: str, limit: str, value: int) -> None:
        self._call("PUT", f"/user-limits/{self._q(username)}/{limit}", {"value": value})

    def close_connections(self, username: str, reason: str) -> None:
        """Close the user's open connections (a rotated or revoked password must stop working).

        The per-user endpoint reads the broker's connection tracking, so it also closes a connection
        opened a moment ago, which the statistics behind `/connections/<name>` do not list yet.
        """
        self._call(
            "DELETE",
            f"/connections/username/{self._q(username)}",
            ok=(200, 204, 404),
            headers={"X-Reason": reason},
        )
