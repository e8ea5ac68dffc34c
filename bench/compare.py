"""`python -m bench.compare BEFORE.jsonl AFTER.jsonl`: two `--json` runs side by side.

One row per figure (benchmark and name): before, after, the change in per cent and whether each
met its target; figures found in one run only are listed too. Lines that are not JSON figures
(notes, a benchmark's own output) are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def figures(path: Path) -> dict[tuple[str, str], dict]:
    found = {}
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and "figure" in row and "value" in row:
            found[(row.get("benchmark", ""), row["figure"])] = row
    return found


def change(before, after) -> str:
    if not isinstance(before, int | float) or not isinstance(after, int | float):
        return ""
    if before == 0:
        return "" if after == 0 else "new"
    return f"{(after - before) / abs(before) * 100:+.1f} %"


def flag(row: dict | None) -> str:
    if row is None or row.get("met") is None:
        return "-"
    return "met" if row["met"] else "MISSED"


def value(row: dict | None) -> str:
    if row is None:
        return "(absent)"
    shown = row["value"]
    shown = f"{shown:,.3f}".rstrip("0").rstrip(".") if isinstance(shown, float) else f"{shown:,}"
    return f"{shown} {row.get('unit', '')}".strip()


def compare(before: dict, after: dict) -> list[list[str]]:
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        target = (new or old).get("target") or ""
        rows.append([f"{key[0]}: {key[1]}", value(old), value(new),
                     change(old and old["value"], new and new["value"]), target, flag(old), flag(new)])
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    rows = [["figure", "before", "after", "change", "target", "met before", "met after"],
            *compare(figures(args.before), figures(args.after))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
