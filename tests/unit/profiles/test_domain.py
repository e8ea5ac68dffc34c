import pytest

from services.profiles import domain
from services.profiles.domain import FieldDefinition, InvalidProfile

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, tag", [
    ("Machine Learning", "machine-learning"), ("  machine_learning ", "machine-learning"), ("C++", "c++"),
    ("Café Culture", "cafe-culture"), ("UI/UX", "ui-ux"), ("--music--", "music"),
])
def test_interests_are_normalised_to_tags(raw, tag):
    assert domain.normalise_interest(raw) == tag


def test_duplicate_interests_collapse_and_there_is_a_limit():
    assert domain.normalise_interests(["Music", "music", " MUSIC"]) == ["music"]
    with pytest.raises(InvalidProfile, match="at most"):
        domain.normalise_interests([f"tag{i}" for i in range(21)])
    with pytest.raises(InvalidProfile):
        domain.normalise_interest("!!!")


def test_phone_numbers_become_e164():
    assert domain.normalise_phone("+44 7700 900123") == "+447700900123"
    assert domain.normalise_phone("+1 (415) 555-2671") == "+14155552671"
    for bad in ("07700900123", "12345", "+44 12", "phone"):
        with pytest.raises(InvalidProfile, match="E.164"):
            domain.normalise_phone(bad)


def test_time_zones_must_be_iana_names():
    assert domain.validate_timezone("America/New_York") == "America/New_York"
    for bad in ("+01:00", "Mars/Olympus", "europe/london", ""):
        with pytest.raises(InvalidProfile, match="IANA"):
            domain.validate_timezone(bad)


def test_custom_field_answers_are_checked_against_the_programme():
    fields = [FieldDefinition("year", "Year", "single_choice", ("10", "11"), True),
              FieldDefinition("hours", "Hours", "number"),
              FieldDefinition("topics", "Topics", "multiple_choice", ("cv", "uni"))]
    assert domain.validate_custom_values(fields, {"year": "10", "hours": 3, "topics": ["cv", "cv"]}) == {
        "year": "10", "hours": 3.0, "topics": ["cv"]}
    for values, message in (({}, r"requires an answer to: Year \(year\)"), ({"year": "9"}, "one of"), ({"year": "10", "hours": "x"}, "number"),
                            ({"year": "10", "topics": ["law"]}, "drawn from"), ({"year": "10", "pet": "cat"}, "unknown")):
        with pytest.raises(InvalidProfile, match=message):
            domain.validate_custom_values(fields, values)
    assert domain.validate_custom_values(fields, {"hours": 1}, partial=True) == {"hours": 1.0}


def test_field_definitions_are_checked():
    with pytest.raises(InvalidProfile, match="twice"):
        domain.validate_field_definitions([FieldDefinition("a", "A", "text"), FieldDefinition("a", "B", "text")])
    with pytest.raises(InvalidProfile, match="lowercase"):
        domain.validate_field_definitions([FieldDefinition("Bad Key", "A", "text")])
    with pytest.raises(InvalidProfile, match="no options"):
        domain.validate_field_definitions([FieldDefinition("a", "A", "text", ("x", "y"))])


def test_role_rules():
    assert domain.check_role_rules("mentee", capacity=None, is_minor=True) == 0
    assert domain.check_role_rules("mentor", capacity=None, is_minor=False) == 1
    with pytest.raises(InvalidProfile, match="mentors only"):
        domain.check_role_rules("mentee", capacity=2, is_minor=False)
    with pytest.raises(InvalidProfile, match="minor"):
        domain.check_role_rules("mentor", capacity=1, is_minor=True)
    assert domain.check_role_rules("mentor", capacity=0, is_minor=False) == 0  # not taking new mentees for now
    for beyond in (-1, 21):
        with pytest.raises(InvalidProfile, match="between 0"):
            domain.check_role_rules("mentor", capacity=beyond, is_minor=False)


def test_api_keys_are_stored_only_as_hashes_and_checked_in_constant_time():
    key = domain.new_api_key()
    assert key.secret_hash not in key.plaintext
    key_id, secret = domain.parse_api_key(key.plaintext)
    assert key_id == key.key_id and domain.secret_matches(secret, key.secret_hash)
    assert not domain.secret_matches(secret + "x", key.secret_hash)
    assert domain.parse_api_key("nonsense") is None and domain.parse_api_key("emk__") is None
