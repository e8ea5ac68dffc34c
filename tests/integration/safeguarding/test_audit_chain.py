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
