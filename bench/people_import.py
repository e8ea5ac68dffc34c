"""People CSV import benchmark: a 20,000-row file read, validated and upserted as the import job does it,
then everyone it added invited again ("Invite them again" on the People page).

    .venv/bin/python -m bench.people_import [--json] [--quick] [--rows N] [--profile]

Runs the job's own code (`import_jobs.start_import` then `run_import`) on the in-process mongomock
stand-in (no MongoDB server here): a first import that creates everyone, then the same file again
(every row unchanged). Publishing the recorded events is the outbox relay's work afterwards and is
not counted. `--profile` prints where the first import spends its time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from datetime import timedelta

from bench.report import Report, arguments
from bench.sampling import Sampler

INTERESTS = ("robotics", "music", "chess", "law", "medicine", "design", "finance", "coding")


def people_csv(rows: int) -> bytes:
    lines = ["role,name,email,phone,timezone,languages,interests,bio,capacity,is_minor,channels"]
    for i in range(rows):
        mentor = i % 5 == 0
        lines.append(",".join([
            "mentor" if mentor else "mentee", f"Person {i}", f"person{i}@example.org", f"+4477009{i % 100000:05d}",
            "Europe/London", "en;fr", f"{INTERESTS[i % 8]};{INTERESTS[(i + 3) % 8]}", "Keen to learn and to help",
            "2" if mentor else "", "false", "email;sms",
        ]))
    return ("\r\n".join(lines) + "\r\n").encode()


def invite_everyone_again(report: Report, repo, auth, rows: int) -> bool:
    """"Invite them again" on everyone the import added (none has signed in): first while the import's
    paced invitations still wait (each left out, as on its way), then once those went days ago (each
    gets a new one). Four round trips at most, however many people: the list, the invitations that
    hold anyone back, the given-up ones replaced, the new ones."""
    from services.profiles import invitations
    from services.profiles.documents import utcnow
    from services.profiles.import_documents import InvitationDue
    from services.profiles.schemas import InviteNotSignedIn
    from tests.support import store_ops

    sampler = Sampler().start()

    def click(label: str):
        with store_ops.counting() as ops:
            started, mark = time.perf_counter(), sampler.mark()
            done = invitations.invite_not_signed_in(repo, auth, InviteNotSignedIn(), None)
            elapsed = time.perf_counter() - started
        report.figure(f"invite everyone not signed in, {label}: answered after", elapsed * 1000, "ms", people=rows,
                      queued=done.queued, on_its_way=done.on_its_way, cpu_ms=round(mark.cpu_seconds() * 1000),
                      store_share=round(mark.store_share(), 2), store="mongomock")
        report.figure(f"invite everyone not signed in, {label}: store round trips", ops.total, "round trips",
                      target="<= 4", by_collection=ops.by_collection())
        return done

    try:
        waiting = click("while the import's invitations wait")
        InvitationDue.scoped(auth.tenant_id).update(set__sent_at=utcnow() - timedelta(days=3))
        queued = click("after those went days ago")
    finally:
        sampler.stop()
    return waiting.on_its_way == rows and queued.queued == rows


def main(argv=None) -> int:
    args = arguments("people CSV import benchmark", argv, extra=lambda p: (
        p.add_argument("--rows", type=int, default=20_000),
        p.add_argument("--profile", action="store_true", help="print the top functions of the first import"),
    ))
    report = Report("people_import", as_json=args.json)
    rows = 2_000 if args.quick else args.rows

    import mongoengine

    from ementor.platform import mongo
    from ementor.platform.principal import Principal
    from services.profiles import import_jobs
    from services.profiles.documents import DOCUMENTS, Person
    from services.profiles.import_documents import IMPORT_DOCUMENTS
    from services.profiles.import_repository import ImportRepository
    from services.profiles.import_schemas import ImportQuery

    mongo.open_database("profiles", None, (*DOCUMENTS, *IMPORT_DOCUMENTS))
    repo = ImportRepository()
    auth = Principal(role="coordinator", tenant_id="bench-org")
    raw = people_csv(rows)
    report.note(f"{rows:,} rows, {len(raw) / 1e6:.1f} MB; storage is the in-process mongomock stand-in")

    def run(label: str, profiler=None):
        started, cpu_started = time.perf_counter(), time.process_time()
        job = import_jobs.start_import(repo, auth, raw, ImportQuery(invitations_per_hour=100))
        accepted = time.perf_counter() - started
        claimed = repo.claim_import("bench", import_jobs.LEASE)
        if profiler:
            profiler.enable()
        import_jobs.run_import(repo, claimed, "bench")
        if profiler:
            profiler.disable()
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        done = repo.import_job(auth.tenant_id, job.id)
        report.figure(f"{label}: accepted (202) after", accepted * 1000, "ms")
        report.figure(f"{label}: total", total, "s", rows=rows, created=done.created, updated=done.updated,
                      unchanged=done.unchanged, refused=len(done.refused))
        report.figure(f"{label}: throughput", rows / total, "rows/s")
        # Other work shares this machine's 2 cores: the CPU time is what the import itself needed.
        report.figure(f"{label}: CPU time", cpu, "s", share_of_a_core=round(cpu / total, 2))
        return done

    profiler = cProfile.Profile() if args.profile else None
    first = run("first import", profiler)
    again = run("same file again", None)
    invited = invite_everyone_again(report, repo, auth, rows)
    ok = (first.created == rows and again.unchanged == rows and Person.scoped(auth.tenant_id).count() == rows
          and invited)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    mongoengine.disconnect("profiles")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
