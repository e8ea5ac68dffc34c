"""Who may read whose public profile: mentors are open to the organisation, a mentee only to
their coordinator, themself and a mentor in a proposed or active match with them."""

from types import SimpleNamespace

import pytest

from ementor.platform.errors import Forbidden, NotFound
from ementor.platform.principal import Principal
from services.profiles import domain, handlers

pytestmark = pytest.mark.unit

TENANT = "org-1"


class People:
    def __init__(self, *people):
        self.by_id = {p.id: p for p in people}

    def person(self, tenant_id, person_id):
        return self.by_id.get(person_id) if tenant_id == TENANT else None


MENTOR = SimpleNamespace(id="amara", role="mentor", tenant_id=TENANT)
MENTEE = SimpleNamespace(id="jamie", role="mentee", tenant_id=TENANT)
OTHER_MENTEE = SimpleNamespace(id="sam", role="mentee", tenant_id=TENANT)
REPO = People(MENTOR, MENTEE, OTHER_MENTEE)


def as_person(person_id, role):
    return Principal(role=role, tenant_id=TENANT, person_id=person_id)


def statuses(table):
    """pair_status answered from a table, recording who was asked about."""
    asked = []

    def pair_status(viewer, other):
        asked.append((viewer, other))
        return table.get(frozenset((viewer, other)))
    pair_status.asked = asked
    return pair_status


@pytest.mark.parametrize("status, visible", [
    ("proposed", True), ("active", True), ("declined", False), ("ended", False), (None, False),
])
def test_a_mentor_reads_a_mentee_s_profile_only_while_they_are_proposed_or_matched(status, visible):
    pair_status = statuses({frozenset(("amara", "jamie")): status})
    read = lambda: handlers.visible_person(REPO, as_person("amara", "mentor"), "jamie", full=False,
                                           pair_status=pair_status)
    if visible:
        assert read() is MENTEE
    else:
        with pytest.raises(NotFound):
            read()
    assert pair_status.asked == [("amara", "jamie")]


def test_being_matched_with_one_mentee_opens_no_other_mentee():
    pair_status = statuses({frozenset(("amara", "jamie")): "active"})
    with pytest.raises(NotFound):
        handlers.visible_person(REPO, as_person("amara", "mentor"), "sam", full=False, pair_status=pair_status)


def test_mentees_never_read_each_other_and_matching_is_not_asked():
    pair_status = statuses({frozenset(("jamie", "sam")): "active"})
    with pytest.raises(NotFound):
        handlers.visible_person(REPO, as_person("jamie", "mentee"), "sam", full=False, pair_status=pair_status)
    assert pair_status.asked == []


def test_mentors_are_open_to_every_person_and_coordinators_see_everyone_without_asking():
    pair_status = statuses({})
    assert handlers.visible_person(REPO, as_person("jamie", "mentee"), "amara", full=False,
                                   pair_status=pair_status) is MENTOR
    coordinator = Principal(role="coordinator", tenant_id=TENANT, staff_id="s1")
    assert handlers.visible_person(REPO, coordinator, "sam", full=False, pair_status=pair_status) is OTHER_MENTEE
    assert pair_status.asked == []


def test_a_match_gives_reading_only_never_changing():
    pair_status = statuses({frozenset(("amara", "jamie")): "active"})
    with pytest.raises(Forbidden):
        handlers.visible_person(REPO, as_person("amara", "mentor"), "jamie", full=True, pair_status=pair_status)


def test_the_rule_itself():
    assert domain.may_read_public_profile(viewer_person_id=None, target_role="mentor", pair_status=None)
    assert not domain.may_read_public_profile(viewer_person_id=None, target_role="mentee", pair_status="active")
    assert domain.may_read_public_profile(viewer_person_id="a", target_role="mentee", pair_status="proposed")
    assert not domain.may_read_public_profile(viewer_person_id="a", target_role="mentee", pair_status="ended")
