"""Store round trips per business operation stay within today's count.

The bounds (tests/support/round_trips.py) are what each operation costs now (bench/round_trips.py prints the breakdown): an
added round trip fails here, and when one is taken away the bound is lowered with it.
"""

import pytest

from tests.integration.integrations._support import Receiver
from tests.support import round_trips
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

def test_each_business_operation_makes_no_more_round_trips_than_today(settings):
    smtp, receiver = SmtpServer().start(), Receiver()
    try:
        settings = settings.model_copy(update={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port,
                                                 "EMENTOR_ALLOW_PRIVATE_WEBHOOKS": True})
        counts = round_trips.measure(settings, smtp, receiver)
    finally:
        smtp.stop()
        receiver.close()
    over = {name: count for name, count in counts.items() if count.total > round_trips.BOUNDS[name]}
    for name, count in counts.items():
        print(f"{name}: {count}")
    assert not over, f"more store round trips than the bound {round_trips.BOUNDS}: {over}"
