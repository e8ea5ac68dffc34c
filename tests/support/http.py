"""A small HTTP client for the public API, with bearer tokens."""

from __future__ import annotations

import requests


class ApiClient:
    def __init__(self, base_url: str, admin_token: str):
        self.base_url = base_url.rstrip("/")
        self.admin_token = admin_token
        self.session = requests.Session()

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, token=None, **kw):
        return self.request("POST", path, token, **kw)

    def patch(self, path, token=None, **kw):
        return self.request("PATCH", path, token, **kw)

    def delete(self, path, token=None, **kw):
        return self.request("DELETE", path, token, **kw)

    # -- common set-up -------------------------------------------------------------------
    def create_organisation(self, slug: str, name: str | None = None) -> dict:
        response = self.post("/v1/organisations", self.admin_token, json={"slug": slug, "name": name or slug.title()})
        assert response.status_code == 201, response.text
        return response.json()

    def coordinator_token(self, api_key: str) -> str:
        response = self.post("/v1/auth/token", api_key)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def person_token(self, api_key: str, person_id: str) -> str:
        response = self.post("/v1/auth/token", api_key, json={"person_id": person_id})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]
