"""The README's main command: every service in one process, and the walkthrough runs to the end."""

import os
import subprocess
import sys

import pytest

from ementor import registry
from tests.support.infra import free_port

pytestmark = pytest.mark.e2e


def test_the_walkthrough_runs_every_step_against_every_service(amqp_uri, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "SMTP_", "TWILIO_", "MONGODB_"))}
    env.update(AMQP_URI=amqp_uri, EMENTOR_ENV="development", EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
               EMENTOR_LOG_FORMAT="text", EMENTOR_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "ementor.cli", "dev", "--exit"], env=env, capture_output=True,
                            text=True, timeout=240, check=False)
    output = result.stdout
    assert result.returncode == 0, f"exit {result.returncode}\n{output[-3000:]}\n{result.stderr[-3000:]}"
    assert f"{len(registry.SERVICES)} services running in one process" in output
    assert "== Walkthrough complete" in output
    assert "== The guardian consents" in output  # through the link emailed to the development mail catcher
    for event_type in ("OrganisationCreated", "ProfileCreated", "GuardianConsentChanged", "MatchAccepted", "MessageSent",
                       "ConversationRead", "SessionScheduled"):
        assert f"event {event_type}" in output, f"the walkthrough never showed {event_type}"
    assert "is signed in as herself" in output and "The link from the email signs them in" in output
    assert "Contact is paused for both sides at once" in output and "event ConcernResolved" in output
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
