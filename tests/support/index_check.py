"""pytest plugin: at the end of the run, every query the code issued must be served by an index.

On by default (`-p no:tests.support.index_check` or `--no-index-check` to skip). The store hook
records each query shape once (tests/support/store_ops.py), so the check costs milliseconds. A
query no declared index serves fails the run, naming the collection, the filter's shape and an
index that would serve it (tests/support/indexes.py says what "served" means).
"""

from __future__ import annotations

import pytest

from tests.support import indexes, store_ops

# Query shapes that scan on purpose, with the reason; keep this short.
ALLOWED: dict[str, str] = {}


def pytest_addoption(parser):
    parser.addoption("--no-index-check", action="store_true",
                     help="do not fail the run when a query issued by the code is served by no index")


def pytest_configure(config):
    store_ops.install()


def pytest_sessionfinish(session, exitstatus):
    if session.config.getoption("--no-index-check") or not store_ops.RECORDER.queries:
        return
    declared = indexes.declared_indexes(store_ops.RECORDER.indexes)
    problems = indexes.unserved(store_ops.RECORDER.queries, declared, ALLOWED)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"index check: {len(set(store_ops.RECORDER.queries))} query shapes, "
                            f"{len(problems)} served by no index")
        for problem in problems:
            reporter.write_line(f"  {problem}", red=True)
    if problems and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
