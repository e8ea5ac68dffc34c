"""A guardian's address and a child's session times are not kept for ever: each invitation record says
when it is forgotten (30 days after the session's end, or after a cancellation that came first), and
the collection's TTL index deletes it then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mongoengine.connection import get_db

from ementor.platform.mongo import open_database
from services.profiles.documents import DOCUMENTS
from services.profiles.guardian_documents import GUARDIAN_DOCUMENTS, GuardianInvitation
from services.profiles.guardian_repository import GuardianRepository

TENANT = "t1"
START = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
END = START + timedelta(minutes=45)


@pytest.fixture
def invitations(mongodb):
    open_database("profiles", mongodb, (*DOCUMENTS, *GUARDIAN_DOCUMENTS))
    return GuardianRepository()


def forget_at(session_id: str) -> datetime:
    return GuardianInvitation.scoped(TENANT, id=session_id).get().forget_at.replace(tzinfo=UTC)


def test_an_invitation_is_forgotten_30_days_after_its_session_ends_and_a_move_moves_that_date(invitations):
    invitations.guardian_invitation_sent(TENANT, "s1", "jamie", "carmen@example.org", START, END, START)
    assert forget_at("s1") == END + timedelta(days=30)
    later = END + timedelta(days=7)
    invitations.guardian_invitation_sent(TENANT, "s1", "jamie", "carmen@example.org", later - timedelta(minutes=45),
                                         later, START + timedelta(hours=1))
    assert forget_at("s1") == later + timedelta(days=30)
    invitations.guardian_session_cancelled(TENANT, "s1", "jamie", START + timedelta(hours=2))
    assert forget_at("s1") == later + timedelta(days=30)  # the invitation's own date stands


def test_a_cancellation_that_came_first_is_forgotten_30_days_after_it(invitations):
    cancelled = START - timedelta(days=1)
    invitations.guardian_session_cancelled(TENANT, "s2", "jamie", cancelled)
    assert forget_at("s2") == cancelled + timedelta(days=30)


def test_the_collection_has_a_ttl_index_on_the_forget_date(invitations):
    indexes = get_db("profiles")["guardian_session_invitations"].index_information()
    ttl = [spec for spec in indexes.values() if spec["key"] == [("forget_at", 1)]]
    assert ttl and ttl[0].get("expireAfterSeconds") == 0, indexes


def test_a_childs_export_says_when_each_invitation_record_will_be_deleted(invitations):
    from services.profiles.documents import Person
    from services.profiles.subject_access import export_person

    child = Person(tenant_id=TENANT, role="mentee", name="Jamie", email="jamie@example.org", timezone="Europe/London",
                   is_minor=True)
    child.save()
    invitations.guardian_invitation_sent(TENANT, "s1", child.id, "carmen@example.org", START, END, START)
    listed = export_person(TENANT, child.id)["data"]["guardian_session_invitations"]
    assert [i["forget_at"] for i in listed] == [(END + timedelta(days=30)).isoformat()]
