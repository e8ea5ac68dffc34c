# Over 400 lines on purpose: the catalogue's four generated forms (schemas, examples, AsyncAPI, Markdown) share one walk.
"""The published event catalogue: JSON Schemas, an AsyncAPI document and docs/events.md.

Everything here is generated from the models and is deterministic (sorted, no timestamps), so a
test can tell when the committed docs are stale:

    python -m ementor_contracts.catalogue write docs
    python -m ementor_contracts.catalogue check docs
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .base import REGISTRY, Event
from .envelope import CONTENT_TYPE, to_cloudevent
from .events import COORDINATOR

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The version of the catalogue document, kept in step with the distribution by hand: reading it
# from package metadata would make the output depend on how the package was installed.
CATALOGUE_VERSION = "1.0.0"
AMQP_BINDING_VERSION = "0.3.0"
REGENERATE_COMMAND = "python -m ementor_contracts.catalogue write docs"

_EXAMPLE_NAMESPACE = uuid.UUID("6f1c1a52-9d0e-4c57-8a43-5be1d2b0e001")
_EXAMPLE_TIME = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)  # noqa: UP017 - Python 3.10
_EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
# Example actors reuse the match's people, so one example reads as one coherent story.
_EXAMPLE_SAME_AS = {
    "person_id": "mentor_id",
    "sender_id": "mentee_id",
    "recipient_id": "mentor_id",
    "set_by": "mentee_id",
    "completed_by": "mentee_id",
    "declined_by": "mentor_id",
    "ended_by": "mentor_id",
    "cancelled_by": "mentor_id",
    "proposed_by": COORDINATOR,
    "moderator_id": COORDINATOR,
    "matching_run_id": "run_id",
}


# -- which events exist ----------------------------------------------------------------------


def events_by_service() -> dict[str, list[type[Event]]]:
    """Every registered event, grouped by publishing service; both levels sorted by name."""
    grouped: dict[str, list[type[Event]]] = {}
    for name in sorted(REGISTRY):
        cls = REGISTRY[name]
        grouped.setdefault(cls.source_service, []).append(cls)
    return dict(sorted(grouped.items()))


def all_events() -> list[type[Event]]:
    return [cls for classes in events_by_service().values() for cls in classes]


def exchange_name(cls: type[Event]) -> str:
    """The nameko topic exchange the event is published to."""
    return f"{cls.source_service}.events"


def description(cls: type[Event]) -> str:
    return inspect.cleandoc(cls.__doc__ or "")


# -- JSON Schema -----------------------------------------------------------------------------


def event_json_schema(cls: type[Event]) -> dict[str, Any]:
    """JSON Schema (2020-12) of the event's `data`, identified by its `dataschema` URI.

    Nested models are inlined rather than referenced, so the schema stands alone when embedded
    in the envelope or the AsyncAPI document (where `#/$defs/...` would point at the wrong root).
    Unknown properties stay allowed: events only grow.
    """
    # Validation mode: the schema says what a consumer accepts, which is what integrators check.
    raw = cls.model_json_schema(mode="validation")
    defs = raw.pop("$defs", {})
    body = _ordered(_inline_refs(raw, defs))
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": cls.dataschema(), **body}


def cloudevent_json_schema(cls: type[Event]) -> dict[str, Any]:
    """JSON Schema (2020-12) of the whole CloudEvents envelope carrying this event."""
    data = {k: v for k, v in event_json_schema(cls).items() if k != "$schema"}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{cls.dataschema()}/cloudevent",
        "title": f"{cls.type_name()} CloudEvent",
        "description": f"CloudEvents 1.0 envelope (structured JSON mode) of {cls.type_name()}.",
        "type": "object",
        "properties": {
            "specversion": {"const": "1.0", "description": "CloudEvents version."},
            "id": {
                "type": "string",
                "minLength": 1,
                "description": "Unique id of this event; consumers deduplicate on it.",
            },
            "source": {"const": cls.source(), "description": "The publishing service."},
            "type": {"const": cls.type_name(), "description": "The event name; also the routing key."},
            "time": {"type": "string", "format": "date-time", "description": "When it happened."},
            "subject": {
                "type": "string",
                "minLength": 1,
                "description": f"The main entity: `data.{cls.subject_field}`.",
            },
            "dataschema": {"const": cls.dataschema(), "description": "The schema of `data`."},
            "datacontenttype": {"const": "application/json", "description": "Encoding of `data`."},
            "tenantid": {
                "type": "string",
                "minLength": 1,
                "description": "The organisation the event belongs to.",
            },
            "traceparent": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": "W3C trace context of the request that caused the event.",
            },
            "data": data,
        },
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "time",
            "subject",
            "dataschema",
            "datacontenttype",
            "tenantid",
            "data",
        ],
    }


def _inline_refs(node: Any, defs: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        if name in seen:
            raise ValueError(f"recursive model {name} cannot be inlined")
        target = _inline_refs(defs[name], defs, (*seen, name))
        # Keywords beside the $ref (the field's own description) override the model's.
        siblings = {k: _inline_refs(v, defs, seen) for k, v in node.items() if k != "$ref"}
        return _ordered({**target, **siblings})
    return {key: _inline_refs(value, defs, seen) for key, value in node.items()}


_KEY_ORDER = ("title", "description", "type", "properties", "required")


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    """Readable key order: title and description first, the rest as pydantic emits them."""
    first = {k: schema[k] for k in _KEY_ORDER if k in schema}
    return {**first, **{k: v for k, v in schema.items() if k not in first}}


# -- examples --------------------------------------------------------------------------------


def example_event(cls: type[Event]) -> Event:
    """A deterministic instance of the event, built from the field examples in its schema."""
    schema = event_json_schema(cls)
    return cls.model_validate(_example_object(schema))


def example_envelope(cls: type[Event]) -> dict[str, Any]:
    """The example event as it appears on the wire."""
    event = example_event(cls)
    # An organisation's own events belong to it; every other example uses one sample tenant.
    tenant = getattr(event, "organisation_id", None) or _example_id("organisation_id")
    envelope = to_cloudevent(
        event,
        tenant,
        event_id=str(uuid.uuid5(_EXAMPLE_NAMESPACE, f"event:{cls.type_name()}")),
        time=_EXAMPLE_TIME,
        traceparent=_EXAMPLE_TRACEPARENT,
    )
    return envelope.model_dump(mode="json")


def _example_id(name: str) -> str:
    return str(uuid.uuid5(_EXAMPLE_NAMESPACE, name))


def _example_object(schema: dict[str, Any]) -> dict[str, Any]:
    return {name: _example(prop, name) for name, prop in schema.get("properties", {}).items()}


def _example(prop: dict[str, Any], name: str) -> Any:
    if name in _EXAMPLE_SAME_AS:
        alias = _EXAMPLE_SAME_AS[name]
        return alias if alias == COORDINATOR else _example_id(alias)
    if "examples" in prop:
        return prop["examples"][0]
    if "const" in prop:
        return prop["const"]
    if "enum" in prop:
        return prop["enum"][0]
    if "anyOf" in prop:
        options = [option for option in prop["anyOf"] if option.get("type") != "null"]
        return _example(options[0], name)
    if prop.get("default") is not None:
        return prop["default"]
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") == "date-time":
            return _EXAMPLE_TIME.isoformat().replace("+00:00", "Z")
        return _example_id(name) if name.endswith("_id") else name.replace("_", " ")
    if kind == "integer":
        if "minimum" in prop:
            return prop["minimum"]
        return prop.get("exclusiveMinimum", 0) + 1
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return False
    if kind == "array":
        return [_example(prop.get("items", {}), name)]
    if kind == "object":
        return _example_object(prop)
    raise ValueError(f"no example for field {name!r} with schema {prop}")


# -- AsyncAPI --------------------------------------------------------------------------------


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0.0: one channel per event on its service's topic exchange."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in all_events():
        name = cls.type_name()
        channels[name] = {
            "address": name,
            "title": f"{exchange_name(cls)} / {name}",
            "description": f"{name} events on the `{exchange_name(cls)}` topic exchange.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": exchange_name(cls),
                        "type": "topic",
                        "durable": True,
                        "autoDelete": False,
                        "vhost": "/",
                    },
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
        }
        operations[f"publish{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": description(cls),
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING_VERSION}},
        }
        messages[name] = {
            "name": name,
            "title": name,
            "summary": description(cls),
            "contentType": CONTENT_TYPE,
            "payload": cloudevent_json_schema(cls),
            "bindings": {
                "amqp": {
                    "contentEncoding": "utf-8",
                    "messageType": name,
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
            "examples": [{"name": f"{name} example", "payload": example_envelope(cls)}],
        }
    return {
        "asyncapi": "3.0.0",
        "id": "urn:ementor:events",
        "info": {
            "title": "ementor events",
            "version": CATALOGUE_VERSION,
            "description": (
                "Every event the ementor services publish, as CloudEvents 1.0 in structured JSON "
                "mode. Each service publishes to its own topic exchange `<service>.events`, with "
                "the event name as routing key."
            ),
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "rabbitmq": {
                "host": "{host}",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The platform's RabbitMQ; integrations issues per-organisation access.",
                "variables": {"host": {"default": "localhost:5672"}},
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


# -- Markdown --------------------------------------------------------------------------------


_INTRO = f"""\
# Event catalogue

