"""Bulk onboarding over the public API: a CSV of people becomes a job that creates, updates or refuses rows."""

import pytest

from tests.support.events import eventually

pytestmark = pytest.mark.integration

HEADER = "role,name,email,timezone,interests,capacity,is_minor,phone,guardian.name,guardian.email"
GOOD = (
    f"{HEADER}\r\n"
    "mentee,Jamie Rivera,Jamie@Example.org,Europe/London,robotics;music,,true,,Helen Rivera,helen@example.org\r\n"
    "mentor,Amara Okafor,amara@example.org,Europe/London,robotics,2,false,+44 7700 900123,,\r\n"
)
CSV = {"Content-Type": "text/csv"}


def upload(api, token, body: str | bytes, **params):
    data = body.encode() if isinstance(body, str) else body
    return api.post("/v1/people/imports", token, data=data, headers=dict(CSV), params=params)


def finished(api, token, job_id):
    def check():
        status = api.get(f"/v1/people/imports/{job_id}", token).json()
        assert status["status"] == "completed", status
        return status
    return eventually(check, timeout=20)


def people(api, token):
    return api.get("/v1/people", token, params={"limit": 200}).json()["items"]


def test_a_good_file_creates_people_publishes_their_profiles_and_schedules_invitations(org, api, events):
    response = upload(api, org["token"], GOOD, invitations_per_hour=60)
    assert response.status_code == 202, response.text
    assert response.json()["total"] == 2

    status = finished(api, org["token"], response.json()["id"])
    assert (status["created"], status["updated"], status["unchanged"], status["refused"]) == (2, 0, 0, [])
    assert status["processed"] == 2 and status["invitations_scheduled"] == 2

    created = events.wait_for("ProfileCreated", count=2)
    assert {e.data["role"] for e in created} == {"mentor", "mentee"}
    by_email = {p["email"]: p for p in people(api, org["token"])}
    assert by_email["jamie@example.org"]["interests"] == ["robotics", "music"]
    assert by_email["jamie@example.org"]["is_minor"] is True
    assert by_email["jamie@example.org"]["guardian_consent"] == "pending"
    assert by_email["amara@example.org"]["phone"] == "+447700900123"
    assert by_email["amara@example.org"]["capacity"] == 2


def test_re_importing_the_same_file_changes_nothing_and_a_changed_row_updates(org, api, events):
    first = upload(api, org["token"], GOOD).json()
    finished(api, org["token"], first["id"])
    events.wait_for("ProfileCreated", count=2)

    again = finished(api, org["token"], upload(api, org["token"], GOOD).json()["id"])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)

    changed = GOOD.replace("robotics;music", "robotics;chess")
    status = finished(api, org["token"], upload(api, org["token"], changed).json()["id"])
    assert (status["created"], status["updated"], status["unchanged"]) == (0, 1, 1)
    [updated] = events.wait_for("ProfileUpdated")
    assert updated.data["changed"] == ["interests"] and updated.data["interests"] == ["robotics", "chess"]
    assert len(people(api, org["token"])) == 2


def test_bad_rows_are_refused_one_by_one_with_messages_naming_the_column(org, api, events):
    body = (
        f"{HEADER}\r\n"
        "mentee,Ok Person,ok@example.org,Europe/London,,,,\r\n"                   # row 2: fine
        "mentee,Bad Mail,not-an-address,Europe/London,,,,\r\n"                    # row 3
        "mentee,=HYPERLINK(\"http://evil\"),x@example.org,Europe/London,,,,\r\n"  # row 4: formula
        "mentee,Twin One,twin@example.org,Europe/London,,,,\r\n"                  # row 5: duplicate
        "mentee,Twin Two,TWIN@example.org,Europe/London,,,,\r\n"                  # row 6: duplicate
        "mentor,Young Mentor,young@example.org,Mars/Olympus,,2,true,\r\n"         # row 7: two problems
        "mentee,Some One,some@example.org,Europe/London,,,maybe,\r\n"             # row 8
    )
    status = finished(api, org["token"], upload(api, org["token"], body).json()["id"])
    assert (status["created"], status["refused_count"]) == (1, 6)
    refused = {r["row"]: r["errors"] for r in status["refused"]}
    assert sorted(refused) == [3, 4, 5, 6, 7, 8]
    assert refused[3][0].startswith("email: ")
    assert refused[4][0].startswith("name: starts with '='") and "CSV injection" in refused[4][0]
    assert refused[5] == ["email: twin@example.org is in rows 5, 6; keep one row per person"] == refused[6]
    assert any("timezone" in m or "minor" in m for m in refused[7])
    assert refused[8] == ["is_minor: 'maybe' is not true or false (yes/no, 1/0 also work)"]
    assert [p["email"] for p in people(api, org["token"])] == ["ok@example.org"]
    events.wait_for("ProfileCreated")


