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
