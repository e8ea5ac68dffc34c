"""Benchmark output: `name: value unit` lines for people, JSON lines with --json.

Each JSON line carries `benchmark`, `figure`, `value`, `unit`, `target` (such as ">= 95", or
null) and `met` (whether the value meets the target; null without one), plus the figure's
context, so that bench/compare.py can set two runs side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import operator
import platform
import re
import sys

TARGET = re.compile(r"^\s*(<=|>=|<|>|==)\s*(-?[\d,_.]+)\s*$")
COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq}


def arguments(description: str, argv=None, extra=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print each figure as a JSON line")
    parser.add_argument("--quick", action="store_true", help="a smaller run, for a smoke check")
    if extra:
        extra(parser)
    return parser.parse_args(argv)


def met(value: float, target: str | None) -> bool | None:
    """Whether `value` meets a target written as "<= 10", ">= 1,000"...; None without a target."""
    if target is None:
        return None
    found = TARGET.match(str(target))
    if not found:
        raise ValueError(f"target {target!r}: write it as '<= N', '>= N', '< N', '> N' or '== N'")
    if isinstance(value, float) and math.isnan(value):
        return False
    return COMPARE[found.group(1)](value, float(found.group(2).replace(",", "").replace("_", "")))


class Report:
    def __init__(self, benchmark: str, as_json: bool = False, stream=None):
        self.benchmark = benchmark
        self.as_json = as_json
        self.stream = stream or sys.stdout
        self.machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"

    def figure(self, name: str, value: float, unit: str, target: str | None = None, **context) -> None:
        reached = met(value, target)
        if self.as_json:
            line = json.dumps({"benchmark": self.benchmark, "figure": name, "value": value, "unit": unit,
                               "target": target, "met": reached, **context})
        else:
            shown = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
            goal = "" if target is None else f"  target {target} ({'met' if reached else 'MISSED'})"
            extra = "".join(f"  {k}={v}" for k, v in context.items())
            line = f"{self.benchmark}: {name}: {shown} {unit}{goal}{extra}"
        print(line, file=self.stream, flush=True)

    def note(self, text: str) -> None:
        if not self.as_json:
            print(f"{self.benchmark}: # {text}", file=self.stream, flush=True)