<!-- Generated from contracts/ementor_contracts/events/ by `{REGENERATE_COMMAND}`.
     Do not edit by hand: a test fails when this file is stale. -->

Every ementor service announces what happened as events: past-tense facts that other services
and each organisation's own integrations subscribe to. This page lists every event, generated
from the pydantic models in the `ementor-contracts` package. The same schemas are published as
JSON Schema (`schemas/<Event>.v1.json`) and as an AsyncAPI 3.0 document (`asyncapi.json`).

## Envelope

Events travel as [CloudEvents 1.0](https://cloudevents.io) in structured JSON mode (content type
`{CONTENT_TYPE}`): one JSON object whose attributes describe the event and whose `data`
holds the event itself.

| attribute | value |
|---|---|
| `specversion` | `"1.0"` |
| `id` | a UUID unique to the event; delivery is at least once, so deduplicate on it |
| `source` | `/ementor/<service>`, the publishing service |
| `type` | the event name, e.g. `MatchProposed` |
| `time` | when it happened (RFC 3339) |
| `subject` | the id of the event's main entity (the field named under each event) |
| `dataschema` | `https://schemas.ementor.org/events/<Event>/v1`, the JSON Schema of `data` |
| `datacontenttype` | `"application/json"` |
| `tenantid` | the organisation the event belongs to; check it on every event |
| `traceparent` | optional W3C trace context of the request that caused the event |
| `data` | the event, as described below |

