"""Schema-driven fuzzing (schemathesis) of every operation in docs/openapi.json, against all six services.

The platform runs in this process as in development; an organisation with a programme, a mentor,
a mentee and an active match gives the fuzzer a coordinator token and a person token. Each
operation is tried with its documented examples, then fuzzed with both tokens, with data that fits
the document, with data that breaks it, and with real ids in the path, for a bounded number of
examples each (EMENTOR_FUZZ_EXAMPLES, default 8: one to two minutes here; raise it for a longer
hunt). The run happens once; each test asserts one property over all of it, and a failure lists
every offending request with a curl command that reproduces it.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest
import requests
import schemathesis
from bson import ObjectId
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ementor import registry
from ementor.platform.settings import Settings
from ementor.runner import Services
from tests.support.databases import drop_connected_databases
from tests.support.events import eventually
from tests.support.http import ApiClient
from tests.support.infra import free_port
from tests.support.secrets import TEST_ADMIN_TOKEN, TEST_JWT_SECRET
from tests.support.services import start_within

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # every operation, two tokens, both modes

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
EXAMPLES = int(os.environ.get("EMENTOR_FUZZ_EXAMPLES", "8"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CHECKS = {"server_error": not_a_server_error, "response_schema": response_schema_conformance,
          "undeclared_status": status_code_conformance}


@dataclass
class Findings:
    requests: int = 0
    operations: set = field(default_factory=set)  # (token, operation) pairs that got at least one request
    by_check: dict = field(default_factory=lambda: defaultdict(list))

    def report(self, check: str) -> str:
        found = self.by_check[check]
        counts = Counter(where for where, _ in found)
        summary = "\n".join(f"{n:5d}  {where}" for where, n in counts.most_common())
        shown = "\n\n".join(text for _, text in found[:10])
        return f"{len(found)} of {self.requests} fuzzed requests failed `{check}`:\n{summary}\n\n{shown}"


@pytest.fixture(scope="module")
def platform(rabbitmq, mongodb_uri):
    vhost, amqp_uri = rabbitmq.create()
    config = Settings(_env_file=None, EMENTOR_ENV="test", EMENTOR_ADMIN_TOKEN=TEST_ADMIN_TOKEN,
                      EMENTOR_JWT_SECRET=TEST_JWT_SECRET, EMENTOR_HTTP_ADDRESS=f"127.0.0.1:{free_port()}",
                      AMQP_URI=amqp_uri, MONGODB_URI=mongodb_uri, EMENTOR_DELIVERY_LIMIT=3)
    services = start_within(Services([registry.service_class(name) for name in registry.SERVICES], config))
    yield config
    services.stop()
    drop_connected_databases()
    rabbitmq.delete(vhost)


@dataclass
class World:
    tokens: dict[str, str]  # who -> bearer token; the person first, before a coordinator may erase them
    ids: dict[str, str]  # path parameter -> a real id, so some requests reach past the 404s


def world(api: ApiClient) -> World:
    """An organisation with a programme, a mentor, a mentee and an active match between them."""
    organisation = api.create_organisation(f"fuzz-{ObjectId()}")
    coordinator = api.coordinator_token(organisation["api_key"])
    programme = api.post("/v1/programmes", coordinator, json={"name": "Fuzz"}).json()["id"]
    people = {}
    for role, name in (("mentor", "Ada"), ("mentee", "Bo")):
        body = {"role": role, "name": name, "email": f"{name.lower()}@example.org", "timezone": "Europe/London",
                "interests": ["robotics"], "programme_id": programme, **({"capacity": 2} if role == "mentor" else {})}
        response = api.post("/v1/people", coordinator, json=body)
        assert response.status_code == 201, response.text
        people[role] = response.json()["id"]

    def propose():
        response = api.post("/v1/matches", coordinator, json={"mentee_id": people["mentee"],
                                                               "mentor_id": people["mentor"]})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    match_id = eventually(propose)
    for person_id in people.values():
        assert api.post(f"/v1/matches/{match_id}/accept", coordinator, json={"person_id": person_id}).ok
    person = api.person_token(organisation["api_key"], people["mentee"])
    return World(tokens={"person": person, "coordinator": coordinator},
                 ids={"match_id": match_id, "person_id": people["mentee"], "programme_id": programme,
                      "organisation_id": organisation["id"]})


@pytest.fixture(scope="module")
def findings(platform) -> Findings:
    base_url = f"http://{platform.EMENTOR_HTTP_ADDRESS}"
    api = ApiClient(base_url, platform.EMENTOR_ADMIN_TOKEN)
    schema = schemathesis.openapi.from_path(str(OPENAPI))
    session = requests.Session()
    found = Findings()
    known = world(api)
    for who, token in known.tokens.items():
        run = partial(fuzz, who=who, token=token, base_url=base_url, session=session, found=found)
        for result in schema.get_all_operations():
            operation = result.ok()
            for strategy in schema.get_strategies_from_examples(operation):  # the document's own examples
                run(operation, strategy, GenerationMode.POSITIVE, max_examples=1)
            for mode in MODES:
                run(operation, operation.as_strategy(generation_mode=mode), mode)
            real = {name: known.ids[name] for name in operation.path_parameters.schema["properties"]
                    if name in known.ids} if operation.path_parameters else {}
            if real:  # and once more with the real match, person or programme in the path
                run(operation, operation.as_strategy(path_parameters=real), GenerationMode.POSITIVE)
    return found


def fuzz(operation, strategy, mode, *, who, token, base_url, session, found: Findings,
         max_examples: int = EXAMPLES) -> None:
    @given(case=strategy)
    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        headers = {"Authorization": f"Bearer {token}"}
        if is_stream(operation):  # a live stream answers for up to 50 s: its status, never its body
            kwargs = case.as_transport_kwargs(base_url=base_url, headers=headers)
            with session.request(**kwargs, stream=True, timeout=30) as raw:
                found.requests += 1
                found.operations.add((who, operation.label))
                if raw.status_code >= 500:
                    found.by_check["server_error"].append((f"{operation.label} -> {raw.status_code}", raw.text[:500]))
            return
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        found.requests += 1
        found.operations.add((who, operation.label))
        for name, check in CHECKS.items():
            try:
                case.validate_response(response, checks=[check], headers=headers)
            except (Failure, FailureGroup) as failure:
                where = f"{operation.label} -> {response.status_code}"
                text = f"[{who} token, {mode.value}] {where}: {str(failure).strip()[:1500]}"  # ends with curl
                found.by_check[name].append((where, text))

    try:
        run()
    except Unsatisfiable:  # nothing to break in an operation without parameters or body
        assert mode is GenerationMode.NEGATIVE, operation.label


def is_stream(operation) -> bool:
    ok = operation.definition.raw.get("responses", {}).get("200", {})
    return "text/event-stream" in ok.get("content", {})


def test_fuzzing_reaches_every_operation_with_both_tokens(findings):
    document = schemathesis.openapi.from_path(str(OPENAPI))
    labels = {result.ok().label for result in document.get_all_operations()}
    assert len(labels) >= 60
    assert findings.operations == {(who, label) for who in ("person", "coordinator") for label in labels}


def test_no_fuzzed_request_gets_a_server_error(findings):
    assert not findings.by_check["server_error"], findings.report("server_error")


def test_no_response_breaks_its_schema(findings):
    assert not findings.by_check["response_schema"], findings.report("response_schema")


def test_every_status_returned_is_declared_in_the_document(findings):
    assert not findings.by_check["undeclared_status"], findings.report("undeclared_status")

