"""Benchmark figures carry their target and whether it was met; two runs compare figure by figure."""

import io
import json

import pytest

from bench.compare import compare
from bench.report import Report, met

pytestmark = pytest.mark.unit


def test_targets_are_checked_in_both_directions():
    assert met(96.0, ">= 95") and not met(94.0, ">= 95")
    assert met(250, "< 1,000") and not met(float("nan"), "<= 10")
    assert met(1.0, None) is None
    with pytest.raises(ValueError, match="write it as"):
        met(1.0, "fast")


def test_json_lines_carry_figure_value_unit_target_and_met():
    stream = io.StringIO()
    Report("demo", as_json=True, stream=stream).figure("throughput", 90.0, "msg/s", target=">= 95", load=1.2)
    assert json.loads(stream.getvalue()) == {"benchmark": "demo", "figure": "throughput", "value": 90.0,
                                             "unit": "msg/s", "target": ">= 95", "met": False, "load": 1.2}


def test_compare_shows_each_figure_before_and_after_with_the_change():
    before = {("demo", "throughput"): {"value": 50.0, "unit": "msg/s", "target": ">= 95", "met": False}}
    after = {("demo", "throughput"): {"value": 100.0, "unit": "msg/s", "target": ">= 95", "met": True},
             ("demo", "new one"): {"value": 3, "unit": "ops", "target": None, "met": None}}
    assert compare(before, after) == [
        ["demo: new one", "(absent)", "3 ops", "", "", "-", "-"],
        ["demo: throughput", "50 msg/s", "100 msg/s", "+100.0 %", ">= 95", "MISSED", "met"],
    ]


def test_a_full_pass_can_run_in_parts_and_a_misspelt_benchmark_is_refused():
    from bench.__main__ import benchmarks, select

    assert "messaging_load" not in benchmarks() and "sampled" not in benchmarks()  # helpers, not benchmarks
    assert select(["--quick", "--only", "risk,topics", "--json"]) == (["risk", "topics"], ["--quick", "--json"])
    rest, _ = select(["--skip", "platform_load"])
    assert "platform_load" not in rest and "round_trips" in rest
    with pytest.raises(SystemExit, match="no benchmark named platfrom_load"):
        select(["--only", "platfrom_load"])


def test_cpu_samples_inside_the_stand_in_are_told_apart_from_ementors_own_code():
    from types import SimpleNamespace

    from bench.sampling import in_store, own_caller

    def frame(path, function, back=None):
        return SimpleNamespace(f_code=SimpleNamespace(co_filename=path, co_name=function), f_back=back)

    handler = frame("/w/services/notifications/handlers.py", "on_message_sent")
    claim = frame("/w/ementor/platform/inbox.py", "claim", handler)
    guard = frame("/w/ementor/platform/tenancy.py", "update_one", claim)  # a pass-through wrapper
    scan = frame("/w/.venv/lib/site-packages/mongomock/collection.py", "_iter_documents", guard)
    assert in_store(scan) and own_caller(scan) == "ementor/platform/inbox.py:claim"
    assert not in_store(claim) and own_caller(claim) == "ementor/platform/inbox.py:claim"
    assert own_caller(frame("/usr/lib/python3.11/socket.py", "send")) == "(outside ementor)"


def test_the_platform_benchmark_tells_what_rate_the_machines_cpu_allows():
    from bench.platform_load import MachineCpu, cpu_bound_rates

    rates = cpu_bound_rates(cores=2, per_message_ms=25.0, stand_in_ms=5.0)
    assert rates == {"rate the CPU allows (all cores busy)": 80.0, "rate the CPU allows without the stand-in": 100.0}
    first = MachineCpu().snapshot()
    sum(i * i for i in range(200_000))  # some CPU in this process: the driver's share grows
    second = MachineCpu().snapshot()
    # Both are tick counts divided by the tick rate: when every core stayed busy they differ by rounding only.
    assert 0 <= second["busy"] - first["busy"] <= second["total"] - first["total"] + 1e-6
    assert second["driver"] > first["driver"]