## Routing

Each service publishes to its own durable topic exchange, `<service>.events`, with persistent
messages; the routing key is the event name. Bind a queue with routing key `MatchProposed` to
receive one event type, or `#` to receive everything a service publishes.

## Compatibility and privacy

- Events only grow: new fields are optional, and consumers must ignore fields they do not know.
  A breaking change is a new version (a `/v2` `dataschema`) published alongside the old one.
- Contact details, names of people, message bodies and video links never travel in events;
  fetch them from the HTTP API when needed, so an erased person leaves nothing in queues.
- In Python, `pip install ./contracts` and turn a received message into its typed model with
  `parse_cloudevent(json.loads(body)).event()`.
"""


def events_markdown() -> str:
    out = [_INTRO, "## Events\n", "| event | service | published when |", "|---|---|---|"]
    for cls in all_events():
        name = cls.type_name()
        out.append(f"| [{name}](#{name.lower()}) | {cls.source_service} | {_cell(description(cls))} |")
    for service, classes in events_by_service().items():
        out.append(f"\n## {service}\n")
        out.append(f"Published to the `{service}.events` exchange, with source `/ementor/{service}`.")
        for cls in classes:
            out.append(_event_section(cls))
    return "\n".join(out).rstrip() + "\n"


def _event_section(cls: type[Event]) -> str:
    name = cls.type_name()
    schema = event_json_schema(cls)
    rows = "\n".join(
        f"| `{path}` | {type_} | {'yes' if required else 'no'} | {_cell(text)} |"
        for path, type_, required, text in _field_rows(schema)
    )
    example = json.dumps(example_envelope(cls), indent=2, ensure_ascii=False)
    return f"""
