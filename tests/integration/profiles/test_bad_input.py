"""Input the rest of the platform cannot carry is refused at the profiles API, before anything is stored."""

import pytest

from .conftest import mentee

pytestmark = pytest.mark.integration


@pytest.fixture
def programme(org, api):
    response = api.post("/v1/programmes", org["token"], json={
        "name": "STEM", "custom_fields": [{"key": "age", "label": "Age", "type": "number"}]})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("raw_age, status", [("NaN", 400), ("Infinity", 400), ("-Infinity", 400), ("1e999", 422)])
def test_a_non_finite_number_custom_field_is_refused_and_the_list_stays_json(org, api, events, programme,
                                                                             raw_age, status):
    body = ('{"role": "mentee", "name": "Jamie", "email": "jamie@example.org", "timezone": "Europe/London", '
            f'"programme_id": "{programme["id"]}", "custom_fields": {{"age": {raw_age}}}}}')
    response = api.post("/v1/people", org["token"], data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert "finite number" in response.json()["error"]["message"]

    listed = api.get("/v1/people", org["token"])
    assert listed.status_code == 200 and listed.json()["items"] == []
    ok = api.post("/v1/people", org["token"], json=mentee(programme_id=programme["id"], custom_fields={"age": 15.5}))
    assert ok.status_code == 201, ok.text
    [created] = events.wait_for("ProfileCreated")
    assert created.data["custom_fields"] == {"age": 15.5}


@pytest.mark.parametrize("name", ["Jamie\r\nBcc: someone@example.net", "Jamie\nSmith", "Jamie\tSmith",
                                  "Jamie\u2028Smith"])
def test_line_breaks_in_a_name_are_refused_when_creating_and_changing(org, api, name):
    created = api.post("/v1/people", org["token"], json=mentee(name=name))
    assert created.status_code == 422, created.text
    assert created.json()["error"]["details"][0]["field"] == "name"
    assert "single line" in created.json()["error"]["message"]

    jamie = api.post("/v1/people", org["token"], json=mentee()).json()
    changed = api.patch(f"/v1/people/{jamie['id']}", org["token"], json={"name": name})
    assert changed.status_code == 422, changed.text
    assert api.get(f"/v1/people/{jamie['id']}", org["token"]).json()["name"] == "Jamie"


@pytest.mark.parametrize("path, body, field", [
    ("/v1/programmes", {"name": "STEM\r\nclub"}, "name"),
    ("/v1/programmes", {"name": "STEM", "custom_fields": [{"key": "y", "label": "Year\ngroup", "type": "text"}]},
     "custom_fields.0.label"),
    ("/v1/people", mentee(interests=["robots\nand more"]), "interests.0"),
    ("/v1/people", mentee(timezone="Europe/London\n"), None),  # stripped, then a real zone: accepted
])
def test_single_line_fields_refuse_line_breaks_and_name_the_field(org, api, path, body, field):
    response = api.post(path, org["token"], json=body)
    if field is None:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field


def test_an_organisation_name_with_a_line_break_is_refused(profiles, api):
    response = api.post("/v1/organisations", api.admin_token, json={"slug": "north", "name": "North\r\nside"})
    assert response.status_code == 422, response.text
