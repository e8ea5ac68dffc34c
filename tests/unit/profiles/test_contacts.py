"""The contact details profiles gives a sender (`get_contacts`), read from the stored fields alone."""

from __future__ import annotations

import pytest

from ementor.platform.mongo import open_database
from services.profiles.documents import DOCUMENTS, Channels, Person
from services.profiles.repository import ProfilesRepository
from services.profiles.service import contact_view

TENANT = "t1"


@pytest.fixture
def repo(mongodb):
    open_database("profiles", mongodb, DOCUMENTS)
    return ProfilesRepository()


def contacts(repo, ids):
    return {raw["_id"]: contact_view(raw) for raw in repo.contacts_by_ids(TENANT, ids)}


def test_a_sender_gets_each_persons_channels_quiet_hours_and_language(repo):
    amara = Person(tenant_id=TENANT, role="mentor", name="Amara", email="amara@example.org", phone="+447700900123",
                   timezone="Europe/London", languages=["en", "yo"], locale="es", bio="Engineer.",
                   channels=Channels(email=False, sms=True), quiet_hours_start="22:00", quiet_hours_end="07:30")
    amara.save()
    jamie = Person(tenant_id=TENANT, role="mentee", name="Jamie", email="jamie@example.org", timezone="Europe/Madrid",
                   is_minor=True)
    jamie.save()

    found = contacts(repo, [amara.id, jamie.id])

    assert found[amara.id] == {
        "person_id": amara.id, "role": "mentor", "name": "Amara", "email": "amara@example.org",
        "phone": "+447700900123", "timezone": "Europe/London", "languages": ["en", "yo"], "locale": "es",
        "is_minor": False, "channels": {"email": False, "sms": True},
        "quiet_hours": {"start": "22:00", "end": "07:30"}}
    assert found[jamie.id]["is_minor"] is True
    assert found[jamie.id]["channels"] == {"email": True, "sms": False}
    assert found[jamie.id]["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    assert "bio" not in found[amara.id]


def test_erased_people_and_other_organisations_people_have_no_contact_details(repo):
    erased = Person(tenant_id=TENANT, role="mentee", name="Gone", email="gone@example.org", timezone="UTC", erased=True)
    erased.save()
    elsewhere = Person(tenant_id="t2", role="mentee", name="Other", email="other@example.org", timezone="UTC")
    elsewhere.save()

    assert contacts(repo, [erased.id, elsewhere.id]) == {}


def test_a_record_older_than_channels_and_quiet_hours_takes_the_defaults(repo):
    Person.raw().insert_one({"_id": "old", "tenant_id": TENANT, "role": "mentee", "name": "Sam",
                             "email": "sam@example.org", "timezone": "UTC"})

    old = contacts(repo, ["old"])["old"]

    assert old["channels"] == {"email": True, "sms": False}
    assert old["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    assert old["is_minor"] is False and old["languages"] == []
