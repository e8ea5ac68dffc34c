"""People CSV import benchmark: a 20,000-row file read, validated and upserted as the import job does it.

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

from bench.report import Report, arguments

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
    ok = first.created == rows and again.unchanged == rows and Person.scoped(auth.tenant_id).count() == rows
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    mongoengine.disconnect("profiles")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
