"""Safeguarding service benchmark: concerns raised, escalation ticks, audit appends and verification.

    .venv/bin/python -m bench.safeguarding [--json] [--quick]

Storage figures run on the in-process mongomock stand-in (no MongoDB server here): they measure our
code path and the store round trips per operation, not a real server's latency. Alerts go to a
sender that records them (the SMTP and Twilio exchanges are tested in tests/integration/safeguarding).
"""

from __future__ import annotations

import time
from datetime import timedelta

from bench.report import Report, arguments


class RecordingSender:
    """Stands in for SMTP and Twilio: the tick's own cost, without a network exchange."""

    def __init__(self):
        from services.safeguarding.domain import Contact

        self.operator = Contact("operator", "ops@example.org", "+447700900199")
        self.sent = 0

    def email(self, contact, subject, text) -> str:
        self.sent += 1
        return "sent"

    def sms(self, contact, text) -> str:
        self.sent += 1
        return "sent (SMbench)"


def main(argv=None) -> int:
    args = arguments("safeguarding service benchmark", argv)
    report = Report("safeguarding", as_json=args.json)

    import mongoengine

    from ementor.platform import mongo
    from ementor.platform.principal import Principal
    from services.safeguarding import audit, escalation, handlers, schemas
    from services.safeguarding.documents import DOCUMENTS, SafeguardingSettings, new_id, utcnow
    from services.safeguarding.repository import SafeguardingRepository
    from tests.support.store_ops import counting

    report.note("storage figures use the in-process mongomock stand-in; round trips are per operation")
    mongo.open_database("safeguarding", None, DOCUMENTS)
    repo = SafeguardingRepository()
    tenant, now = "bench-tenant", utcnow()
    repo.save_settings(SafeguardingSettings(id=tenant, tenant_id=tenant, acknowledge_within_minutes=10, contacts={
        "items": [{"name": "Sam", "email": "sam@example.org", "phone": "+447700900101"},
                  {"name": "Kim", "email": "kim@example.org", "phone": "+447700900102"}]}))
    matches = {}

    def facts(tenant_id, match_id):
        return matches.get(match_id)

    concerns = 20 if args.quick else 100
    started = time.perf_counter()
    for n in range(concerns):
        mentee = new_id()
        matches[f"m{n}"] = {"id": f"m{n}", "status": "active", "mentor_id": new_id(), "mentee_id": mentee}
        body = schemas.RaiseConcern(category="uncomfortable", match_id=f"m{n}", details="bench")
        with counting() as trips:
            handlers.raise_concern(repo, Principal("mentee", tenant, person_id=mentee), body, facts, now)
    elapsed = time.perf_counter() - started
    report.figure("concerns raised (concern + event in one write, audit link)", concerns / elapsed, "concerns/s",
                  concerns=concerns, round_trips=trips.total)

    sender = RecordingSender()
    for step, at in enumerate((now, now + timedelta(minutes=11), now + timedelta(minutes=22))):
        started = time.perf_counter()
        with counting() as trips:
            sent = escalation.take_due_steps(repo, sender, "https://ementor.example.org", at)
        tick = time.perf_counter() - started
        report.figure(f"escalation tick, step {step} for every concern", tick * 1e3, "ms/tick", alerts=sent,
                      round_trips=trips.total, per_alert=f"{trips.total / max(sent, 1):.1f}")
    started = time.perf_counter()
    with counting() as trips:
        idle = escalation.take_due_steps(repo, sender, "https://ementor.example.org", now + timedelta(minutes=23))
    report.figure("escalation tick with nothing due", (time.perf_counter() - started) * 1e3, "ms/tick",
                  alerts=idle, round_trips=trips.total)

    entries = 200 if args.quick else 2000
    started = time.perf_counter()
    for n in range(entries):
        with counting() as trips:
            audit.record(repo, "audit-tenant", now, "staff:bench", "concern_resolved", f"c{n}", {"reason": "x"})
    report.figure("audit appends (hash chain)", entries / (time.perf_counter() - started), "entries/s",
                  round_trips=trips.total)
    started = time.perf_counter()
    read, broken = audit.verify(repo, "audit-tenant")
    report.figure("audit chain verified", (time.perf_counter() - started) * 1e3, "ms/chain", entries=read,
                  whole=broken is None)
    mongoengine.disconnect("safeguarding")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
