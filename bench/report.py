"""Benchmark output: `name: value unit` lines for people, JSON lines with --json."""

from __future__ import annotations

import argparse
import json
import platform
import sys


def arguments(description: str, argv=None, extra=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print each figure as a JSON line")
    parser.add_argument("--quick", action="store_true", help="a smaller run, for a smoke check")
    if extra:
        extra(parser)
    return parser.parse_args(argv)


class Report:
    def __init__(self, benchmark: str, as_json: bool = False, stream=None):
        self.benchmark = benchmark
        self.as_json = as_json
        self.stream = stream or sys.stdout
        self.machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"

    def figure(self, name: str, value: float, unit: str, **context) -> None:
        if self.as_json:
            line = json.dumps({"benchmark": self.benchmark, "name": name, "value": value, "unit": unit, **context})
        else:
            shown = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
            extra = "".join(f"  {k}={v}" for k, v in context.items())
            line = f"{self.benchmark}: {name}: {shown} {unit}{extra}"
        print(line, file=self.stream, flush=True)

    def note(self, text: str) -> None:
        if not self.as_json:
            print(f"{self.benchmark}: # {text}", file=self.stream, flush=True)
