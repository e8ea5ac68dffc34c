"""Vetting levels: what a request asks for, what staff record, and how older records read."""

from datetime import UTC, datetime

import pytest

from ementor.platform.errors import Forbidden, Invalid
from ementor.platform.principal import Principal
from services.profiles.documents import Person
from services.profiles.vetting import level_of, record, record_view, requested_level

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
STAFF = Principal(role="coordinator", tenant_id="t1", staff_id="s1")


def person(**kw):
    return Person(tenant_id="t1", role="mentor", name="Amara", email="a@example.org", timezone="UTC", **kw)


@pytest.mark.parametrize(("vetted", "level", "current", "asked"), [
    (None, None, "none", None),             # nothing sent: no change
    (None, "enhanced", "none", "enhanced"),
    (True, None, "none", "basic"),          # an older client's yes: the least it can mean
    (True, None, "standard", "standard"),   # ... and never lowers what is recorded
    (False, None, "enhanced", "none"),
    (True, "standard", "none", "standard"),
    (False, "none", "basic", "none"),
])
def test_what_a_request_asks_for(vetted, level, current, asked):
    assert requested_level(vetted, level, current) == asked


def test_vetted_and_a_level_that_disagree_are_a_422_naming_the_field():
    with pytest.raises(Invalid) as refused:
        requested_level(False, "enhanced")
    assert refused.value.code == "vetting_mismatch"
    assert refused.value.details[0]["field"] == "vetting_level"


def test_staff_record_a_level_with_who_and_when_and_the_boolean_follows():
    amara = person()
    assert level_of(amara) == "none" and record_view(amara) is None
    assert record(amara, STAFF, "enhanced", NOW) is True
    assert (amara.vetting_level, amara.vetted) == ("enhanced", True)
    assert record_view(amara) == {"level": "enhanced", "recorded_by": "staff:s1", "recorded_at": NOW}
    assert record(amara, STAFF, "enhanced", NOW) is False, "the same level again changes nothing"
    record(amara, STAFF, "none", NOW)
    assert (level_of(amara), amara.vetted) == ("none", False)


def test_only_staff_record_vetting_and_old_records_read_as_basic():
    with pytest.raises(Forbidden):
        record(person(), Principal(role="mentor", tenant_id="t1", person_id="p1"), "basic", NOW)
    assert level_of(person(vetted=True)) == "basic"
