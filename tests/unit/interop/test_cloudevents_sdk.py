"""Oracle: the CloudEvents SDK (written apart from ementor) reads every documented example and the wire bytes."""

import json
import re
from pathlib import Path

import pytest
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq
from cloudevents.core.formats.json import JSONFormat
from ementor_contracts import CONTENT_TYPE, to_cloudevent
from ementor_contracts.catalogue import all_events, example_event

pytestmark = pytest.mark.unit

DOCS = Path(__file__).resolve().parents[3] / "docs"
ASYNCAPI = json.loads((DOCS / "asyncapi.json").read_text())
EVENTS_MD = (DOCS / "events.md").read_text()
NAMES = [cls.type_name() for cls in all_events()]


def documented_examples() -> dict[str, list[dict]]:
    """Every example envelope the published documents show, by event type."""
    found: dict[str, list[dict]] = {}
    for message in ASYNCAPI["components"]["messages"].values():
        for example in message.get("examples", []):
            found.setdefault(example["payload"]["type"], []).append(example["payload"])
    for block in re.findall(r"```json\n(.*?)\n```", EVENTS_MD, flags=re.DOTALL):
        document = json.loads(block)
        if isinstance(document, dict) and document.get("specversion"):
            found.setdefault(document["type"], []).append(document)
    return found


EXAMPLES = documented_examples()


def test_every_event_has_documented_examples_in_both_documents():
    assert {name: len(EXAMPLES.get(name, [])) for name in NAMES} == {name: 2 for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_the_sdk_reads_every_documented_example(name):
    for example in EXAMPLES[name]:
        event = JSONFormat().read(None, json.dumps(example).encode())
        assert event.get_specversion() == "1.0"
        assert (event.get_type(), event.get_source(), event.get_id()) == (name, example["source"], example["id"])
        assert event.get_subject() == example["subject"]
        assert event.get_dataschema() == example["dataschema"] and example["dataschema"].endswith("/v1")
        assert event.get_datacontenttype() == "application/json"
        assert event.get_extension("tenantid") == example["tenantid"]
        assert event.get_data() == example["data"]


@pytest.mark.parametrize("cls", all_events(), ids=NAMES)
def test_the_sdk_reads_what_the_outbox_publishes_as_an_amqp_message(cls):
    envelope = to_cloudevent(example_event(cls), "org-1")
    body = envelope.model_dump_json(exclude_none=True).encode()  # exactly what the outbox stores and sends
    event = from_rabbitmq(RabbitMQMessage(headers={}, content_type=CONTENT_TYPE, body=body), JSONFormat())
    assert (event.get_type(), event.get_id(), event.get_extension("tenantid")) == (cls.type_name(), envelope.id,
                                                                                     "org-1")
    assert event.get_time() == envelope.time
    assert event.get_data() == json.loads(body)["data"]


def test_the_oracle_refuses_what_the_spec_refuses():
    from cloudevents.core.exceptions import CloudEventValidationError

    base = {"specversion": "1.0", "id": "1", "source": "/ementor/profiles", "type": "ProfileCreated"}
    for broken in ({k: v for k, v in base.items() if k != "source"}, {**base, "tenant_id": "org-1"}):
        with pytest.raises(CloudEventValidationError):
            JSONFormat().read(None, json.dumps(broken).encode())
