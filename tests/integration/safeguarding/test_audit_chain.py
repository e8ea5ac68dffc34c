"""The audit chain: an edited or deleted entry is found, and `ementor audit verify` says where."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from ementor import audit_verify, cli
from ementor.platform import mongo
from services.safeguarding import audit, schemas
from services.safeguarding.documents import DOCUMENTS, AuditEntry
from services.safeguarding.repository import SafeguardingRepository

pytestmark = pytest.mark.integration
ORG = "6b1100000000000000000001"


@pytest.fixture
def repo(mongodb, settings):
    mongo.open_database("safeguarding", settings.MONGODB_URI, DOCUMENTS)
    repo = SafeguardingRepository()
    for n in range(1, 6):
        audit.record(repo, ORG, datetime(2026, 1, 1, 9, n, tzinfo=UTC), "staff:lead-1", "concern_resolved",
                     f"concern-{n}", {"decision": "resume", "reason": f"checked {n}"})
    audit.record(repo, "another-org", datetime(2026, 1, 1, tzinfo=UTC), "staff:x", "concern_raised", "c", {})
    return repo


def run(settings) -> tuple[int, str]:
    out = io.StringIO()
    return audit_verify.verify(settings, ORG, out=out), out.getvalue()


def test_a_whole_chain_verifies_and_exports(repo, settings):
    assert run(settings) == (0, f"organisation {ORG}: 5 audit entries, the chain is whole\n")
    exported = audit.export(repo, ORG, schemas.AuditQuery())
    assert (exported.verified, exported.head_seq, len(exported.items)) == (True, 5, 5)
    assert exported.items[0].prev_hash == "0" * 64 and exported.items[1].prev_hash == exported.items[0].hash


def test_an_edited_entry_is_found_where_it_is(repo, settings):
    AuditEntry.raw().update_one({"tenant_id": ORG, "seq": 3}, {"$set": {"data.reason": "nothing happened"}})
    code, said = run(settings)
    assert code == 1 and "breaks at entry 3: the entry was changed after it was written" in said
    exported = audit.export(repo, ORG, schemas.AuditQuery())
    assert (exported.verified, exported.broken_at) == (False, 3)


def test_a_deleted_entry_and_a_deleted_tail_are_found(repo, settings):
    AuditEntry.raw().delete_many({"tenant_id": ORG, "seq": 5})
    code, said = run(settings)
    assert code == 1 and "entries 5 to 5 were deleted" in said
    AuditEntry.raw().delete_many({"tenant_id": ORG, "seq": 2})
    code, said = run(settings)
    assert code == 1 and "entry 2 is missing" in said


def test_the_command_line_names_the_command():
    args = cli.build_parser().parse_args(["audit", "verify", "--organisation", ORG])
    assert (args.command, args.action, args.organisation) == ("audit", "verify", ORG)


def test_a_decision_from_an_event_is_appended_once_however_often_it_arrives(repo):
    for _ in range(2):
        audit.record(repo, ORG, datetime(2026, 1, 2, tzinfo=UTC), "moderation", "message_held", "m-1",
                     {"reasons": ["phone_number"]}, event_id="event-1")
    exported = audit.export(repo, ORG, schemas.AuditQuery())
    assert [e.action for e in exported.items].count("message_held") == 1
    assert (exported.verified, exported.head_seq) == (True, 6)


def test_moderation_and_consent_decisions_join_the_chain(start_services, api, amqp_uri):
    from ementor_contracts import GuardianConsentChanged, MessageApproved, MessageHeld, MessageRejected

    from ementor.platform.http.auth import issue_token
    from services.safeguarding.service import SafeguardingService
    from tests.integration.notifications._publish import publish
    from tests.support.events import eventually
    from tests.support.secrets import TEST_JWT_SECRET

    start_services(SafeguardingService)
    tenant = "6b1100000000000000000002"
    people = {"match_id": "a" * 24, "sender_id": "b" * 24, "recipient_id": "c" * 24}
    publish(amqp_uri, MessageHeld(message_id="d" * 24, reasons=["phone_number"], **people), tenant)
    publish(amqp_uri, MessageApproved(message_id="d" * 24, moderator_id="coordinator", **people), tenant)
    publish(amqp_uri, MessageRejected(message_id="e" * 24, moderator_id="coordinator", reason="a phone number",
                                      **people), tenant)
    publish(amqp_uri, GuardianConsentChanged(person_id="c" * 24, state="granted"), tenant)
    lead = issue_token(TEST_JWT_SECRET, tenant_id=tenant, role="safeguarding_lead", staff_id="lead-1")

    def chained():
        exported = api.get("/v1/safeguarding/audit", lead).json()
        assert exported["verified"] is True
        assert sorted(e["action"] for e in exported["items"]) == [
            "guardian_consent_granted", "message_approved", "message_held", "message_rejected"]
        return exported["items"]

    entries = {e["action"]: e for e in eventually(chained)}
    assert entries["message_held"]["data"] == {"match_id": "a" * 24, "reasons": ["phone_number"]}
    assert (entries["message_approved"]["actor"], entries["message_rejected"]["data"]["reason"]) == (
        "coordinator", "a phone number")
    assert entries["guardian_consent_granted"]["subject_id"] == "c" * 24
