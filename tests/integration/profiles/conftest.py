import pytest

from services.profiles.service import ProfilesService


@pytest.fixture
def profiles(start_services):
    return start_services(ProfilesService)


@pytest.fixture
def org(profiles, api):
    """An organisation with its coordinator token."""
    created = api.create_organisation("northside")
    return {**created, "token": api.coordinator_token(created["api_key"])}


def mentee(**overrides):
    return {"role": "mentee", "name": "Jamie", "email": "jamie@example.org", "timezone": "Europe/London",
            "interests": ["robotics"], **overrides}


def mentor(**overrides):
    return {"role": "mentor", "name": "Amara", "email": "amara@example.org", "timezone": "Europe/London",
            "interests": ["robotics", "music"], "capacity": 2, **overrides}
