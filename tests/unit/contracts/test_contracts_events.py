"""The event models: registration, wire round trip, forward compatibility and privacy."""

from __future__ import annotations

import ast
import json
from datetime import datetime
from pathlib import Path

import ementor_contracts
import pytest
from ementor_contracts import (
    REGISTRY,
    CloudEvent,
    Event,
    SessionScheduled,
    UnknownEventType,
    parse_cloudevent,
    to_cloudevent,
)
from ementor_contracts.catalogue import event_json_schema
from pydantic import ValidationError

pytestmark = pytest.mark.unit

EVENT_NAMES = sorted(REGISTRY)

# The "publishes" column of the README's service table.
PUBLISHED_BY = {
    "profiles": {
        "OrganisationCreated",
        "ProgrammeCreated",
        "ProfileCreated",
        "ProfileUpdated",
        "PersonErased",
        "AccessRevoked",
        "GuardianConsentChanged",
    },
    "matching": {
        "MatchProposed",
        "MatchAccepted",
        "MatchDeclined",
        "MatchEnded",
        "MatchingRunCompleted",
        "GoalSet",
        "GoalCompleted",
    },
    "messaging": {"MessageSent", "MessageHeld", "MessageApproved", "MessageRejected", "TopicTaxonomyChanged",
                  "ConversationRead"},
    "notifications": {"NotificationSent", "NotificationFailed"},
    "insights": {"RelationshipAtRisk", "SurveyRequested", "SurveySubmitted"},
    "video": {"SessionScheduled", "SessionRescheduled", "SessionCancelled", "SessionReminderDue"},
    "safeguarding": {"ConcernRaised", "ConcernEscalated", "ConcernResolved", "PersonBlocked",
                     "DataExportRequested", "DataExportReady", "RetentionPeriodsChanged"},  # subject access (issue 17)
    "knowledge": {"ArticlePublished", "ArticleRemoved", "AdviceAsked", "ArticleShared", "ArticleRead", "ArticleRated"},
}

# Name parts that suggest contact details, message bodies or video links.
PRIVATE_NAME_PARTS = {"email", "phone", "mobile", "body", "name", "address", "contact", "url", "link"}
# Display names of organisations and programmes are not personal data.
ALLOWED_PRIVATE_NAMES = {("OrganisationCreated", "name"), ("ProgrammeCreated", "name")}


def test_registry_matches_the_architecture():
    registered: dict[str, set[str]] = {}
    for name, cls in REGISTRY.items():
        registered.setdefault(cls.source_service, set()).add(name)
    assert registered == PUBLISHED_BY


def test_every_event_is_exported_from_the_package():
    for name, cls in REGISTRY.items():
        assert getattr(ementor_contracts, name) is cls
        assert name in ementor_contracts.__all__


def test_samples_cover_every_event(sample_data):
    assert set(sample_data) == set(REGISTRY)


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_event_declares_subject_and_when_it_is_published(name):
    cls = REGISTRY[name]
    field = cls.model_fields.get(cls.subject_field)
    assert field is not None, f"{name}.subject_field names no field"
    assert field.annotation is str and field.is_required()
    assert cls.version == 1 and cls.dataschema().endswith(f"/{name}/v1")
    assert (cls.__doc__ or "").startswith("Published "), f"{name} needs a docstring saying when"
    assert cls.model_config.get("frozen") is True


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_every_field_is_described(name):
    def walk(schema, path=""):
        for field, prop in schema.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{path}{field} has no description"
            walk(prop, f"{path}{field}.")
            walk(prop.get("items", {}), f"{path}{field}[].")

    walk(event_json_schema(REGISTRY[name]))


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_round_trip_through_the_wire(name, sample):
    event = sample(name)
    wire = to_cloudevent(event, "org-1").model_dump_json()

    received = parse_cloudevent(json.loads(wire))

    assert received.event() == event
    assert type(received.event()) is type(event)
    assert received.type == name
    assert received.subject == str(getattr(event, type(event).subject_field))
    assert received.source == f"/ementor/{type(event).source_service}"
    assert received.specversion == "1.0" and received.datacontenttype == "application/json"
    assert received.tenantid == "org-1"


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_unknown_fields_are_ignored(name, sample):
    event = sample(name)
    payload = to_cloudevent(event, "org-1").model_dump(mode="json")
    payload["data"]["added_in_a_later_release"] = {"anything": [1, 2]}
    payload["someextension"] = "value"

    assert parse_cloudevent(payload).event() == event


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_no_contact_details_bodies_or_links(name):
    offenders = []

    def walk(schema, path=""):
        for field, prop in schema.get("properties", {}).items():
            # A boolean (such as channels.email, the consent flag) cannot carry an address.
            private = PRIVATE_NAME_PARTS & set(field.split("_")) and prop.get("type") != "boolean"
            if private and (name, f"{path}{field}") not in ALLOWED_PRIVATE_NAMES:
                offenders.append(f"{path}{field}")
            walk(prop, f"{path}{field}.")
            walk(prop.get("items", {}), f"{path}{field}[].")

    walk(event_json_schema(REGISTRY[name]))
    assert not offenders, f"{name} carries private-looking fields: {offenders}"


def test_events_are_immutable(sample):
    event = sample("MatchEnded")
    with pytest.raises(ValidationError):
        event.reason = "changed"


def test_datetimes_must_carry_a_timezone(sample_data):
    naive = {**sample_data["SessionScheduled"], "starts_at": datetime(2025, 5, 6, 16, 0)}
    with pytest.raises(ValidationError):
        SessionScheduled(**naive)


def test_closed_vocabularies_are_enforced(sample_data):
    with pytest.raises(ValidationError):
        REGISTRY["PersonErased"](**{**sample_data["PersonErased"], "role": "coordinator"})
    with pytest.raises(ValidationError):
        REGISTRY["NotificationSent"](**{**sample_data["NotificationSent"], "channel": "pigeon"})


def test_unknown_event_type_is_a_clear_error(sample):
    payload = to_cloudevent(sample("GoalSet"), "org-1").model_dump(mode="json")
    payload["type"] = "GoalRenamed"
    with pytest.raises(UnknownEventType):
        parse_cloudevent(payload).event()


def test_envelope_is_a_cloudevent_with_a_uuid_id(sample):
    envelope = to_cloudevent(sample("GoalSet"), "org-1")
    assert isinstance(envelope, CloudEvent)
    assert len(envelope.id) == 36 and envelope.time.tzinfo is not None


def test_contracts_import_nothing_from_the_platform():
    package = Path(ementor_contracts.__file__).parent
    forbidden = {"ementor", "services", "nameko", "mongoengine", "pymongo"}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in forbidden, f"{path.name} imports {module}"


def test_base_event_is_not_registered():
    assert Event.__name__ not in REGISTRY
    assert all(not name.startswith("_") for name in REGISTRY)
