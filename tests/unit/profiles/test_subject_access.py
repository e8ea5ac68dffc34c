"""Profiles' part of a person's export holds the guardian invitations of their sessions, not the guardian's email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ementor.platform.mongo import open_database
from services.profiles.documents import DOCUMENTS, Guardian, Person
from services.profiles.guardian_documents import GUARDIAN_DOCUMENTS
from services.profiles.guardian_repository import GuardianRepository
from services.profiles.subject_access import export_person

TENANT = "t1"
START = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def child(mongodb):
    open_database("profiles", mongodb, (*DOCUMENTS, *GUARDIAN_DOCUMENTS))
    person = Person(tenant_id=TENANT, role="mentee", name="Jamie", email="jamie@example.org", timezone="Europe/London",
                    is_minor=True,
                    guardian=Guardian(name="Carmen", email="carmen@example.org"))
    person.save()
    return person


def test_the_export_lists_each_session_the_guardian_was_invited_to_and_each_cancellation_they_were_told(child):
    invitations = GuardianRepository()
    end = START + timedelta(minutes=45)
    invitations.guardian_invitation_sent(TENANT, "s1", child.id, "carmen@example.org", START, end, START)
    invitations.guardian_invitation_sent(TENANT, "s2", child.id, "carmen@example.org", START, end, START)
    invitations.guardian_session_cancelled(TENANT, "s2", child.id, START)
    invitations.claim_guardian_cancellation(TENANT, "s2", "carmen@example.org", START)
    invitations.guardian_session_cancelled(TENANT, "s3", child.id, START)  # never invited: nothing to export
    invitations.guardian_invitation_sent(TENANT, "other", "someone-else", "x@example.org", START, end, START)

    export = export_person(TENANT, child.id)

    listed = export["data"]["guardian_session_invitations"]
    assert sorted(i["session_id"] for i in listed) == ["s1", "s2"]
    assert [i.get("cancellation_sent_at") is not None for i in sorted(listed, key=lambda i: i["session_id"])] == [
        False, True]
    assert "carmen@example.org" not in str(listed)
    assert "Your guardian was invited to 2 video sessions and told of 1 cancellation." in export["summary"]
