"""Planners waiting on profiles at the same time share one call per organisation; each gets only the
people it asked about, and a slow profiles fails them with a clear error instead of holding them."""

from __future__ import annotations

import eventlet
import pytest

from ementor.platform.group_call import GroupCall
from services.notifications.profiles import Profiles, ProfilesUnavailable, contacts_together, lookups_stopped

pytestmark = pytest.mark.unit


class ProfilesProxy:
    """Profiles over RPC: answers after a moment, counting its calls."""

    def __init__(self, delay: float = 0.01):
        self.calls: list[tuple[str, list[str]]] = []
        self.delay = delay

    def get_contacts(self, tenant_id, person_ids):
        self.calls.append((tenant_id, list(person_ids)))
        eventlet.sleep(self.delay)
        return {p: {"person_id": p, "email": f"{p}@{tenant_id}.example.org"} for p in person_ids if p != "erased"}


def look_up(proxy, asks, timeout=10.0):
    group = GroupCall(contacts_together, stopped=lookups_stopped)

    def one(tenant_id, people):
        try:
            return Profiles(proxy, group, timeout=timeout).get_contacts(tenant_id, people)
        except ProfilesUnavailable as exc:
            return str(exc)

    threads = [eventlet.spawn(one, tenant_id, people) for tenant_id, people in asks]
    return [thread.wait() for thread in threads]


def test_planners_of_one_organisation_share_a_call_and_each_gets_only_its_people():
    proxy = ProfilesProxy()
    answers = look_up(proxy, [("org-1", ["amara", "jamie"]), ("org-1", ["jamie", "noor"]), ("org-1", ["erased"])])
    assert proxy.calls == [("org-1", ["amara", "erased", "jamie", "noor"])]
    assert [sorted(a) for a in answers] == [["amara", "jamie"], ["jamie", "noor"], []]
    assert answers[1]["noor"]["email"] == "noor@org-1.example.org"


def test_organisations_never_share_a_call():
    proxy = ProfilesProxy()
    answers = look_up(proxy, [("org-1", ["amara"]), ("org-2", ["amara"])])
    assert sorted(proxy.calls) == [("org-1", ["amara"]), ("org-2", ["amara"])]
    assert [a["amara"]["email"] for a in answers] == ["amara@org-1.example.org", "amara@org-2.example.org"]


def test_profiles_not_answering_in_time_fails_every_planner_waiting_on_it():
    answers = look_up(ProfilesProxy(delay=1.0), [("org-1", ["amara"]), ("org-1", ["jamie"])], timeout=0.05)
    assert answers == ["profiles did not answer within 0.05s"] * 2
