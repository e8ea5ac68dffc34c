"""People over the public API: create, read, update, list, erase, and every way to get it wrong."""

import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from .conftest import mentee, mentor

pytestmark = pytest.mark.integration


def test_a_coordinator_registers_a_mentor_and_the_profile_is_published_without_contact_details(org, api, events):
    response = api.post("/v1/people", org["token"], json=mentor(
        interests=["  Machine Learning", "machine_learning", "Music"], phone="+44 7700 900123", languages=["EN", "pt-BR"],
    ))
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["interests"] == ["machine-learning", "music"]
    assert person["phone"] == "+447700900123"
    assert person["languages"] == ["en", "pt-BR"]

    [created] = events.wait_for("ProfileCreated")
    assert created.tenantid == org["id"] and created.subject == person["id"]
    assert created.data["interests"] == ["machine-learning", "music"]
    assert "email" not in created.data and "phone" not in created.data and "name" not in created.data


@pytest.mark.parametrize("change, field", [
    ({"email": "not-an-email"}, "email"),
    ({"phone": "12345"}, "phone"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "+01:00"}, "timezone"),
    ({"role": "teacher"}, "role"),
    ({"nickname": "jj"}, "nickname"),
    ({"capacity": 3}, None),
    ({"languages": ["english!"]}, "languages"),
    ({"interests": ["!!!"]}, "interests"),
    ({"channels": {"email": True, "sms": True}}, "channels.sms"),
    ({"programme_id": "000000000000000000000000"}, "programme_id"),
])
def test_bad_values_are_rejected_with_a_message_naming_the_field(org, api, events, change, field):
    response = api.post("/v1/people", org["token"], json=mentee(**change))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"]
    if field:
        assert field in [d["field"] for d in error["details"]] or field in error["message"]
    assert api.get("/v1/people", org["token"]).json()["items"] == [], "nothing is half-written"


