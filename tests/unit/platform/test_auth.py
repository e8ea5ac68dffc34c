import time

import jwt
import pytest

from ementor.platform.errors import Forbidden, Unauthenticated
from ementor.platform.http.auth import bearer_token, issue_token, verify_token
from ementor.platform.principal import Principal

pytestmark = pytest.mark.unit
SECRET = "k" * 40


def test_a_person_token_round_trips_to_the_same_principal():
    token = issue_token(SECRET, tenant_id="org", role="mentee", person_id="p1", ttl=60)
    principal = verify_token(SECRET, token)
    assert (principal.role, principal.tenant_id, principal.person_id, principal.actor) == ("mentee", "org", "p1",
                                                                                           "person:p1")


def test_staff_and_integration_tokens_carry_who_they_are():
    staff = verify_token(SECRET, issue_token(SECRET, tenant_id="org", role="admin", staff_id="s1", session_id="x"))
    assert (staff.actor, staff.session_id, staff.is_coordinator, staff.holds("manage_staff")) == (
        "staff:s1", "x", True, True)
    key = verify_token(SECRET, issue_token(SECRET, tenant_id="org", role="integration", api_key_id="k1",
                                           read_only=True))
    assert (key.actor, key.read_only, key.is_coordinator) == ("integration:k1", True, True)
    lead = Principal("safeguarding_lead", "org", staff_id="s2")
    assert not lead.is_coordinator and lead.holds("audit_log") and not lead.holds("manage_staff")
    with pytest.raises(Forbidden):
        lead.require("manage_staff")


def test_a_token_signed_with_the_previous_secret_verifies_during_a_rotation_only():
    previous = "p" * 40
    token = issue_token(previous, tenant_id="org", role="coordinator", staff_id="s1")
    assert verify_token(SECRET, token, previous_secret=previous).staff_id == "s1"
    assert jwt.get_unverified_header(token)["kid"]
    with pytest.raises(Unauthenticated):
        verify_token(SECRET, token)


def test_tokens_signed_with_another_secret_or_expired_are_refused():
    with pytest.raises(Unauthenticated):
        verify_token(SECRET, issue_token("other" * 10, tenant_id="org", role="coordinator"))
    expired = jwt.encode({"iss": "ementor", "tid": "org", "role": "coordinator", "iat": int(time.time()) - 100,
                          "exp": int(time.time()) - 10}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token(SECRET, expired)


def test_a_forged_role_or_a_person_role_without_a_person_is_refused():
    for claims in ({"role": "operator"}, {"role": "mentor"}, {"role": "integration"}):
        token = jwt.encode({"iss": "ementor", "tid": "org", "iat": int(time.time()), "exp": int(time.time()) + 60,
                            **claims}, SECRET, algorithm="HS256")
        with pytest.raises(Unauthenticated):
            verify_token(SECRET, token)


def test_bearer_header_forms():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    for bad in (None, "", "Basic abc", "Bearer"):
        with pytest.raises(Unauthenticated):
            bearer_token(bad)


def test_coordinator_checks():
    coordinator, person = Principal("coordinator", "org"), Principal("mentee", "org", "p1")
    coordinator.require_coordinator()
    with pytest.raises(Forbidden):
        person.require_coordinator()
    assert person.may_act_for("p1") and not person.may_act_for("p2") and coordinator.may_act_for("p2")


def test_a_remembered_token_is_still_refused_once_it_expires(monkeypatch):
    token = issue_token(SECRET, tenant_id="org", role="mentee", person_id="p1", ttl=60)
    assert verify_token(SECRET, token).person_id == "p1"  # verified, and remembered
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token(SECRET, token)


def test_a_rotation_that_ends_refuses_tokens_of_the_old_secret_it_had_accepted():
    previous = "p" * 40
    token = issue_token(previous, tenant_id="org", role="coordinator", staff_id="s1")
    assert verify_token(SECRET, token, previous_secret=previous).staff_id == "s1"
    with pytest.raises(Unauthenticated):
        verify_token(SECRET, token, previous_secret=None)
