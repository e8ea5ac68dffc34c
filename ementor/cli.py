"""`ementor`: run the platform, its walkthrough, and the operator's chores."""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # known; see docs/decisions.md

import eventlet

eventlet.monkey_patch()  # before anything imports socket, threading or pymongo

import argparse
import contextlib
import importlib.metadata
import json
import logging
import os
import signal
import sys

import requests
from kombu import Connection

from . import audit_verify, library_review, registry
from .platform import heap, topology
from .platform.logs import configure_logging
from .platform.settings import ConfigurationError, Settings, load_settings

log = logging.getLogger("ementor")

# Commands that are development by nature: they say EMENTOR_ENV=development when it is unset.
DEVELOPMENT_COMMANDS = ("dev", "openapi")
# Where `ementor dev` keeps its in-process store across restarts (README, "Development data").
DEV_DATA_DIR = ".ementor/data"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ementor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"ementor {_version()}",
                        help="print the installed ementor version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str, **kwargs) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=f"{summary}. {description}", **kwargs)

    dev = command("dev", "Run every service in one process, with the walkthrough",
                  "For development: EMENTOR_ENV defaults to development, mail and SMS go to in-process "
                  "catchers unless SMTP_HOST/TWILIO_* are set, and without MONGODB_URI the in-process store "
                  f"is kept in EMENTOR_DATA_DIR (default {DEV_DATA_DIR}).")
    dev.add_argument("--no-walkthrough", action="store_true", help="start serving at once, without the walkthrough")
    dev.add_argument("--exit", action="store_true", help="stop after the walkthrough instead of serving on")
    dev.add_argument("--services", help="comma-separated subset of services to run (default: all)")

    serve = command("serve", "Run the named services in this process",
                    "In production each container runs one service (`serve matching`); `all` runs every one.")
    serve.add_argument("services", nargs="+", choices=[*registry.SERVICES, "all"], metavar="SERVICE",
                       help=f"one or more of: {', '.join(registry.SERVICES)}, or all")

    command("declare", "Declare exchanges, subscriber and dead-letter queues",
            "Run once per deployment before any service publishes: RabbitMQ drops events routed to no queue.")

    tour = command("walkthrough", "Run the walkthrough against a running platform",
                   "Creates an organisation and walks a whole mentoring journey through the public API.")
    tour.add_argument("--url", default=None, help="the API base URL (default: http://EMENTOR_HTTP_ADDRESS)")

    dead = command("dead-letters", "List or replay dead-lettered events",
                   "`list` counts the events in every .dead-letter queue; `replay QUEUE` moves them back.")
    dead.add_argument("action", choices=["list", "replay"], help="list the counts, or replay one queue")
    dead.add_argument("queue", nargs="?", help="with replay: the subscriber queue to replay into")
    dead.add_argument("--limit", type=int, default=None, help="with replay: move at most this many events")

    orgs = command("organisation", "Manage organisations (platform operator)",
                   "Uses EMENTOR_ADMIN_TOKEN against the profiles API.")
    actions = orgs.add_subparsers(dest="action", required=True, metavar="ACTION")
    api_url = argparse.ArgumentParser(add_help=False)
    api_url.add_argument("--url", default=None,
                         help="the profiles API base URL (default: http://EMENTOR_HTTP_ADDRESS)")

    def action(name: str, summary: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=summary, description=summary + ".", parents=[api_url])

    create = action("create", "Create an organisation and print its API key (shown once)")
    create.add_argument("target", metavar="SLUG", help="the organisation's unique slug (a-z, 0-9, -)")
    create.add_argument("--name", help="the display name (default: the slug)")
    rotate = action("rotate-key", "Issue a new API key; the old ones expire after the grace period")
    rotate.add_argument("target", metavar="ORGANISATION_ID", help="the organisation's id")
    rotate.add_argument("--grace-seconds", type=int, default=0, help="how long the old key still works (default 0)")
    listing = action("list", "List organisations with their status")
    listing.add_argument("--json", action="store_true", help="print the API's JSON instead of a table")
    disable = action("disable", "Disable an organisation: its API keys and tokens stop working")
    disable.add_argument("target", metavar="ORGANISATION_ID", help="the organisation's id")

    openapi = command("openapi", "Write or check docs/openapi.json",
                      "`write` regenerates it from the services' routes; `check` fails when it is stale.")
    openapi.add_argument("action", choices=["write", "check"], help="write the document, or check it is current")

    audit_verify.add_command(command)
    library_review.add_command(command)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("ementor")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


