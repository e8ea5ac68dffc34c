"""pytest plugin: at the end of the run, every query the code issued must be served by an index.

On by default (`-p no:tests.support.index_check` or `--no-index-check` to skip). The store hook
records each query shape once (tests/support/store_ops.py), so the check costs milliseconds. A
query that would scan fails the run, naming the collection, the filter's shape and an index that
would serve it; queries an index only narrows are counted, and listed with `--index-report`
(tests/support/indexes.py says what "served", "narrowed" and "scan" mean).
"""

from __future__ import annotations

import pytest

from tests.support import indexes, store_ops

# Query shapes that scan on purpose, with the reason; keep this short.
ALLOWED: dict[str, str] = {
    "ementor_integrations.webhooks find {tenant_id: eq} sort {'_id': 1}":
        "an organisation has at most 25 webhooks (handlers.MAX_WEBHOOKS)",
    "ementor_matching.matching_runs update_many {tenant_id: eq, unmatched.mentee_id: eq}":
        "erasure only, over an organisation's few runs; an index on a run's unmatched list would cost every run",
    "ementor_messaging.inbox count_documents {event_id: eq}": "a test's own look-up (tests/integration/messaging)",
    "ementor_video.reminders count_documents {session_id: eq}": "a test's own look-up (tests/integration/video)",
    "ementor_profiles.organisations find {} sort {'_id': 1}": "the operator's list, in _id order: MongoDB's _id index",
}


def pytest_addoption(parser):
    parser.addoption("--no-index-check", action="store_true",
                     help="do not fail the run when a query issued by the code would scan a collection")
    parser.addoption("--index-report", action="store_true",
                     help="also list the queries an index only narrows (not served by the strict rule)")


def pytest_configure(config):
    store_ops.install()


def pytest_sessionfinish(session, exitstatus):
    if session.config.getoption("--no-index-check") or not store_ops.RECORDER.queries:
        return
    declared = indexes.declared_indexes(store_ops.RECORDER.indexes)
    # The services' databases only: tests' own scratch databases are not the product's queries.
    queries = [query for query in store_ops.RECORDER.queries if query.database.startswith("ementor_")]
    scans, narrowed = indexes.unserved(queries, declared, ALLOWED)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"index check: {len(set(queries))} query shapes; {len(scans)} would "
                            f"scan, {len(narrowed)} only narrowed by an index (--index-report lists them)")
        for problem in scans:
            reporter.write_line(f"  SCAN {problem}", red=True)
        if session.config.getoption("--index-report"):
            for problem in narrowed:
                reporter.write_line(f"  narrowed {problem}", yellow=True)
    if scans and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
