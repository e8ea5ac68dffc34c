"""Store round trips per business operation: every service in one process, on the stand-in.

The count carries over to a real MongoDB (each operation is one round trip there), unlike the
stand-in's timings. Per operation: the total, then by database, collection and kind; the target
is the bound tests/integration/platform/test_round_trips.py holds the code to.

Growth: the operations run `--repeats` times with 1x the data in the organisation (`--pairs`
active matches, `--messages` messages, each with its email and webhook delivery), then again with
each `--scales` multiple (10x by default). An operation's round trips are the fewest over its
repeats: clock-driven work (an outbox backlog gauge that finds a backlog, the video reminder scan)
can only add to a window, and does in some. They must not grow with the data (target: the 1x
count, plus the bound's room for a clock-driven poll); beside them the process's
CPU per operation (median; the services, the bench's HTTP client and its SMTP and webhook
receivers all run in this process) and the stand-in's share of it (bench/sampling.py), which on
MongoDB would be index seeks on the server.
"""

from __future__ import annotations

import statistics
import sys

import eventlet

eventlet.monkey_patch()  # the services run in this process, on green threads

from bench.report import Report, arguments
from bench.sampling import Sampler
from ementor.platform.settings import DEV_ADMIN_TOKEN, DEV_JWT_SECRET, Settings
from tests.integration.integrations._support import Receiver
from tests.support import round_trips
from tests.support.infra import VirtualHosts, free_port, rabbitmq_server
from tests.support.smtp import SmtpServer


def options(parser) -> None:
    parser.add_argument("--scales", default="1,10", help="data multiples to measure at, 1 first (default 1,10)")
    parser.add_argument("--repeats", type=int, default=None, help="times each operation runs per scale (3; 1 quick)")
    parser.add_argument("--pairs", type=int, default=None, help="active matches at 1x (10; 2 quick)")
    parser.add_argument("--messages", type=int, default=None, help="messages at 1x (100; 20 quick)")


def main(argv: list[str]) -> int:
    args = arguments(__doc__.splitlines()[0], argv, options)
    report = Report("round_trips", args.json)
    scales = tuple(int(scale) for scale in args.scales.split(","))
    repeats = args.repeats or (1 if args.quick else 3)
    pairs, messages = args.pairs or (2 if args.quick else 10), args.messages or (20 if args.quick else 100)
    sampler = Sampler().start()
    with rabbitmq_server() as (amqp_uri, management_url, _):
        vhosts = VirtualHosts(amqp_uri, management_url)
        vhost, uri = vhosts.create()
        smtp, receiver = SmtpServer().start(), Receiver()
        try:
            settings = Settings(_env_file=None, EMENTOR_ENV="development", EMENTOR_ADMIN_TOKEN=DEV_ADMIN_TOKEN,
                                EMENTOR_JWT_SECRET=DEV_JWT_SECRET, EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
                                AMQP_URI=uri, MONGODB_URI=None, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                                EMENTOR_ALLOW_PRIVATE_WEBHOOKS=True)
            results = round_trips.growth(settings, smtp, receiver, scales, repeats, pairs, messages, sampler)
        finally:
            sampler.stop()
            smtp.stop()
            receiver.close()
            vhosts.delete(vhost)
    report.note("store operations that found or changed something; idle polls counted apart")
    report.note(f"1x = {pairs} active matches and {messages} messages (each with its email and webhook delivery)"
                f" in the organisation; each operation {repeats} times per scale: round trips the fewest, CPU the median")
    first = results[scales[0]]
    base = {operation: min(s.count.total for s in samples) for operation, samples in first.items()}
    for scale, operations in results.items():
        at = "" if scale == scales[0] else f" at {scale}x data"
        data = {"matches": pairs * scale, "messages": messages * scale}
        for operation, samples in operations.items():
            trips = [sample.count.total for sample in samples]
            target = round_trips.BOUNDS[operation]
            if at:  # flat: no more than at 1x, give or take a clock-driven poll
                target = min(target, base[operation] + 3)
            report.figure(f"{operation}: store round trips{at}", min(trips), "operations", target=f"<= {target}",
                          runs=trips, idle_polls=sum(typical(samples).empty.values()), **data)
            cpu = [sample.cpu_seconds * 1000 for sample in samples]
            share = statistics.median(sample.store_share for sample in samples)
            report.figure(f"{operation}: CPU per operation{at or ' at 1x data'}", statistics.median(cpu), "ms",
                          runs=[round(c, 1) for c in cpu], stand_in_share=round(share, 3),
                          without_stand_in_ms=round(statistics.median(cpu) * (1 - share), 1),
                          shared_with="message posted to its email" if operation == "webhook delivered" else None,
                          **data)
    for operation, samples in first.items():
        for place, n in typical(samples).by_collection().items():
            report.figure(f"{operation}: {place}", n, "operations")
    for scale in scales[1:]:  # where a larger scale's fewest-trips run differs from 1x's, place by place
        for operation, samples in results[scale].items():
            old, new = typical(first[operation]).by_collection(), typical(samples).by_collection()
            for place in sorted(old.keys() | new.keys()):
                if old.get(place, 0) != new.get(place, 0):
                    report.figure(f"{operation}: {place} at {scale}x data", new.get(place, 0), "operations",
                                  at_1x=old.get(place, 0))
    return 0


def typical(samples):
    """The run with the fewest round trips: the one least mixed with clock-driven work."""
    return min(samples, key=lambda sample: sample.count.total).count


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
