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


def give_mongomock_hashed_unique_indexes() -> None:
    """Check unique indexes with a dict lookup instead of mongomock's scan of the whole collection.

    mongomock checks a unique index by scanning every document on every insert, so inserting n
    people costs n^2/2 comparisons (20,000 rows: hours); a MongoDB server uses the index's B-tree.
    Results are unchanged: an entry found is checked against the stored document before refusing.
    """
    from mongomock import DuplicateKeyError, helpers
    from mongomock.collection import Collection

    def key_of(document, unique):
        values = []
        for key, _ in unique:
            try:
                values.append(repr(helpers.get_value_by_dot(document, key)))
            except KeyError:
                values.append("None")
        return tuple(values)

    def _ensure_uniques(self, new_data):
        tables = self._store.__dict__.setdefault("_bench_unique", {})
        for name, index in self._store.indexes.items():
            if not index.get("unique") or index.get("partialFilterExpression") is not None:
                continue
            unique = index["key"]
            key = key_of(new_data, unique)
            if index.get("sparse") and set(key) == {"None"}:
                continue
            if name not in tables:
                tables[name] = {key_of(d, unique): d["_id"] for d in self._store.documents}
            table = tables[name]
            holder = table.get(key)
            if holder is not None and holder != new_data["_id"] and holder in self._store \
                    and key_of(self._store[holder], unique) == key:
                raise DuplicateKeyError("E11000 Duplicate Key Error", 11000)
            table[key] = new_data["_id"]

    Collection._ensure_uniques = _ensure_uniques


def main(argv=None) -> int:
    args = arguments("people CSV import benchmark", argv, extra=lambda p: (
        p.add_argument("--rows", type=int, default=20_000),
        p.add_argument("--profile", action="store_true", help="print the top functions of the first import"),
        p.add_argument("--scanning-mongomock", action="store_true",
                       help="leave mongomock scanning the whole collection for every unique-index check and _id lookup"),
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

    if not args.scanning_mongomock:
        from bench.messaging import give_mongomock_an_id_index

        give_mongomock_hashed_unique_indexes()
        give_mongomock_an_id_index()
        report.note("mongomock given dict lookups for unique indexes and _id, as a server's indexes (see --help)")
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
