"""The published OpenAPI document matches the code and is a valid OpenAPI 3.1 document."""

import json

import pytest
from openapi_spec_validator import validate

from ementor import registry
from ementor.platform.http import openapi

pytestmark = pytest.mark.unit


def test_docs_openapi_json_is_up_to_date():
    document = openapi.build([registry.service_class(name) for name in registry.SERVICES])
    assert not openapi.is_stale(document), "docs/openapi.json is stale: run `make docs`"


def test_the_document_is_valid_and_every_operation_documents_its_errors():
    document = json.loads(openapi.OPENAPI_PATH.read_text())
    validate(document)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], f"{method} {path} has no summary"
            if operation.get("security"):
                assert {"401", "403"} <= set(operation["responses"]), f"{method} {path} omits auth errors"


def test_each_operation_documents_the_statuses_its_use_cases_raise():
    responses = {
        (method, path): set(operation["responses"])
        for path, item in json.loads(openapi.OPENAPI_PATH.read_text())["paths"].items()
        for method, operation in item.items()
    }
    # Proposing a match: an unknown person (404), a pair that may not be matched (409).
    assert {"404", "409"} <= responses[("post", "/v1/matches")]
    # Accepting a match that is no longer proposed is a conflict.
    assert "409" in responses[("post", "/v1/matches/{match_id}/accept")]
    # A message in a match that is not active (409), or too many too fast (429).
    assert {"404", "409", "429"} <= responses[("post", "/v1/matches/{match_id}/messages")]
    # The AMQP access needs the broker's management API.
    assert "503" in responses[("post", "/v1/amqp-credentials")]


# A use case in miniature: errors reached through a module attribute, a helper, a method by name.
class _Store:
    def lock(self, key):
        from ementor.platform.errors import Conflict

        raise Conflict("taken", code="locked")

    def decode(self, raw):
        from ementor.platform.errors import Unavailable

        raise Unavailable("a method that shares a name with bytes.decode")


def _helper(value):
    from ementor.platform.errors import NotFound

    if value is None:
        raise NotFound("nothing")


def _use_case(store, auth, value):
    auth.require_coordinator()
    _helper(value)
    store.lock(value)
    return value.strip().lower().encode().decode()  # built-in methods: not the store's `decode`


def test_raised_errors_are_found_through_helpers_and_methods(monkeypatch):
    from ementor.platform.errors import Conflict, Forbidden, NotFound
    from ementor.platform.http import raises

    monkeypatch.setattr(raises, "_index", lambda package: {"lock": (_Store.lock,), "decode": (_Store.decode,)})
    assert raises.domain_errors(_use_case) == {Conflict, Forbidden, NotFound}


class _Records:
    """A service's repository, as the analysis sees one (its methods are followed when the class is named)."""

    __module__ = "services.example.repository"

    def erase(self):
        from ementor.platform.errors import Unavailable

        raise Unavailable("the store is away")


def _read_only(records: _Records, count: int) -> _Records:
    counted: _Records = records
    return counted


def test_a_class_named_only_in_type_annotations_adds_none_of_its_methods_errors(monkeypatch):
    from ementor.platform.errors import Unavailable
    from ementor.platform.http import raises

    monkeypatch.setattr(raises, "_index", lambda package: {})
    assert raises.domain_errors(_read_only) == set()
    assert raises.domain_errors(lambda: _Records().erase()) == {Unavailable}  # constructing it does reach them
