"""OpenAPI 3.1 for the whole public API, generated from the `api` entrypoints' models.

The document is built from every service class and kept in docs/openapi.json (a test fails
when it is stale); each service's web server serves that file at /v1/openapi.json.
"""

from __future__ import annotations

import inspect
import json
import re

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .api import ApiRoute
from .errors import status_of
from .raises import domain_errors
from .server import OPENAPI_PATH

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        }
    },
}
STATUS_TEXT = {400: "Malformed request", 401: "Missing or invalid token", 403: "Not allowed for this token",
               404: "Not found (or another organisation's)", 409: "Conflicts with the current state",
               413: "Body too large", 414: "Address too long (over 8 KB)", 415: "Not JSON", 422: "Invalid values", 429: "Rate limited",
               503: "A dependency is unavailable; try again later"}


def routes(service_classes) -> list[tuple[str, str, ApiRoute]]:
    found = []
    for cls in service_classes:
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                if isinstance(entrypoint, ApiRoute):
                    found.append((cls.name, name, entrypoint))
    return sorted(found, key=lambda r: (r[2].url, r[2].method))


def error_statuses(route: ApiRoute, method, path: str) -> set[int]:
    """What the platform answers before the method runs, plus what the method's code can raise."""
    statuses = {401, 403} if route.auth != "public" else set()
    if "<" in route.url:
        statuses.add(404)  # a path value that cannot name anything (a control character, say) finds nothing
    if route.body_model is not None:
        statuses |= {400, 413, 415, 422}
    if route.raw_body:
        statuses |= {413, 415}
    if route.query_model is not None:
        statuses |= {400, 414, 422}
    statuses |= {status_of(error) for error in domain_errors(method)}
    return statuses


def build(service_classes) -> dict:
    found = routes(service_classes)
    models: set[type[BaseModel]] = set()
    for _, _, route in found:
        for model in (route.body_model, route.response_model):
            if model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: (m.__module__, m.__name__))
    keyed = [(m, "validation" if _is_input(m, found) else "serialization") for m in ordered]
    refs, schema = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    # pydantic names the components (qualifying them when two services use one class name).
    names = {model: refs[(model, mode)]["$ref"].rsplit("/", 1)[1] for model, mode in keyed}
    components = dict(sorted(schema.get("$defs", {}).items()))
    components["Error"] = ERROR_SCHEMA
    paths: dict = {}
    classes = {cls.name: cls for cls in service_classes}
    for service, method_name, route in found:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", route.url)
        statuses = error_statuses(route, getattr(classes[service], method_name), path)
        for method in route.method.split(","):
            paths.setdefault(path, {})[method.lower()] = _operation(service, method_name, route, path, names, statuses)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ementor API", "version": "1.0.0",
                 "description": "The public HTTP API of the ementor e-mentoring platform."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _is_input(model, found) -> bool:
    return any(route.body_model is model for _, _, route in found)


def _operation(service, method_name, route: ApiRoute, path: str, names, error_statuses: set[int]) -> dict:
    operation: dict = {
        "operationId": f"{service}.{method_name}",
        "tags": [service],
        "summary": route.summary,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{([^}]+)}", path)
        ],
    }
    if route.description:
        operation["description"] = route.description
    if route.auth != "public":
        operation["security"] = [{"bearer": []}]
    if route.query_model is not None:
        for name, field in route.query_model.model_fields.items():
            name = field.alias or name  # e.g. `from`, a Python keyword, is the alias of `from_`
            schema = route.query_model.model_json_schema()["properties"].get(name, {})
            operation["parameters"].append(
                {"name": name, "in": "query", "required": field.is_required(), "schema": schema}
            )
    if route.raw_body:
        operation["requestBody"] = {
            "required": True,
            "description": f"At most {route.max_body_bytes} bytes.",
            "content": {media: {"schema": {"type": "string"}} for media in route.raw_body},
        }
    elif route.body_model is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{names[route.body_model]}"}}},
        }
    success: dict = {"description": "Success"}
    if route.response_media_type is not None:
        success["content"] = {route.response_media_type: {"schema": {"type": "string"}}}
    elif route.response_model is not None:
        success["content"] = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{names[route.response_model]}"}}
        }
    responses = {str(route.status): success}
    for status in sorted(error_statuses):
        responses[str(status)] = {
            "description": STATUS_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation["responses"] = responses
    return operation


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write(document: dict) -> None:
    OPENAPI_PATH.write_text(render(document))


def is_stale(document: dict) -> bool:
    return not OPENAPI_PATH.exists() or OPENAPI_PATH.read_text() != render(document)
