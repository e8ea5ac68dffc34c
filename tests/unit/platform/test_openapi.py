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