@pytest.mark.parametrize("body, status, code, words", [
    ("name,email\r\nJamie,jamie@example.org\r\n", 422, "missing_columns", ["role", "timezone"]),
    ("role,name,email,timezone,nickname\r\nmentee,J,j@example.org,UTC,jj\r\n", 422, "unknown_columns", ["nickname"]),
    ("", 422, "missing_columns", ["role"]),
    (f"{HEADER}\r\n", 422, "no_rows", ["no people"]),
    ("role,name,email,timezone\r\nmentee,\"J,j@example.org,UTC\r\n", 400, "malformed_csv", ["line"]),
    ("role,name,email,timezone\r\nmentee,Zoë,z@example.org,UTC\r\n".encode("cp1252"), 400, "bad_encoding",
     ["UTF-8", "line 2"]),
    ("role,name,email,timezone\r\nmentee,J,j@example.org,UTC\r\n".encode("utf-16"), 400, "bad_encoding", ["UTF-8"]),
])
def test_a_file_that_cannot_be_read_is_refused_whole_before_anything_is_imported(org, api, body, status, code, words):
    response = upload(api, org["token"], body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert all(word in error["message"] for word in words), error["message"]
    assert people(api, org["token"]) == []


def test_utf8_with_a_byte_order_mark_is_read(org, api):
    body = "\ufeffrole,name,email,timezone\r\nmentee,Zoë,zoe@example.org,UTC\r\n".encode()
    status = finished(api, org["token"], upload(api, org["token"], body).json()["id"])
    assert status["created"] == 1
    assert people(api, org["token"])[0]["name"] == "Zoë"


def test_a_50_mb_file_is_refused_with_the_limit_in_the_message(org, api):
    body = GOOD.encode() + b"mentee,Filler,filler@example.org,UTC,,,,\r\n" * (50 * 1024 * 1024 // 42)
    response = upload(api, org["token"], body)
    assert response.status_code == 413
    assert "10 MB" in response.json()["error"]["message"]
    assert people(api, org["token"]) == []


def test_only_csv_is_accepted_and_only_by_coordinators(org, api):
    response = api.post("/v1/people/imports", org["token"], json={"people": []})
    assert response.status_code == 415
    assert "text/csv" in response.json()["error"]["message"]
    jamie = api.post("/v1/people", org["token"], json={
        "role": "mentee", "name": "J", "email": "j@example.org", "timezone": "UTC"}).json()
    person_token = api.person_token(org["api_key"], jamie["id"])
    assert upload(api, person_token, GOOD).status_code == 403


def test_an_import_of_one_organisation_is_not_found_at_another(org, api):
    job = upload(api, org["token"], GOOD).json()
    other = api.create_organisation("southside")
    other_token = api.coordinator_token(other["api_key"])
    response = api.get(f"/v1/people/imports/{job['id']}", other_token)
    assert response.status_code == 404
    finished(api, org["token"], job["id"])
    assert people(api, other_token) == []


def test_the_template_lists_every_column_with_an_example_row_that_imports(org, api):
    api.post("/v1/programmes", org["token"], json={"name": "STEM", "custom_fields": [
        {"key": "year_group", "label": "Year group", "type": "text"}]}).json()
    response = api.get("/v1/people/imports/template.csv", org["token"])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    header, example = response.text.splitlines()
    assert header.split(",")[:4] == ["role", "name", "email", "timezone"]
    assert "custom.year_group" in header and "channels" in header and "programme_id" in header
    status = finished(api, org["token"], upload(api, org["token"], f"{header}\r\n{example}\r\n").json()["id"])
    assert (status["created"], status["refused"]) == (1, [])


def test_rows_that_name_no_programme_join_the_one_the_import_names(org, api):
    programme = api.post("/v1/programmes", org["token"], json={"name": "Careers"}).json()
    other = api.post("/v1/programmes", org["token"], json={"name": "Alumni"}).json()
    already = finished(api, org["token"], upload(api, org["token"], GOOD).json()["id"])
    assert already["created"] == 2  # Jamie and Amara, in no programme
    rows = ("role,name,email,timezone,programme_id\r\n"
            "mentee,Amara Okafor,amara@example.org,Europe/London,\r\n"  # here already, as a mentor
            "mentee,Kai Moon,kai@example.org,Europe/London,\r\n"
            f"mentee,Lea Roth,lea@example.org,Europe/London,{other['id']}\r\n")
    without_column = "role,name,email,timezone\r\nmentee,Jamie Rivera,jamie@example.org,Europe/London\r\n" \
                     "mentor,Ola Berg,ola@example.org,Europe/London\r\n"

    status = finished(api, org["token"], upload(api, org["token"], rows, programme_id=programme["id"]).json()["id"])
    assert status["created"] == 2 and [r["row"] for r in status["refused"]] == [2]  # Amara's role cannot change
    status = finished(api, org["token"], upload(api, org["token"], without_column,
                                                programme_id=programme["id"]).json()["id"])
    assert (status["created"], status["unchanged"]) == (1, 1)
    by_email = {p["email"]: p["programme_id"] for p in people(api, org["token"])}
    assert by_email["kai@example.org"] == programme["id"]  # an empty cell: the import's programme
    assert by_email["lea@example.org"] == other["id"]  # a row's own programme wins
    assert by_email["ola@example.org"] == programme["id"]
    assert by_email["jamie@example.org"] is None  # no column: someone already here stays where they are

    unknown = upload(api, org["token"], rows, programme_id="000000000000000000000000")
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "programme_id"
    assert "not a programme of this organisation" in unknown.json()["error"]["message"]
