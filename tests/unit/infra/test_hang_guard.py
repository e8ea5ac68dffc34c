"""A test stuck on a green wait fails with where it waits, and the tests after it still run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]

STUCK = textwrap.dedent("""
    import eventlet
    import pytest

    @pytest.fixture
    def broker_that_never_answers():
        eventlet.sleep(600)

    @pytest.mark.timeout(17)
    def test_stuck_in_setup(broker_that_never_answers):
        pass

    @pytest.mark.timeout(17)
    def test_stuck_in_call_behind_a_broad_except():
        try:
            eventlet.Event().wait()
        except Exception:
            pass

    def test_after_them():
        pass
""")


def test_a_stuck_phase_fails_at_its_wait_and_the_run_goes_on(tmp_path):
    (tmp_path / "test_stuck.py").write_text(STUCK)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.support.hang_guard", "-p", "no:cacheprovider", "-rA",
         "-o", "timeout=120", str(tmp_path)],
        check=False, capture_output=True, text=True, timeout=90, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)})

    out = run.stdout
    assert run.returncode == 1, out
    assert "ERROR test_stuck.py::test_stuck_in_setup" in out, out
    assert "FAILED test_stuck.py::test_stuck_in_call_behind_a_broad_except" in out
    assert "PASSED test_stuck.py::test_after_them" in out
    assert "setup of test_stuck.py::test_stuck_in_setup still waited after 2 s (its timeout is 17 s)" in out
    assert "call of test_stuck.py::test_stuck_in_call_behind_a_broad_except still waited after 2 s" in out
    assert "eventlet.sleep(600)" in out and "eventlet.Event().wait()" in out, "each traceback shows the wait"
