"""Reading a people CSV: whole-file checks, cells to a POST /v1/people body, duplicates and formulas."""

import pytest

from ementor.platform.errors import BadInput, Invalid
from services.profiles import imports
from services.profiles.domain import FieldDefinition

pytestmark = pytest.mark.unit


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_blank_rows_are_skipped():
    people = imports.read(b"Role, Name ,email,timezone\r\nmentee,A,a@x.org,UTC\r\n,,,\r\nmentor,B,b@x.org,UTC\r\n")
    assert people.columns == ("role", "name", "email", "timezone")
    assert [r.number for r in people.rows] == [2, 4]


def test_a_short_row_is_padded_and_a_long_one_is_refused_when_processed():
    people = imports.read(b"role,name,email,timezone,bio\r\nmentee,A,a@x.org,UTC\r\nmentee,B,b@x.org,UTC,,extra\r\n")
    short, long = people.rows
    assert short.cells["bio"] == ""
    _, errors = imports.row_payload(long, [])
    assert errors == ["cell #1 after the last column: the row has more cells than the header has columns"]


@pytest.mark.parametrize("raw, error, code", [
    (b"\xff\xfe\x00r", BadInput, "bad_encoding"),
    ("role,name\r\nZoë,x\r\n".encode("cp1252"), BadInput, "bad_encoding"),
    (b"role,name,email\r\n", Invalid, "missing_columns"),
    (b"role,name,email,timezone,emial\r\n", Invalid, "unknown_columns"),
    (b"role,name,email,timezone,name\r\n", Invalid, "repeated_columns"),
    (b"role,name,email,timezone\r\n\r\n", Invalid, "no_rows"),
])
def test_whole_file_problems_raise_before_any_row(raw, error, code):
    with pytest.raises(error) as caught:
        imports.read(raw)
    assert caught.value.code == code


def test_cells_become_the_json_body_of_post_people():
    definitions = [FieldDefinition("hours", "Hours", "number"),
                   FieldDefinition("subjects", "Subjects", "multiple_choice", ("maths", "art"))]
    row = imports.Row(2, {"role": "mentor", "interests": "robotics; music", "capacity": "3", "is_minor": "No",
                          "channels": "email;SMS", "quiet_hours.start": "22:00", "custom.hours": "2.5",
                          "custom.subjects": "maths;art", "bio": "  "})
    payload, errors = imports.row_payload(row, definitions)
    assert errors == []
    assert payload == {"role": "mentor", "interests": ["robotics", "music"], "capacity": 3, "is_minor": False,
                       "channels": {"email": True, "sms": True}, "quiet_hours": {"start": "22:00"},
                       "custom_fields": {"hours": 2.5, "subjects": ["maths", "art"]}}


@pytest.mark.parametrize("cell", ["=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+cmd|x",
                                  "\t=1+1"])
def test_formulas_are_refused_naming_the_column(cell):
    _, errors = imports.row_payload(imports.Row(3, {"name": cell}), [])
    assert len(errors) == 1 and errors[0].startswith("name: starts with") and "CSV injection" in errors[0]


@pytest.mark.parametrize("column, cell", [("phone", "+44 7700 900123"), ("capacity", "-1"), ("bio", "-")])
def test_plain_numbers_are_not_formulas(column, cell):
    _, errors = imports.row_payload(imports.Row(3, {column: cell}), [])
    assert errors == []


def test_every_row_sharing_an_email_is_refused():
    rows = [imports.Row(2, {"email": "a@x.org"}), imports.Row(3, {"email": "b@x.org"}), imports.Row(5, {"email": "A@x.org "})]
    assert imports.duplicate_emails(rows) == {
        2: "email: a@x.org is in rows 2, 5; keep one row per person",
        5: "email: a@x.org is in rows 2, 5; keep one row per person",
    }


def test_the_template_reads_back_as_a_valid_file():
    people = imports.read(imports.template_csv(["year_group"]).encode())
    assert "custom.year_group" in people.columns
    payload, errors = imports.row_payload(people.rows[0], [])
    assert errors == [] and payload["role"] == "mentee"


def test_schema_errors_read_as_column_and_message():
    errors = [{"loc": ("name",), "type": "missing", "msg": "Field required"},
              {"loc": ("quiet_hours", "start"), "type": "value_error", "msg": "Value error, must be HH:MM"},
              {"loc": ("custom_fields", "year"), "type": "string_type", "msg": "Input should be a valid string"}]
    assert imports.pydantic_messages(errors) == [
        "name: required, but the cell is empty", "quiet_hours.start: must be HH:MM",
        "custom.year: Input should be a valid string"]
