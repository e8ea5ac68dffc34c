"""What every walkthrough step gets: the API, the events seen, shared state, and a voice."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import requests


class Api:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, expect: int | tuple = (200, 201, 202, 204),
             **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.session.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in expected:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text}")
        return response

    def get(self, path, token=None, **kw):
        return self.call("GET", path, token, **kw)

    def post(self, path, token=None, **kw):
        return self.call("POST", path, token, **kw)

    def patch(self, path, token=None, **kw):
        return self.call("PATCH", path, token, **kw)

    def delete(self, path, token=None, **kw):
        return self.call("DELETE", path, token, **kw)


@dataclass
class Tour:
    api: Api
    admin_token: str
    events: object  # an event recorder with wait_for(type, predicate, timeout) and of_type(type)
    state: dict = field(default_factory=dict)
    out: list = field(default_factory=list)

    def say(self, title: str, detail=None) -> None:
        print(f"\n== {title}", flush=True)
        if detail is not None:
            text = detail if isinstance(detail, str) else json.dumps(detail, indent=2, default=str)
            print("   " + text.replace("\n", "\n   "), flush=True)

    def show_events(self, *types: str, since: float = 0.0) -> None:
        for type_name in types:
            for event in self.events.of_type(type_name):
                if event.time.timestamp() >= since:
                    print(f"   event {event.type:<22} subject={event.subject} data={json.dumps(event.data)[:160]}")

    @staticmethod
    def now() -> float:
        return time.time()