class CommandError(Exception):
    """Said on one line, with exit code 1."""


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.command == "library":  # reads the library's files only: no secrets or broker needed
        return library_review.review(args, environ)
    if args.command in DEVELOPMENT_COMMANDS:
        environ.setdefault("EMENTOR_ENV", "development")
    if args.command == "dev" and not environ.get("MONGODB_URI"):
        environ.setdefault("EMENTOR_DATA_DIR", DEV_DATA_DIR)
    if args.command == "dev" and environ.get("EMENTOR_HTTP_ADDRESS"):
        # emailed links open the web app this server serves
        environ.setdefault("EMENTOR_PUBLIC_URL", f"http://{environ['EMENTOR_HTTP_ADDRESS']}")
    try:
        settings = load_settings(environ)
    except ConfigurationError as exc:
        print(f"ementor: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.EMENTOR_LOG_FORMAT)
    try:
        return COMMANDS[args.command](args, settings)
    except CommandError as exc:
        print(f"ementor: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"ementor: the API did not answer: {_reason(exc)}", file=sys.stderr)
        return 1


def _reason(exc: requests.RequestException) -> str:
    """The last line of a requests error, which names the cause (refused, timed out, unknown host)."""
    return str(exc).replace("\n", " ").split(": ")[-1].strip("')\"") or type(exc).__name__


def all_service_classes(names=None):
    return [registry.service_class(name) for name in (names or registry.available())]


def check_broker(settings: Settings) -> None:
    try:
        with Connection(settings.AMQP_URI, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - whatever the cause, say the broker is unreachable
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
    services = Services(classes, settings)
    with _stopped_on_signal(services) as serve:
        services.start()
        log.info("serving %s on http://%s", ", ".join(c.name for c in classes), settings.EMENTOR_HTTP_ADDRESS)
        serve()
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
    services = Services(classes, settings)
    try:
        with _stopped_on_signal(services) as serve:
            services.start()
            print(f"ementor: {len(classes)} services running in one process on "
                  f"http://{settings.EMENTOR_HTTP_ADDRESS}: {', '.join(c.name for c in classes)}")
            print(f"ementor: MongoDB: {_describe_store(settings)}")
            print(f"ementor: the web app is at {settings.EMENTOR_PUBLIC_URL.rstrip('/')}/ (the API at /v1/docs)")
            if not args.no_walkthrough:
                from . import walkthrough

                walkthrough.run(f"http://{settings.EMENTOR_HTTP_ADDRESS}", settings.EMENTOR_ADMIN_TOKEN, recorder,
                                services=[c.name for c in classes])
            if not args.exit:
                print("ementor: serving; press Ctrl-C to stop")
                serve()
    finally:
        recorder.close()
        stop_catchers()
    return 0


SMTP_SETTINGS = ("SMTP_HOST", "SMTP_PORT")
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_BASE_URL")


def _describe_store(settings: Settings) -> str:
    if not settings.uses_embedded_mongo:
        return "MONGODB_URI"
    kept = f"kept in {settings.EMENTOR_DATA_DIR}/" if settings.EMENTOR_DATA_DIR else "in memory only"
    return f"in-process mongomock stand-in, {kept} (development only: production needs MONGODB_URI)"


def _with_dev_catchers(settings: Settings):
    """In development, mail and SMS go to in-process catchers unless SMTP_HOST/TWILIO_* are set.

    Each is decided on its own: SMTP_HOST or SMTP_PORT set means a real mail server (e.g.
    Mailpit on :1025), any TWILIO_* set means Twilio (or TWILIO_BASE_URL's stand-in).
    """
    real_mail = any(name in settings.model_fields_set for name in SMTP_SETTINGS)
    real_sms = any(name in settings.model_fields_set for name in TWILIO_SETTINGS)
    if real_mail:
        print(f"ementor: mail goes to the SMTP server at {settings.SMTP_HOST}:{settings.SMTP_PORT}")
    if real_sms:
        print(f"ementor: SMS go to Twilio at {settings.TWILIO_BASE_URL or 'api.twilio.com'}")
    if real_mail and real_sms:
        return settings, lambda: None
    try:
        from .devtools.catchers import start_dev_catchers
    except ImportError:
        return settings, lambda: None
    mail, sms, stop_catchers = start_dev_catchers(mail=not real_mail, sms=not real_sms)
    from .devtools.mailbox import Mailbox

    mailbox = Mailbox(mail, sms)
    print(f"ementor: development mailbox (what was emailed and texted) at {mailbox.url}")
    overrides = {}
    if mail is not None:
        overrides.update(SMTP_HOST=mail.host, SMTP_PORT=mail.port)
        print(f"ementor: development mail catcher on {mail.host}:{mail.port} (set SMTP_HOST for a real server)")
    if sms is not None:
        overrides.update(TWILIO_BASE_URL=sms.base_url, TWILIO_ACCOUNT_SID="AC" + "0" * 32,
                         TWILIO_AUTH_TOKEN="dev-twilio-token", TWILIO_FROM_NUMBER="+15005550006")
        print(f"ementor: Twilio stand-in at {sms.base_url} (set TWILIO_* for the real Twilio)")
    return settings.model_copy(update=overrides), lambda: (mailbox.stop(), stop_catchers())


@contextlib.contextmanager
def _stopped_on_signal(services):
    """Stop the services cleanly (their stores flushed) on leaving the block, on Ctrl-C, and on a
    SIGTERM at any moment, start-up included; yields `serve()`, which waits for the signal.

    The SIGTERM handler only records the request: an exception raised from it would land in
    whichever green thread runs at that moment (a queue consumer, say), which nameko takes for a
    crash of the container, and the clean stop would then fail.
    """
    requested = eventlet.event.Event()

    def request_stop(signum, frame):
        if not requested.ready():
            requested.send()

    def serve():
        heap.settle_after_start()  # what start-up built lives until exit: out of the collector's way
        eventlet.spawn(services.wait).link(lambda _: request_stop(None, None))  # or until a container dies
        requested.wait()

    signal.signal(signal.SIGTERM, request_stop)
    try:
        yield serve
    except KeyboardInterrupt:
        pass
    finally:
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
    base = (args.url or f"http://{settings.EMENTOR_HTTP_ADDRESS}").rstrip("/")
    if args.action == "create":
        response = _operator_call(settings, "POST", base, "/v1/organisations",
                                  {"slug": args.target, "name": args.name or args.target})
    elif args.action == "rotate-key":
        response = _operator_call(settings, "POST", base, f"/v1/organisations/{args.target}/api-keys",
                                  {"previous_key_valid_for_seconds": args.grace_seconds})
    elif args.action == "disable":
        response = _operator_call(settings, "POST", base, f"/v1/organisations/{args.target}/disable")
    else:
        return _list_organisations(settings, base, as_json=args.json)
    print(json.dumps(response, indent=2))
    return 0


def _list_organisations(settings: Settings, base: str, *, as_json: bool) -> int:
    items, cursor = [], None
    while True:
        page = _operator_call(settings, "GET", base, "/v1/organisations?limit=200" + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    if as_json:
        print(json.dumps(items, indent=2))
        return 0
    print(f"{'ID':<26} {'STATUS':<9} {'SLUG':<30} NAME")
    for o in items:
        print(f"{o['id']:<26} {o['status']:<9} {o['slug']:<30} {o['name']}")
    print(f"{len(items)} organisation(s)")
    return 0


def _operator_call(settings: Settings, method: str, base: str, path: str, body: dict | None = None) -> dict:
    """One operator request; raise CommandError with the API's own message when it refuses."""
    try:
        response = requests.request(method, base + path, json=body, timeout=30,
                                    headers={"Authorization": f"Bearer {settings.EMENTOR_ADMIN_TOKEN}"})
    except requests.RequestException as exc:
        raise CommandError(f"cannot reach the API at {base} ({_reason(exc)}); is it running? (--url)") from None
    try:
        payload = response.json()
    except ValueError:
        raise CommandError(f"{method} {path} answered {response.status_code}, not JSON: {response.text[:200]!r}") from None
    if not response.ok:
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        raise CommandError(f"{method} {path} answered {response.status_code}: {error.get('message', payload)}")
    return payload


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
    "audit": lambda args, settings: audit_verify.verify(settings, args.organisation),
}

if __name__ == "__main__":
    sys.exit(main())