### {name}

{description(cls)}

- Subject: `{cls.subject_field}`
- Routing: exchange `{exchange_name(cls)}`, routing key `{name}`
- Schema: `{cls.dataschema()}` ([schemas/{name}.v{cls.version}.json](schemas/{name}.v{cls.version}.json))

| field | type | required | description |
|---|---|---|---|
{rows}

Example:

```json
{example}
```"""


def _field_rows(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, str, bool, str]]:
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        rows.append((path, _type_text(prop), name in required, prop.get("description", "")))
        if prop.get("type") == "object" and "properties" in prop:
            rows.extend(_field_rows(prop, f"{path}."))
        elif prop.get("type") == "array" and "properties" in prop.get("items", {}):
            rows.extend(_field_rows(prop["items"], f"{path}[]."))
    return rows


def _type_text(prop: dict[str, Any]) -> str:
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{value}`" for value in prop["enum"])
    if "anyOf" in prop:
        return " or ".join(_type_text(option) for option in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "string" and "format" in prop:
        return f"string ({prop['format']})"
    if kind == "array":
        return f"array of {_type_text(prop.get('items', {}))}"
    if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
        return f"map of string to {_type_text(prop['additionalProperties'])}"
    return kind


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- files and CLI ---------------------------------------------------------------------------


def _json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def catalogue_files() -> dict[str, str]:
    """Every generated file, by path relative to the docs directory."""
    files = {
        "events.md": events_markdown(),
        "asyncapi.json": _json_text(asyncapi_document()),
    }
    for cls in all_events():
        files[f"schemas/{cls.type_name()}.v{cls.version}.json"] = _json_text(event_json_schema(cls))
    return files


def _orphan_schemas(directory: Path, expected: dict[str, str]) -> list[str]:
    # schemas/ holds only generated files, so anything else there is left over from a rename.
    found = (path.relative_to(directory).as_posix() for path in directory.glob("schemas/*.json"))
    return sorted(relative for relative in found if relative not in expected)


def stale_files(directory: Path | str) -> list[str]:
    """Paths under `directory` that are missing, differ from the models, or should not exist."""
    directory = Path(directory)
    expected = catalogue_files()
    stale = []
    for relative, content in expected.items():
        path = directory / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(relative)
    return sorted(stale + _orphan_schemas(directory, expected))


def write_catalogue(directory: Path | str) -> list[str]:
    """Write every generated file (and drop orphaned schemas); returns the paths changed."""
    directory = Path(directory)
    changed = stale_files(directory)
    expected = catalogue_files()
    for relative in _orphan_schemas(directory, expected):
        (directory / relative).unlink()
    for relative, content in expected.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ementor_contracts.catalogue",
        description="Write or check the generated event catalogue (events.md, asyncapi.json, schemas/).",
    )
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("directory", type=Path, help="the docs directory, e.g. docs")
    args = parser.parse_args(argv)
    if args.command == "write":
        changed = write_catalogue(args.directory)
        print(f"wrote {len(catalogue_files())} files to {args.directory} ({len(changed)} changed)")
        return 0
    stale = stale_files(args.directory)
    if stale:
        print(f"stale event catalogue in {args.directory}:", file=sys.stderr)
        for relative in stale:
            print(f"  {args.directory / relative}", file=sys.stderr)
        print(
            f"regenerate with: python -m ementor_contracts.catalogue write {args.directory}", file=sys.stderr
        )
        return 1
    print(f"event catalogue in {args.directory} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
