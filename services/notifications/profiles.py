"""The profiles calls this service makes: contact details and organisation names, each with a timeout
(a hung call would hold a worker). Contact lookups made at the same time in one replica share one
call (a group call): under load, many events' planners wait on profiles together."""

from __future__ import annotations

import eventlet

PROFILES_TIMEOUT_SECONDS = 10.0


class ProfilesUnavailable(Exception):
    """Profiles did not answer in time, or the call was stopped."""


class Profiles:
    """A worker's view of profiles: its RPC proxy, and the replica's shared contact lookups (a GroupCall
    of `contacts_together`)."""

    def __init__(self, proxy, contact_lookups, timeout: float = PROFILES_TIMEOUT_SECONDS):
        self.proxy, self.contact_lookups, self.timeout = proxy, contact_lookups, timeout

    def get_contacts(self, tenant_id: str, person_ids: list[str]) -> dict[str, dict]:
        """These people's contact details, by person id (unknown and erased people are left out)."""
        return self.contact_lookups(tenant_id, (self, person_ids))

    def get_organisation(self, tenant_id: str) -> dict | None:
        with _answer_within(self.timeout):
            return self.proxy.get_organisation(tenant_id)


def contacts_together(tenant_id: str, asks: list[tuple[Profiles, list[str]]]) -> list[dict[str, dict]]:
    """One call for every (caller, people) waiting in an organisation; each gets the people it asked for."""
    profiles = asks[0][0]  # any waiting caller's proxy serves them all
    everyone = sorted({person for _, people in asks for person in people})
    with _answer_within(profiles.timeout):
        found = profiles.proxy.get_contacts(tenant_id, everyone)
    return [{person: found[person] for person in people if person in found} for _, people in asks]


def _answer_within(seconds: float) -> eventlet.Timeout:
    return eventlet.Timeout(seconds, ProfilesUnavailable(f"profiles did not answer within {seconds}s"))


def lookups_stopped() -> Exception:
    return ProfilesUnavailable("the contact lookup was stopped before profiles answered")
