"""The operator lists organisations and disables one: its keys and tokens stop working everywhere."""

from __future__ import annotations

import os
import sys
import types

import pytest

from ementor.platform.http import revocation
from services.matching.service import MatchingService
from services.profiles.service import ProfilesService
from tests.support.events import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(start_services, monkeypatch):
    monkeypatch.setattr(revocation, "REFRESH_SECONDS", 0.2)
    return start_services(ProfilesService, MatchingService)


def test_the_operator_lists_organisations_page_by_page(platform, api):
    created = [api.create_organisation(slug) for slug in ("harbour", "northside", "riverside")]
    assert api.get("/v1/organisations").status_code == 401
    assert api.get("/v1/organisations", api.admin_token + "x").status_code == 401
    first = api.get("/v1/organisations?limit=2", api.admin_token).json()
    rest = api.get(f"/v1/organisations?limit=2&cursor={first['next_cursor']}", api.admin_token).json()
    listed = first["items"] + rest["items"]
    assert [o["slug"] for o in listed] == ["harbour", "northside", "riverside"] and rest["next_cursor"] is None
    assert {o["id"] for o in listed} == {o["id"] for o in created}
    assert all(o["status"] == "active" and "api_key" not in o for o in listed)


def test_a_disabled_organisations_key_and_tokens_stop_working_in_every_service(platform, api):
    disabled, other = api.create_organisation("harbour"), api.create_organisation("northside")
    token, other_token = api.coordinator_token(disabled["api_key"]), api.coordinator_token(other["api_key"])
    assert api.get("/v1/matches", token).status_code == 200

    response = api.post(f"/v1/organisations/{disabled['id']}/disable", api.admin_token)
    assert response.status_code == 200 and response.json()["status"] == "disabled"
    assert response.json()["disabled_at"]
    refused = api.post("/v1/auth/token", disabled["api_key"])
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "organisation_disabled"

    def tokens_refused():
        for path in ("/v1/programmes", "/v1/matches"):  # profiles and matching
            answer = api.get(path, token)
            assert answer.status_code == 401 and answer.json()["error"]["code"] == "organisation_disabled", path

    eventually(tokens_refused, timeout=10)
    assert api.get("/v1/matches", other_token).status_code == 200, "other organisations go on"
    assert api.post("/v1/auth/token", other["api_key"]).status_code == 200
    listed = {o["slug"]: o["status"] for o in api.get("/v1/organisations", api.admin_token).json()["items"]}
    assert listed == {"harbour": "disabled", "northside": "active"}
    assert api.post("/v1/organisations/nobody/disable", api.admin_token).status_code == 404


def test_the_operator_lists_and_disables_organisations_from_the_cli(platform, api, settings):
    created = api.create_organisation("harbour")
    listed = cli(settings, "organisation", "list")
    assert listed.returncode == 0, listed.stderr
    assert created["id"] in listed.stdout and "active" in listed.stdout and "1 organisation(s)" in listed.stdout

    disabled = cli(settings, "organisation", "disable", created["id"])
    assert disabled.returncode == 0 and '"status": "disabled"' in disabled.stdout
    missing = cli(settings, "organisation", "disable", "nobody")
    assert missing.returncode == 1 and missing.stderr.strip() == (
        "ementor: POST /v1/organisations/nobody/disable answered 404: no organisation nobody"
    )


def cli(settings, *args):
    """The CLI in a child process; green waiting, so the services in this process keep answering."""
    from eventlet.green import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "MONGODB_"))}
    env.update(EMENTOR_ENV="test", EMENTOR_ADMIN_TOKEN=settings.EMENTOR_ADMIN_TOKEN,
               EMENTOR_JWT_SECRET=settings.EMENTOR_JWT_SECRET, EMENTOR_LOG_FORMAT="text")
    process = subprocess.Popen([sys.executable, "-m", "ementor.cli", *args, "--url",
                                f"http://{settings.EMENTOR_HTTP_ADDRESS}"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate(timeout=60)
    return types.SimpleNamespace(returncode=process.returncode, stdout=stdout, stderr=stderr)
