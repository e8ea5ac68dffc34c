"""`ementor`: run the platform, its walkthrough, and the operator's chores."""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # known; see docs/decisions.md

import eventlet

eventlet.monkey_patch()  # before anything imports socket, threading or pymongo

import argparse
import json
import logging
import os
import signal
import sys

import requests
from kombu import Connection

from . import registry
from .platform import topology
from .platform.logs import configure_logging
from .platform.settings import ConfigurationError, Settings, load_settings

log = logging.getLogger("ementor")

# Commands that are development by nature: they say EMENTOR_ENV=development when it is unset.
DEVELOPMENT_COMMANDS = ("dev", "openapi")
# Where `ementor dev` keeps its in-process store across restarts (README, "Development data").
DEV_DATA_DIR = ".ementor/data"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ementor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="all services in one process on EMENTOR_HTTP_ADDRESS, with the walkthrough")
    dev.add_argument("--no-walkthrough", action="store_true")
    dev.add_argument("--exit", action="store_true", help="stop after the walkthrough instead of serving on")
    dev.add_argument("--services", help="comma-separated subset of services to run (default: all)")

    serve = commands.add_parser("serve", help="run the named services (one per container in production)")
    serve.add_argument("services", nargs="+", choices=list(registry.SERVICES) + ["all"])

    commands.add_parser("declare", help="declare exchanges, subscriber and dead-letter queues (deploy time)")

    tour = commands.add_parser("walkthrough", help="run the walkthrough against a running platform")
    tour.add_argument("--url", default=None, help="the API base URL (default: http://EMENTOR_HTTP_ADDRESS)")

    dead = commands.add_parser("dead-letters", help="inspect or replay dead-lettered events")
    dead.add_argument("action", choices=["list", "replay"])
    dead.add_argument("queue", nargs="?", help="with replay: the subscriber queue to replay into")
    dead.add_argument("--limit", type=int, default=None)

    orgs = commands.add_parser("organisation", help="create an organisation or rotate its API key (operator)")
    orgs.add_argument("action", choices=["create", "rotate-key"])
    orgs.add_argument("target", help="with create: the slug; with rotate-key: the organisation id")
    orgs.add_argument("--name", help="with create: the display name")
    orgs.add_argument("--grace-seconds", type=int, default=0, help="with rotate-key: how long the old key still works")
    orgs.add_argument("--url", default=None)

    openapi = commands.add_parser("openapi", help="write or check docs/openapi.json")
    openapi.add_argument("action", choices=["write", "check"])

    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.command in DEVELOPMENT_COMMANDS:
        environ.setdefault("EMENTOR_ENV", "development")
    if args.command == "dev" and not environ.get("MONGODB_URI"):
        environ.setdefault("EMENTOR_DATA_DIR", DEV_DATA_DIR)
    try:
        settings = load_settings(environ)
    except ConfigurationError as exc:
        print(f"ementor: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.EMENTOR_LOG_FORMAT)
    return COMMANDS[args.command](args, settings)


def all_service_classes(names=None):
    return [registry.service_class(name) for name in (names or registry.available())]


def check_broker(settings: Settings) -> None:
    try:
        with Connection(settings.AMQP_URI, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        raise SystemExit(
            f"ementor: RabbitMQ is not reachable at AMQP_URI ({exc}). Start it (e.g. `rabbitmq-server -detached`) "
            "or set AMQP_URI."
        )


def cmd_declare(args, settings: Settings) -> int:
    check_broker(settings)
    subs = topology.declare(settings.AMQP_URI, all_service_classes(), settings.EMENTOR_DELIVERY_LIMIT)
    print(f"declared {len(subs)} subscriber queues and their dead-letter queues")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from .runner import Services

    names = None if "all" in args.services else args.services
    check_broker(settings)
    classes = all_service_classes(names)
    topology.declare(settings.AMQP_URI, all_service_classes(), settings.EMENTOR_DELIVERY_LIMIT)
    services = Services(classes, settings).start()
    log.info("serving %s on http://%s", ", ".join(c.name for c in classes), settings.EMENTOR_HTTP_ADDRESS)
    _serve_until_signalled(services)
    return 0


def cmd_dev(args, settings: Settings) -> int:
    from .devtools.event_recorder import EventRecorder
    from .runner import Services

    if not settings.is_development:
        raise SystemExit("ementor dev runs only with EMENTOR_ENV=development")
    check_broker(settings)
    settings, stop_catchers = _with_dev_catchers(settings)
    classes = all_service_classes(args.services.split(",") if args.services else None)
    topology.declare(settings.AMQP_URI, classes, settings.EMENTOR_DELIVERY_LIMIT)
    recorder = EventRecorder(settings.AMQP_URI)
    services = Services(classes, settings).start()
    print(f"ementor: {len(classes)} services running in one process on http://{settings.EMENTOR_HTTP_ADDRESS}: "
          f"{', '.join(c.name for c in classes)}")
    print(f"ementor: MongoDB: {_describe_store(settings)}")
    try:
        if not args.no_walkthrough:
            from . import walkthrough

            walkthrough.run(f"http://{settings.EMENTOR_HTTP_ADDRESS}", settings.EMENTOR_ADMIN_TOKEN, recorder,
                            services=[c.name for c in classes])
        if not args.exit:
            print("ementor: serving; press Ctrl-C to stop")
            _serve_until_signalled(services)
            return 0
    finally:
        recorder.close()
        if args.exit:
            services.stop()
        stop_catchers()
    return 0


def _describe_store(settings: Settings) -> str:
    if not settings.uses_embedded_mongo:
        return "MONGODB_URI"
    kept = f"kept in {settings.EMENTOR_DATA_DIR}/" if settings.EMENTOR_DATA_DIR else "in memory only"
    return f"in-process mongomock stand-in, {kept} (development only: production needs MONGODB_URI)"


def _with_dev_catchers(settings: Settings):
    """In development, mail and SMS go to in-process catchers unless SMTP_HOST/TWILIO_* are set."""
    try:
        from .devtools.catchers import start_dev_catchers
    except ImportError:
        return settings, lambda: None
    smtp_host, smtp_port, twilio_base_url, stop = start_dev_catchers()
    overrides = {"SMTP_HOST": smtp_host, "SMTP_PORT": smtp_port, "TWILIO_BASE_URL": twilio_base_url,
                 "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
                 "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN or "dev-twilio-token",
                 "TWILIO_FROM_NUMBER": settings.TWILIO_FROM_NUMBER or "+15005550006"}
    print(f"ementor: development mail catcher on {smtp_host}:{smtp_port}, Twilio stand-in at {twilio_base_url}")
    return settings.model_copy(update=overrides), stop


def _serve_until_signalled(services) -> None:
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        services.wait()
    except KeyboardInterrupt:
        print("ementor: stopping")
        services.stop()


def cmd_walkthrough(args, settings: Settings) -> int:
    from . import walkthrough
    from .devtools.event_recorder import EventRecorder

    check_broker(settings)
    recorder = EventRecorder(settings.AMQP_URI)
    try:
        walkthrough.run(args.url or f"http://{settings.EMENTOR_HTTP_ADDRESS}", settings.EMENTOR_ADMIN_TOKEN, recorder)
    finally:
        recorder.close()
    return 0


def cmd_dead_letters(args, settings: Settings) -> int:
    check_broker(settings)
    subs = topology.subscriptions(all_service_classes())
    if args.action == "list":
        counts = topology.dead_letter_counts(settings.AMQP_URI, subs)
        for queue, count in counts.items():
            if count:
                print(f"{count:>6}  {queue}")
        print(f"{sum(counts.values())} dead-lettered event(s) in {len(counts)} queues")
        return 0
    known = {s.queue for s in subs}
    if args.queue not in known:
        print("ementor: name the subscriber queue to replay into; `ementor dead-letters list` shows them", file=sys.stderr)
        return 2
    moved = topology.replay_dead_letters(settings.AMQP_URI, args.queue, args.limit)
    print(f"replayed {moved} event(s) into {args.queue}")
    return 0


def cmd_organisation(args, settings: Settings) -> int:
    base = args.url or f"http://{settings.EMENTOR_HTTP_ADDRESS}"
    headers = {"Authorization": f"Bearer {settings.EMENTOR_ADMIN_TOKEN}"}
    if args.action == "create":
        response = requests.post(f"{base}/v1/organisations", headers=headers, timeout=30,
                                 json={"slug": args.target, "name": args.name or args.target})
    else:
        response = requests.post(f"{base}/v1/organisations/{args.target}/api-keys", headers=headers, timeout=30,
                                 json={"previous_key_valid_for_seconds": args.grace_seconds})
    print(json.dumps(response.json(), indent=2))
    return 0 if response.ok else 1


def cmd_openapi(args, settings: Settings) -> int:
    from .platform.http import openapi

    document = openapi.build(all_service_classes())
    if args.action == "write":
        openapi.write(document)
        print(f"wrote {openapi.OPENAPI_PATH}")
        return 0
    if openapi.is_stale(document):
        print("docs/openapi.json is stale: run `ementor openapi write`", file=sys.stderr)
        return 1
    print("docs/openapi.json is up to date")
    return 0


COMMANDS = {
    "dev": cmd_dev,
    "serve": cmd_serve,
    "declare": cmd_declare,
    "walkthrough": cmd_walkthrough,
    "dead-letters": cmd_dead_letters,
    "organisation": cmd_organisation,
    "openapi": cmd_openapi,
}

if __name__ == "__main__":
    sys.exit(main())
