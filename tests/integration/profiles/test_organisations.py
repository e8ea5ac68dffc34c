"""Organisations, API keys and tokens."""

import pytest

pytestmark = pytest.mark.integration


def test_only_the_operator_creates_organisations_and_slugs_are_unique(profiles, api, events):
    assert api.post("/v1/organisations", json={"slug": "a", "name": "A"}).status_code == 401
    assert api.post("/v1/organisations", "wrong", json={"slug": "a", "name": "A"}).status_code == 401
    created = api.create_organisation("harbour")
    assert created["api_key"].startswith("emk_")
    again = api.post("/v1/organisations", api.admin_token, json={"slug": "harbour", "name": "Other"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "slug_taken"
    bad = api.post("/v1/organisations", api.admin_token, json={"slug": "Not A Slug", "name": "X"})
    assert bad.status_code == 422
    [event] = events.wait_for("OrganisationCreated")
    assert event.tenantid == created["id"] and event.data["slug"] == "harbour"


def test_tokens_carry_the_role_of_whoever_they_act_for(profiles, api):
    created = api.create_organisation("harbour")
    token = api.post("/v1/auth/token", created["api_key"]).json()
    assert token["token_type"] == "Bearer" and token["role"] == "coordinator" and token["expires_in"] > 0
    person = api.post("/v1/people", token["access_token"], json={
        "role": "mentor", "name": "Li", "email": "li@example.org", "timezone": "Asia/Shanghai"}).json()
    as_person = api.post("/v1/auth/token", created["api_key"], json={"person_id": person["id"]}).json()
    assert as_person["role"] == "mentor" and as_person["person_id"] == person["id"]
    forbidden = api.post("/v1/people", as_person["access_token"], json={})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "role_not_allowed"


def test_a_rotated_key_stops_working_and_the_new_one_works(profiles, api):
    created = api.create_organisation("harbour")
    old_key = created["api_key"]
    rotated = api.post(f"/v1/organisations/{created['id']}/api-keys", api.admin_token, json={})
    assert rotated.status_code == 201
    new_key = rotated.json()["api_key"]
    assert api.post("/v1/auth/token", old_key).status_code == 401
    assert api.post("/v1/auth/token", new_key).status_code == 200
    graceful = api.post(f"/v1/organisations/{created['id']}/api-keys", api.admin_token,
                        json={"previous_key_valid_for_seconds": 3600}).json()
    assert api.post("/v1/auth/token", new_key).status_code == 200, "still valid during the grace period"
    assert api.post("/v1/auth/token", graceful["api_key"]).status_code == 200
    assert api.post("/v1/organisations/nope/api-keys", api.admin_token, json={}).status_code == 404


def test_programmes_validate_their_custom_fields_and_people_answer_them(profiles, api, events):
    created = api.create_organisation("harbour")
    token = api.coordinator_token(created["api_key"])
    bad = api.post("/v1/programmes", token, json={"name": "P", "custom_fields": [
        {"key": "year", "label": "Year", "type": "single_choice", "options": ["10"]}]})
    assert bad.status_code == 422 and "two options" in bad.json()["error"]["message"]
    programme = api.post("/v1/programmes", token, json={"name": "P", "custom_fields": [
        {"key": "year", "label": "Year", "type": "single_choice", "options": ["10", "11"], "required": True},
        {"key": "hours", "label": "Hours a week", "type": "number"},
        {"key": "topics", "label": "Topics", "type": "multiple_choice", "options": ["cv", "interviews", "uni"]},
    ]}).json()
    assert api.post("/v1/programmes", token, json={"name": "P"}).status_code == 409
    base = {"role": "mentee", "name": "A", "email": "a@example.org", "timezone": "Europe/London",
            "programme_id": programme["id"]}
    missing = api.post("/v1/people", token, json=base)
    assert missing.status_code == 422 and "requires an answer to: Year (year)" in missing.json()["error"]["message"]
    wrong = api.post("/v1/people", token, json={**base, "custom_fields": {"year": "12"}})
    assert wrong.status_code == 422 and "one of" in wrong.json()["error"]["message"]
    unknown = api.post("/v1/people", token, json={**base, "custom_fields": {"year": "10", "colour": "red"}})
    assert unknown.status_code == 422 and "colour" in unknown.json()["error"]["message"]
    ok = api.post("/v1/people", token, json={**base, "custom_fields": {"year": "10", "hours": 2, "topics": ["cv"]}})
    assert ok.status_code == 201 and ok.json()["custom_fields"] == {"year": "10", "hours": 2.0, "topics": ["cv"]}
    [event] = events.wait_for("ProgrammeCreated")
    assert [f["key"] for f in event.data["custom_fields"]] == ["year", "hours", "topics"]
    listed = api.get("/v1/programmes", token).json()
    assert [p["id"] for p in listed["items"]] == [programme["id"]]
