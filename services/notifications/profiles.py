"""The profiles calls this service makes: contact details and organisation names, each with a timeout
(a hung call would hold a worker). Contact lookups made at the same time in one replica share one
call (a group call): under load, many events' planners wait on profiles together."""

from __future__ import annotations

import eventlet

PROFILES_TIMEOUT_SECONDS = 10.0


class ProfilesUnavailable(Exception):
    """Profiles did not answer in time, or the call was stopped."""


class Profiles:
    def __init__(self, proxy, contact_lookups=None, timeout: float = PROFILES_TIMEOUT_SECONDS):
        self.proxy, self.contact_lookups, self.timeout = proxy, contact_lookups, timeout

    def get_contacts(self, tenant_id: str, person_ids: list[str]) -> dict[str, dict]:
        """These people's contact details, by person id (unknown and erased people are left out)."""
        if self.contact_lookups is None:
            return contacts_together(tenant_id, [(self, person_ids)])[0]
        return self.contact_lookups(tenant_id, (self, person_ids))

    def get_organisation(self, tenant_id: str) -> dict | None:
        with eventlet.Timeout(self.timeout, ProfilesUnavailable(f"profiles did not answer within {self.timeout}s")):
            return self.proxy.get_organisation(tenant_id)


def contacts_together(tenant_id: str, asks: list[tuple[Profiles, list[str]]]) -> list[dict[str, dict]]:
    """One call for every (caller, people) waiting in an organisation; each gets the people it asked for."""
    profiles = asks[0][0]  # any waiting caller's proxy serves them all
    everyone = sorted({person for _, people in asks for person in people})
    with eventlet.Timeout(profiles.timeout, ProfilesUnavailable(f"profiles did not answer within {profiles.timeout}s")):
        found = profiles.proxy.get_contacts(tenant_id, everyone)
    return [{person: found[person] for person in people if person in found} for _, people in asks]


def lookups_stopped() -> Exception:
    return ProfilesUnavailable("the contact lookup was stopped before profiles answered")
