"""Store round trips per business operation: every service in one process, on the stand-in.

The count carries over to a real MongoDB (each operation is one round trip there), unlike the
stand-in's timings. Per operation: the total, then by database, collection and kind; the target
is the bound tests/integration/platform/test_round_trips.py holds the code to.
"""

from __future__ import annotations

import sys

import eventlet

eventlet.monkey_patch()  # the services run in this process, on green threads

from bench.report import Report, arguments
from ementor.platform.settings import DEV_ADMIN_TOKEN, DEV_JWT_SECRET, Settings
from tests.integration.integrations._support import Receiver
from tests.support import round_trips
from tests.support.infra import VirtualHosts, free_port, rabbitmq_server
from tests.support.smtp import SmtpServer


def main(argv: list[str]) -> int:
    args = arguments(__doc__.splitlines()[0], argv)
    report = Report("round_trips", args.json)
    with rabbitmq_server() as (amqp_uri, management_url, _):
        vhosts = VirtualHosts(amqp_uri, management_url)
        vhost, uri = vhosts.create()
        smtp, receiver = SmtpServer().start(), Receiver()
        try:
            settings = Settings(_env_file=None, EMENTOR_ENV="development", EMENTOR_ADMIN_TOKEN=DEV_ADMIN_TOKEN,
                                EMENTOR_JWT_SECRET=DEV_JWT_SECRET, EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
                                AMQP_URI=uri, MONGODB_URI=None, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                                EMENTOR_ALLOW_PRIVATE_WEBHOOKS=True)
            counts = round_trips.measure(settings, smtp, receiver)
        finally:
            smtp.stop()
            receiver.close()
            vhosts.delete(vhost)
    report.note("store operations that found or changed something; idle polls counted apart")
    for operation, count in counts.items():
        report.figure(f"{operation}: store round trips", count.total, "operations",
                      target=f"<= {round_trips.BOUNDS[operation]}", idle_polls=sum(count.empty.values()))
        for place, n in count.by_collection().items():
            report.figure(f"{operation}: {place}", n, "operations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
