"""The `api` entrypoint: auth, JSON parsing and validation, errors and metrics in one place.

A service method declares what it takes and returns:

    @api("POST", "/v1/people", body=CreatePerson, response=Person, status=201, summary="Create a person")
    def create_person(self, auth: Principal, body: CreatePerson) -> Person: ...

and receives `auth`, the validated `body` and/or `query`, and the path values. A route that takes a
file instead of JSON names its media types, `raw_body=("text/csv",)`, and receives the bytes as
`body` (at most `max_body_bytes`). It returns a
pydantic model (or `(status, model)`, a dict, a werkzeug Response, or None for 204) and raises
domain errors (ementor.platform.errors) for anything a client did wrong.
"""

from __future__ import annotations

import logging
import time
import typing
import uuid
from functools import partial

from eventlet.event import Event
from nameko.web.handlers import HttpRequestHandler
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response

from ..errors import BadInput, DomainError, Forbidden, Invalid, NotFound, TooLarge, Unauthenticated
from ..extension import ServiceExtension
from ..metrics import HTTP_LATENCY, HTTP_REQUESTS
from ..principal import Principal, roles_holding
from ..revocation import kept_by
from .auth import bearer_token, is_operator_token, verify_token
from .cookies import ACCESS_COOKIE, require_csrf
from .errors import (
    UnsupportedMediaType,
    body_of,
    error_body,
    headers_of,
    status_of,
    validation_details,
    validation_message,
)
from .inputs import InvalidInput, check_values, parse_json
from .server import SharedWebServer, json_response

log = logging.getLogger(__name__)

PERSON_AND_COORDINATOR = ("coordinator", "mentor", "mentee")
MAX_BODY_BYTES = 256 * 1024


