import json
import logging

import pytest

from ementor.platform.logs import JsonFormatter, bind_worker, request_id_from

pytestmark = pytest.mark.unit


def test_a_workers_log_lines_carry_its_service_tenant_request_and_trace():
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    bind_worker("messaging", {"tenant_id": "org1", "request_id": "r-1", "traceparent": traceparent, "ce-id": "ev-9"})
    record = logging.LogRecord("services.messaging", logging.WARNING, __file__, 1, "held %s", ("m1",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "held m1" and line["level"] == "warning"
    assert {k: line[k] for k in ("service", "tenant_id", "request_id", "event_id", "trace_id")} == {
        "service": "messaging", "tenant_id": "org1", "request_id": "r-1", "event_id": "ev-9",
        "trace_id": "0af7651916cd43dd8448eb211c80319c",
    }


@pytest.mark.parametrize("header", [None, "", "x" * 129, "new\nline", "caf\u00e9"])
def test_a_missing_or_unloggable_request_id_is_replaced_by_a_new_one(header):
    assert len(request_id_from(header)) == 32 and request_id_from(header) != header
    assert request_id_from("trace-me-42") == "trace-me-42"
