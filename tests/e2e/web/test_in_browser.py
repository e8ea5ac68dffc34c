"""Runs the browser journeys (journey_*.py) in a pytest process of their own, without the
repository's conftest (its eventlet monkey-patching stops Playwright's driver), on a vhost of the
test broker made here. What they cost: about a minute (one platform start, one Chromium)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[3]
BUDGET_SECONDS = 420


@pytest.mark.timeout(BUDGET_SECONDS + 30)
def test_the_web_app_journeys_pass_in_a_real_browser(rabbitmq):
    vhost, amqp_uri = rabbitmq.create()
    try:
        env = {**os.environ, "EMENTOR_WEB_E2E_AMQP_URI": amqp_uri}
        # EMENTOR_WEB_JOURNEYS="journey_surveys.py journey_staff.py" runs only those journeys.
        chosen = [f"tests/e2e/web/{name}" for name in os.environ.get("EMENTOR_WEB_JOURNEYS", "").split()]
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--noconftest", "-p", "tests.e2e.web.fixtures", "-o",
             "python_files=journey_*.py", "-o", "timeout=300", "-q", "--durations=5", *(chosen or ["tests/e2e/web/"])],
            check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUDGET_SECONDS)
    finally:
        rabbitmq.delete(vhost)
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]