class ApiRoute(ServiceExtension, HttpRequestHandler):
    server = SharedWebServer()

    def __init__(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        auth: str = "token",  # "token" | "operator" | "public"
        roles: tuple[str, ...] = PERSON_AND_COORDINATOR,
        pass_request: bool = False,
        raw_body: tuple[str, ...] = (),
        max_body_bytes: int = MAX_BODY_BYTES,
        response_media_type: str | None = None,
        description: str | None = None,
        **kwargs,
    ):
        kwargs.setdefault("expected_exceptions", (DomainError, ValidationError))
        super().__init__(method, path, **kwargs)
        self.summary = summary
        self.description = description
        self.body_model = body
        self.query_model = query
        self.response_model = response
        self.status = status
        self.auth = auth
        self.roles = roles
        self.pass_request = pass_request
        self.raw_body = raw_body
        self.max_body_bytes = max_body_bytes
        self.response_media_type = response_media_type  # a non-JSON success body, e.g. "text/csv"

    # -- request -------------------------------------------------------------------------
    def handle_request(self, request):
        request.shallow = False
        started = time.perf_counter()
        request.environ.update({"ementor.route": self.url, "ementor.service": self.container.service_name})
        try:
            kwargs = dict(request.path_values)
            try:
                check_values(kwargs)
            except InvalidInput as exc:  # no id holds such text: nothing lives at this address
                raise NotFound(f"nothing here: the path value {exc.field} {exc.message}") from None
            kwargs.update(self._inputs(request))
            done = Event()
            self.container.spawn_worker(
                self, (), kwargs,
                context_data={
                    "request_id": request.environ["ementor.request_id"],
                    "traceparent": request.environ["ementor.traceparent"],
                    "tenant_id": request.environ.get("ementor.tenant_id"),
                },
                handle_result=partial(self.handle_result, done),
            )
            response = self.response_from_result(done.wait())
        except Exception as exc:  # noqa: BLE001 - every failure becomes an HTTP response
            response = self.response_from_exception(exc)
        service = self.container.service_name
        HTTP_REQUESTS.labels(service, self.url, self.method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(service, self.url).observe(time.perf_counter() - started)
        return response

    def _inputs(self, request) -> dict:
        settings = self.settings
        inputs: dict = {}
        if self.auth == "operator":
            token = bearer_token(request.headers.get("Authorization"))
            if not is_operator_token(token, settings.EMENTOR_ADMIN_TOKEN):
                raise Unauthenticated("this endpoint needs the platform operator's token (EMENTOR_ADMIN_TOKEN)")
            inputs["auth"] = Principal(role="operator")
        elif self.auth == "token":
            inputs["auth"] = principal = self._principal(request)
            request.environ["ementor.tenant_id"] = principal.tenant_id  # for the access log
        if self.pass_request:
            inputs["request"] = request
        if self.raw_body:
            inputs["body"] = self._raw_body(request)
        elif self.body_model is not None:
            inputs["body"] = self._parse_body(request)
        if self.query_model is not None:
            inputs["query"] = self._parse_query(request)
        return inputs

    def _principal(self, request) -> Principal:
        settings = self.settings
        header = request.headers.get("Authorization")
        if header is None and ACCESS_COOKIE in request.cookies:
            require_csrf(request)
            token = request.cookies[ACCESS_COOKIE]
        else:
            token = bearer_token(header)
        principal = verify_token(settings.EMENTOR_JWT_SECRET, token, settings.EMENTOR_JWT_PREVIOUS_SECRET)
        if principal.tenant_id in self.server.disabled_organisations:
            raise Unauthenticated("the organisation is disabled; its tokens no longer work", code="organisation_disabled")
        revocations = kept_by(self.container.service_name)
        if revocations is not None and revocations.is_revoked(principal):
            raise Unauthenticated("access with this token has been revoked: sign in again", code="token_revoked")
        if principal.role not in roles_holding(self.roles):
            allowed = " or ".join(sorted(roles_holding(self.roles)))
            raise Forbidden(f"a {principal.role} token may not do this; it needs a {allowed} token",
                            code="role_not_allowed")
        if principal.read_only and self.method not in ("GET", "HEAD"):
            raise Forbidden("this API key is read-only: it may only read (GET)", code="read_only_key")
        return principal

    def _read_body(self, request, limit: int) -> bytes:
        # Refuse by the declared length before reading; a chunked body is read only up to the limit.
        message = f"the request body is larger than the limit of {_size(limit)} ({limit} bytes)"
        length = request.content_length
        if length is not None and length > limit:
            raise TooLarge(message)
        raw = request.stream.read(limit + 1) if length is None else request.get_data(cache=True)
        if len(raw) > limit:
            raise TooLarge(message)
        return raw

    def _raw_body(self, request) -> bytes:
        if request.mimetype not in self.raw_body:
            raise UnsupportedMediaType(
                f"send the body with Content-Type: {' or '.join(self.raw_body)}, not {request.mimetype or 'none'}"
            )
        return self._read_body(request, self.max_body_bytes)

    def _parse_body(self, request) -> BaseModel:
        raw = self._read_body(request, self.max_body_bytes)
        mimetype = request.mimetype
        if raw and mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
            raise UnsupportedMediaType(f"send the body as JSON with Content-Type: application/json, not {mimetype}")
        try:
            payload = parse_json(raw) if raw.strip() else {}
        except InvalidInput as exc:
            raise _refused(exc) from None
        if not isinstance(payload, dict):
            raise BadInput("the request body must be a JSON object", code="malformed_json")
        return _validate(self.body_model, payload)

    def _parse_query(self, request) -> BaseModel:
        fields = self.query_model.model_fields
        values = {
            key: request.args.getlist(key) if key in fields and _is_list(fields[key].annotation) else request.args.get(key)
            for key in request.args
        }
        try:
            check_values(values)
        except InvalidInput as exc:
            raise _refused(exc) from None
        return _validate(self.query_model, values)

    # -- response ------------------------------------------------------------------------
    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status = self.status
        if isinstance(result, tuple):
            status, result = result
        if result is None:
            return Response(status=204)
        if isinstance(result, BaseModel):
            body = result.model_dump(mode="json")
        else:
            body = result
        return json_response(body, status)

    def response_from_exception(self, exc):
        if isinstance(exc, DomainError):
            return json_response(body_of(exc), status_of(exc), headers_of(exc))
        if isinstance(exc, ValidationError):
            details = validation_details(exc.errors())
            return json_response(error_body("validation_failed", validation_message(details), details), 422)
        error_id = uuid.uuid4().hex[:12]
        log.error("unhandled error %s in %s %s", error_id, self.method, self.url, exc_info=exc)
        return json_response(
            error_body("internal_error", f"something went wrong on our side (error id {error_id})"), 500
        )


def _validate(model: type[BaseModel], values: dict) -> BaseModel:
    try:
        validated = model.model_validate(values)
        # a string such as "nan" or "1e999" becomes a non-finite float only in validation
        check_values(validated.model_dump())
        return validated
    except ValidationError as exc:
        details = validation_details(exc.errors())
        raise Invalid(validation_message(details), details=details) from None
    except InvalidInput as exc:
        raise _refused(exc) from None


def _refused(exc: InvalidInput) -> DomainError:
    if exc.malformed:
        return BadInput(exc.message, code="malformed_json")
    details = [{"field": exc.field, "message": exc.message}]
    return Invalid(validation_message(details), details=details)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def _is_list(annotation) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation))


api = ApiRoute.decorator
