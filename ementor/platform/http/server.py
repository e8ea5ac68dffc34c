"""One HTTP listener per process, shared by every service container running in it.

nameko gives each container its own web server; two services in one process then both bind
the same port (SO_REUSEPORT) and requests land on either at random. Here the first container
to start opens the socket and every container's routes join one URL map. In production each
service runs alone in its process and this is simply its web server. The server also answers
`/health/live`, `/health/ready` (and `/health`, the same), `/metrics`, `/v1/openapi.json` and `/v1/docs`
(a browsable page of it), once per process, gives every request an X-Request-Id and writes the access log.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import eventlet
from eventlet import wsgi
from eventlet.greenpool import GreenPool
from nameko.web.server import HttpOnlyProtocol, WebServer, parse_address
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from ..logs import log_request, new_traceparent, request_id_from, trace_id_from, valid_traceparent
from . import docs_page, web_app
from .errors import error_body
from .health import Readiness
from .revocation import DisabledOrganisations

log = logging.getLogger(__name__)

OPENAPI_PATH = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"

QUIET_PATHS = ("/health", "/health/live", "/health/ready", "/metrics")
MAX_URL = 8192  # what the reverse proxy accepts too (nginx's default buffer); longer is a JSON 414
READ_URL = 8 * MAX_URL  # eventlet answers an empty 414 past this, so it reads far enough for ours

_servers: dict[tuple, SharedWebServer] = {}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def _listen(address: tuple[str, int]):
    """Not SO_REUSEPORT (eventlet's default): a second process on the port is refused, rather than
    silently given half of the requests."""
    try:
        return eventlet.listen(address, reuse_port=False)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot listen on http://{address[0]}:{address[1]}: {exc.strerror} (is another "
                                 "ementor still running there? EMENTOR_HTTP_ADDRESS chooses another address)") from None


class SharedWebServer(WebServer):
    def __init__(self):
        super().__init__()
        self._containers = []
        self._pool = GreenPool(10_000)
        self._url_map = None
        self._users = 0
        self._readiness = Readiness()
        self.disabled_organisations = None

    def bind(self, container):
        address = parse_address(container.config.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000"))
        server = _servers.get(address)
        if server is None:
            server = super().bind(container)
            _servers[address] = server
        container.shared_extensions[self.sharing_key] = server
        if container not in server._containers:
            server._containers.append(container)
        return server

    def register_provider(self, provider):
        super().register_provider(provider)
        self._url_map = None

    def unregister_provider(self, provider):
        super().unregister_provider(provider)
        self._url_map = None

    def start(self):
        self._users += 1
        if not self._starting:
            self._starting = True
            self._sock = _listen(self.bind_addr)
            self._sock.settimeout(None)
            self._serv = wsgi.Server(
                self._sock, self._sock.getsockname(), self.wsgi_app, protocol=HttpOnlyProtocol,
                log=logging.getLogger("ementor.http.access"), log_output=False, url_length_limit=READ_URL,
            )
            self._gt = eventlet.spawn(self.run)
            self.disabled_organisations = DisabledOrganisations(self._containers[0].config)
            self.disabled_organisations.start()
            log.info("HTTP API listening on http://%s:%s", *self._sock.getsockname()[:2])

    def run(self):
        while self._is_accepting:
            try:
                sock, address = self._sock.accept()
            except OSError:
                return
            sock.settimeout(self._serv.socket_timeout)
            self._pool.spawn_n(self.process_request, sock, address)

    def stop(self):
        self._users -= 1
        if self._users > 0:
            return  # other containers still serve through this listener
        self._is_accepting = False
        if self._gt is not None:
            self._gt.kill()
        if self.disabled_organisations is not None:
            self.disabled_organisations.stop()
        if self._sock is not None:
            self._sock.close()
        for address, server in list(_servers.items()):
            if server is self:
                del _servers[address]
        self._providers.clear()

    def kill(self):
        self._users = min(self._users, 1)
        self.stop()

    @property
    def url_map(self) -> Map:
        if self._url_map is None:
            self._url_map = self.make_url_map()
        return self._url_map

    def wsgi_app(self, environ, start_response):
        started = time.perf_counter()
        request = Request(environ, shallow=True)
        request_id = request_id_from(request.headers.get("X-Request-Id"))
        traceparent = valid_traceparent(request.headers.get("traceparent")) or new_traceparent()
        environ.update({"ementor.request_id": request_id, "ementor.traceparent": traceparent})
        response = self._respond(request, environ)
        response.headers["X-Request-Id"] = request_id
        if request.path in QUIET_PATHS and response.status_code == 200:
            return response(environ, start_response)  # probes and scrapes, every few seconds
        log_request(
            method=request.method, path=request.path, route=environ.get("ementor.route"),
            status=response.status_code, duration_ms=round((time.perf_counter() - started) * 1000, 1),
            request_id=request_id, trace_id=trace_id_from(traceparent),
            service=environ.get("ementor.service") or self._service_names(), tenant_id=environ.get("ementor.tenant_id"),
        )
        return response(environ, start_response)

    def _service_names(self) -> str:
        return ",".join(c.service_name for c in self._containers)

    def _respond(self, request, environ) -> Response:
        if len(environ.get("RAW_PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URL:
            return json_response(error_body("uri_too_long", f"the address is longer than {MAX_URL} bytes; "
                                                            "send long values in a request body"), 414)
        try:
            response = self._route(request, environ)
        except MethodNotAllowed as exc:
            response = json_response(
                error_body("method_not_allowed", f"{request.method} is not allowed on {request.path}",
                           {"allowed": sorted(exc.valid_methods or [])}),
                405,
            )
        except NotFound:
            response = json_response(error_body("not_found", f"no endpoint at {request.method} {request.path}"), 404)
        except HTTPException as exc:
            response = json_response(error_body("http_error", exc.description or exc.name), exc.code or 400)
        return response

    def _route(self, request, environ):
        path = request.path
        if path in ("/health/live", "/health/ready", "/health"):
            environ["ementor.route"] = path
            if path == "/health/live":
                return json_response({"status": "ok"})
            return json_response(*self._readiness(self._containers))
        if path == "/metrics":
            return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
        if path == "/v1/openapi.json" and request.method == "GET":
            return Response(OPENAPI_PATH.read_bytes(), mimetype="application/json")
        if path == "/v1/docs" and request.method == "GET":
            return Response(docs_page.page(OPENAPI_PATH), mimetype="text/html",
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
        if web_app.is_app_path(path, request.method):
            environ["ementor.route"] = "/ (web app)"
            return web_app.respond(path)
        provider, values = self.url_map.bind_to_environ(environ).match()
        request.path_values = values
        return provider.handle_request(request)