def test_malformed_json_is_a_400_and_a_non_object_too(org, api):
    for raw in ("{bad json", "[1, 2]"):
        response = api.post("/v1/people", org["token"], data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "malformed_json"
    response = api.post("/v1/people", org["token"], data="role=mentee", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_an_email_is_unique_within_an_organisation_but_not_across_them(org, api, events):
    assert api.post("/v1/people", org["token"], json=mentee()).status_code == 201
    duplicate = api.post("/v1/people", org["token"], json=mentee(email="JAMIE@example.org", name="Other"))
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "email_taken"

    other = api.create_organisation("southside")
    other_token = api.coordinator_token(other["api_key"])
    assert api.post("/v1/people", other_token, json=mentee()).status_code == 201
    events.wait_for("ProfileCreated", count=2)
    assert len(events.of_type("ProfileCreated")) == 2, "the refused duplicate published nothing"


def test_tokens_are_required_and_checked(org, api):
    assert api.get("/v1/people").status_code == 401
    assert api.get("/v1/people", "not-a-jwt").status_code == 401
    assert api.get("/v1/people", api.admin_token).status_code == 401
    assert api.post("/v1/auth/token", "emk_nope_nope").status_code == 401
    unauthorised = api.get("/v1/people", headers={"Authorization": "Basic abc"})
    assert unauthorised.status_code == 401 and "Bearer" in unauthorised.json()["error"]["message"]


def test_one_organisation_never_sees_or_changes_another_s_people(org, api):
    theirs = api.post("/v1/people", org["token"], json=mentor()).json()
    other = api.create_organisation("southside")
    other_token = api.coordinator_token(other["api_key"])

    assert api.get(f"/v1/people/{theirs['id']}", other_token).status_code == 404
    assert api.patch(f"/v1/people/{theirs['id']}", other_token, json={"name": "Mallory"}).status_code == 404
    assert api.delete(f"/v1/people/{theirs['id']}", other_token).status_code == 404
    assert api.get("/v1/people", other_token).json()["items"] == []
    assert api.post("/v1/auth/token", other["api_key"], json={"person_id": theirs["id"]}).status_code == 404
    assert api.get(f"/v1/people/{theirs['id']}", org["token"]).json()["name"] == "Amara"


def test_a_person_sees_mentors_without_contact_details_and_only_changes_themself(org, api):
    amara = api.post("/v1/people", org["token"], json=mentor()).json()
    jamie = api.post("/v1/people", org["token"], json=mentee()).json()
    other_mentee = api.post("/v1/people", org["token"], json=mentee(email="sam@example.org", name="Sam")).json()
    jamie_token = api.person_token(org["api_key"], jamie["id"])

    seen = api.get(f"/v1/people/{amara['id']}", jamie_token).json()
    assert seen["name"] == "Amara" and "email" not in seen and "phone" not in seen
    assert api.get(f"/v1/people/{other_mentee['id']}", jamie_token).status_code == 404
    assert api.get("/v1/people", jamie_token).status_code == 403
    assert api.patch(f"/v1/people/{amara['id']}", jamie_token, json={"bio": "x"}).status_code == 403

    assert api.patch(f"/v1/people/{jamie['id']}", jamie_token, json={"bio": "I like robots"}).json()["bio"] == "I like robots"
    refused = api.patch(f"/v1/people/{jamie['id']}", jamie_token, json={"vetted": True})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "coordinator_only"


def test_updates_publish_what_changed(org, api, events):
    amara = api.post("/v1/people", org["token"], json=mentor()).json()
    response = api.patch(f"/v1/people/{amara['id']}", org["token"], json={"interests": ["Chess"], "capacity": 3, "vetted": True})
    assert response.status_code == 200, response.text
    [updated] = events.wait_for("ProfileUpdated")
    assert updated.data["changed"] == ["capacity", "interests", "vetted", "vetting_level"]
    assert updated.data["vetting_level"] == "basic"  # the old boolean's "yes" records the lowest level
    assert updated.data["interests"] == ["chess"] and updated.data["capacity"] == 3

    assert api.patch(f"/v1/people/{amara['id']}", org["token"], json={"role": "mentee"}).status_code == 422
    assert api.patch(f"/v1/people/{amara['id']}", org["token"], json={"email": None}).status_code == 422
    assert api.patch(f"/v1/people/{amara['id']}", org["token"], json={"capacity": 3}).status_code == 200
    events.wait_for("ProfileCreated")
    assert len(events.of_type("ProfileUpdated")) == 1, "a refused or no-op change publishes nothing"


def test_a_mentor_pauses_new_mentees_with_a_capacity_of_zero_and_matching_hears_of_it(org, api, events):
    amara = api.post("/v1/people", org["token"], json=mentor()).json()
    amara_token = api.person_token(org["api_key"], amara["id"])

    paused = api.patch(f"/v1/people/{amara['id']}", amara_token, json={"capacity": 0})
    assert paused.status_code == 200 and paused.json()["capacity"] == 0, paused.text
    [updated] = events.wait_for("ProfileUpdated")
    assert (updated.data["changed"], updated.data["capacity"]) == (["capacity"], 0)
    too_many = api.patch(f"/v1/people/{amara['id']}", amara_token, json={"capacity": 21})
    assert too_many.status_code == 422 and "between 0 (not taking new mentees for now) and 20" in too_many.text


def test_staff_record_a_vetting_level_with_who_and_when_and_the_boolean_follows(org, api, events):
    amara = api.post("/v1/people", org["token"], json=mentor(vetting_level="standard")).json()
    assert (amara["vetting_level"], amara["vetted"], amara["vetting"]["level"]) == ("standard", True, "standard")
    assert amara["vetting"]["recorded_by"].startswith(("staff:", "integration:"))
    [created] = events.wait_for("ProfileCreated")
    assert (created.data["vetting_level"], created.data["vetted"]) == ("standard", True)

    raised = api.patch(f"/v1/people/{amara['id']}", org["token"], json={"vetting_level": "enhanced"}).json()
    assert raised["vetting_level"] == "enhanced" and raised["vetting"]["recorded_at"] >= amara["vetting"]["recorded_at"]
    kept = api.patch(f"/v1/people/{amara['id']}", org["token"], json={"vetted": True}).json()
    assert kept["vetting_level"] == "enhanced", "an older client's vetted: true never lowers a recorded level"
    removed = api.patch(f"/v1/people/{amara['id']}", org["token"], json={"vetted": False}).json()
    assert (removed["vetting_level"], removed["vetted"]) == ("none", False)

    clash = api.patch(f"/v1/people/{amara['id']}", org["token"], json={"vetted": False, "vetting_level": "basic"})
    assert clash.status_code == 422 and clash.json()["error"]["code"] == "vetting_mismatch"
    unknown = api.patch(f"/v1/people/{amara['id']}", org["token"], json={"vetting_level": "gold"})
    assert unknown.status_code == 422 and "vetting_level" in unknown.text
    jamie = api.post("/v1/people", org["token"], json=mentee()).json()
    own = api.patch(f"/v1/people/{jamie['id']}", api.person_token(org["api_key"], jamie["id"]),
                    json={"vetting_level": "enhanced"})
    assert own.status_code == 403 and own.json()["error"]["code"] == "coordinator_only"
    seen = api.get(f"/v1/people/{amara['id']}", api.person_token(org["api_key"], jamie["id"]))
    assert "vetting" not in seen.json() or seen.json().get("vetting") is None


@pytest.mark.parametrize("change, changed", [
    ({"bio": "only the bio"}, ["bio"]),
    ({"name": "Amara O."}, ["name"]),
    ({"email": "amara.o@example.org"}, ["email"]),
    ({"phone": "+447700900123"}, ["phone"]),
    ({"quiet_hours": {"start": "22:00", "end": "07:00"}}, ["quiet_hours"]),
    ({"bio": "new", "interests": ["chess"]}, ["bio", "interests"]),
])
def test_every_profile_change_is_published_naming_the_fields_without_contact_details(org, api, events, change,
                                                                                       changed):
    amara = api.post("/v1/people", org["token"], json=mentor(bio="old", phone="+447700900999")).json()
    assert api.patch(f"/v1/people/{amara['id']}", org["token"], json=change).status_code == 200
    [updated] = events.wait_for("ProfileUpdated")
    assert updated.data["changed"] == changed
    published = json.dumps(updated.data)
    for private in ("Amara", "amara", "+44", "old", "new", "22:00"):
        assert private not in published


def test_listing_filters_and_pages(org, api):
    for i in range(5):
        api.post("/v1/people", org["token"], json=mentee(email=f"m{i}@example.org", interests=["Robotics"] if i % 2 else ["art"]))
    api.post("/v1/people", org["token"], json=mentor())
    first = api.get("/v1/people?role=mentee&limit=2", org["token"]).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.get(f"/v1/people?role=mentee&limit=2&cursor={first['next_cursor']}", org["token"]).json()
    third = api.get(f"/v1/people?role=mentee&limit=2&cursor={second['next_cursor']}", org["token"]).json()
    ids = [p["id"] for p in first["items"] + second["items"] + third["items"]]
    assert len(ids) == len(set(ids)) == 5 and third["next_cursor"] is None
    robotics = api.get("/v1/people?interest=ROBOTICS", org["token"]).json()["items"]
    assert {p["name"] for p in robotics} == {"Jamie", "Amara"} and len(robotics) == 3
    assert api.get("/v1/people?limit=0", org["token"]).status_code == 422
    assert api.get("/v1/people?role=teacher", org["token"]).status_code == 422


def test_erasure_removes_the_person_everywhere_it_can_see_and_tells_the_other_services(org, api, events, settings):
    jamie = api.post("/v1/people", org["token"], json=mentee(phone="+447700900123")).json()
    jamie_token = api.person_token(org["api_key"], jamie["id"])
    with ClusterRpcProxy({"AMQP_URI": settings.AMQP_URI}) as rpc:
        assert rpc.profiles.get_contacts(org["id"], [jamie["id"]])[jamie["id"]]["email"] == "jamie@example.org"
        assert rpc.profiles.get_contacts("another-tenant", [jamie["id"]]) == {}

        assert api.delete(f"/v1/people/{jamie['id']}", jamie_token).status_code == 204
        [erased] = events.wait_for("PersonErased")
        assert erased.subject == jamie["id"] and erased.data == {"person_id": jamie["id"], "role": "mentee"}
        assert rpc.profiles.get_contacts(org["id"], [jamie["id"]]) == {}
    assert api.get(f"/v1/people/{jamie['id']}", org["token"]).status_code == 404
    assert api.delete(f"/v1/people/{jamie['id']}", org["token"]).status_code == 404
    assert api.post("/v1/people", org["token"], json=mentee()).status_code == 201, "the email is free again"


def test_events_carry_the_trace_of_the_request_that_caused_them(org, api, events):
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    api.post("/v1/people", org["token"], json=mentee(), headers={"traceparent": trace})
    api.post("/v1/people", org["token"], json=mentor())
    first, second = events.wait_for("ProfileCreated", count=2)
    assert first.traceparent == trace
    assert second.traceparent and second.traceparent.split("-")[1] != trace.split("-")[1], "a new trace per request"
