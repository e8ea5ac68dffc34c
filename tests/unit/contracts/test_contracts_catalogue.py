"""The generated catalogue: JSON Schemas, the AsyncAPI document, docs/events.md and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ementor_contracts import REGISTRY, parse_cloudevent, to_cloudevent
from ementor_contracts.catalogue import (
    asyncapi_document,
    catalogue_files,
    cloudevent_json_schema,
    event_json_schema,
    events_markdown,
    example_envelope,
    main,
    stale_files,
)
from jsonschema import Draft202012Validator

pytestmark = pytest.mark.unit

EVENT_NAMES = sorted(REGISTRY)
REPO_ROOT = Path(__file__).resolve().parents[3]
DOCS = REPO_ROOT / "docs"


def envelope_validator(name: str) -> Draft202012Validator:
    schema = cloudevent_json_schema(REGISTRY[name])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_event_schema_is_valid_and_identified_by_its_dataschema(name):
    cls = REGISTRY[name]
    schema = event_json_schema(cls)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == cls.dataschema()
    assert cls.subject_field in schema["required"]
    # Inlined, so it stands alone inside the envelope and the AsyncAPI document.
    assert "$ref" not in str(schema) and "$defs" not in schema


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_schema_accepts_the_sample_envelope(name, sample):
    envelope = to_cloudevent(sample(name), "org-1", traceparent=None).model_dump(mode="json")
    errors = [error.message for error in envelope_validator(name).iter_errors(envelope)]
    assert not errors


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_schema_rejects_a_wrong_type_or_missing_subject(name, sample):
    cls = REGISTRY[name]
    envelope = to_cloudevent(sample(name), "org-1").model_dump(mode="json")
    validator = envelope_validator(name)

    assert not validator.is_valid({**envelope, "type": "SomethingElse"})
    data = {k: v for k, v in envelope["data"].items() if k != cls.subject_field}
    assert not validator.is_valid({**envelope, "data": data})


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_schema_allows_fields_added_later(name, sample):
    envelope = to_cloudevent(sample(name), "org-1").model_dump(mode="json")
    envelope["data"]["added_in_a_later_release"] = True
    assert envelope_validator(name).is_valid(envelope)


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_documented_example_is_valid_and_parses(name):
    example = example_envelope(REGISTRY[name])
    assert envelope_validator(name).is_valid(example)
    assert type(parse_cloudevent(example).event()) is REGISTRY[name]


def test_asyncapi_lists_every_event_on_its_service_exchange():
    document = asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    assert set(document["channels"]) == set(REGISTRY)
    assert set(document["components"]["messages"]) == set(REGISTRY)
    for name, cls in REGISTRY.items():
        channel = document["channels"][name]
        binding = channel["bindings"]["amqp"]
        assert channel["address"] == name and binding["is"] == "routingKey"
        assert binding["exchange"] == {
            "name": f"{cls.source_service}.events",
            "type": "topic",
            "durable": True,
            "autoDelete": False,
            "vhost": "/",
        }
        message = document["components"]["messages"][name]
        assert message["contentType"] == "application/cloudevents+json"
        assert message["payload"] == cloudevent_json_schema(cls)
        operation = document["operations"][f"publish{name}"]
        assert operation["action"] == "send"
        assert operation["channel"] == {"$ref": f"#/channels/{name}"}
        assert operation["messages"] == [{"$ref": f"#/channels/{name}/messages/{name}"}]


def test_markdown_documents_every_event_and_field():
    markdown = events_markdown()
    for name, cls in REGISTRY.items():
        assert f"\n### {name}\n" in markdown
        assert f"routing key `{name}`" in markdown
        for field in cls.model_fields:
            assert f"| `{field}` |" in markdown


def test_output_is_deterministic():
    assert catalogue_files() == catalogue_files()


def test_committed_docs_are_current():
    stale = stale_files(DOCS)
    assert not stale, (
        f"docs/ event catalogue is stale ({', '.join(stale)}); regenerate it with:\n"
        f"  cd {REPO_ROOT} && .venv/bin/python -m ementor_contracts.catalogue write docs"
    )


def test_cli_writes_then_checks_and_names_stale_files(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 1
    assert main(["write", str(tmp_path)]) == 0
    assert main(["check", str(tmp_path)]) == 0
    assert (tmp_path / "schemas" / "MatchProposed.v1.json").is_file()

    (tmp_path / "events.md").write_text("edited by hand\n")
    (tmp_path / "schemas" / "Renamed.v1.json").write_text("{}\n")
    capsys.readouterr()
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "events.md" in err and "Renamed.v1.json" in err and "asyncapi.json" not in err
    assert "catalogue write" in err

    main(["write", str(tmp_path)])
    assert not (tmp_path / "schemas" / "Renamed.v1.json").exists()
    assert stale_files(tmp_path) == []


def test_cli_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "ementor_contracts.catalogue", "check", "docs"],
        cwd=REPO_ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
