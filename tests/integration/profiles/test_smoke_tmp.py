import pytest
from services.profiles.service import ProfilesService

pytestmark = pytest.mark.integration


def test_smoke(start_services, api, events):
    start_services(ProfilesService)
    org = api.create_organisation("northside")
    token = api.coordinator_token(org["api_key"])
    r = api.post("/v1/programmes", token, json={"name": "Careers", "custom_fields": [{"key": "year", "label": "Year", "type": "single_choice", "options": ["10", "11"]}]})
    assert r.status_code == 201, r.text
    prog = r.json()
    r = api.post("/v1/people", token, json={"role": "mentor", "name": "Ada", "email": "ada@example.org", "timezone": "Europe/London", "interests": ["Machine Learning", "music"], "programme_id": prog["id"], "custom_fields": {"year": "10"}, "capacity": 2})
    assert r.status_code == 201, r.text
    print(r.json())
    events.wait_for("ProfileCreated")
    r = api.post("/v1/people", token, json={"role": "mentor", "name": "Ada", "email": "ADA@example.org", "timezone": "Europe/London"})
    assert r.status_code == 409, r.text
    print(r.json())
    r = api.post("/v1/people", token, data="{bad", headers={"Content-Type": "application/json"})
    print(r.status_code, r.json())
    r = api.post("/v1/people", token, json={"role": "mentor", "name": "B", "email": "bad", "timezone": "Mars/Base", "phone": "123", "x": 1})
    print(r.status_code, r.json())
    print(events.raw[0])
