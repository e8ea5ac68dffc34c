"""`python -m bench [--json] [--quick] [--only a,b] [--skip a,b]`: run every benchmark module, one after another.

`--only`/`--skip` take module names (bench/<name>.py) to run a full pass in parts; the other
arguments are passed to each benchmark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def benchmarks() -> list[str]:
    """Modules of this folder that define `main(argv)`; helpers (data generators, report, compare, the
    processes a benchmark starts and feeds on stdin, whose `main()` takes no arguments) do not."""
    return sorted(
        path.stem for path in HERE.glob("*.py")
        if not path.stem.startswith("_") and path.stem not in ("report", "compare") and "\ndef main(argv" in path.read_text()
    )


def select(argv: list[str]) -> tuple[list[str], list[str]]:
    """The benchmarks `--only`/`--skip` leave, and the arguments for each of them."""
    names, rest, only, skip = benchmarks(), [], None, set()
    arguments = iter(argv)
    for argument in arguments:
        if argument in ("--only", "--skip"):
            chosen = set(next(arguments, "").split(","))
            unknown = chosen - set(names)
            if unknown:
                raise SystemExit(f"bench: no benchmark named {', '.join(sorted(unknown))}; there are {', '.join(names)}")
            only, skip = (chosen, skip) if argument == "--only" else (only, skip | chosen)
        else:
            rest.append(argument)
    return [name for name in names if (only is None or name in only) and name not in skip], rest


def main(argv: list[str]) -> int:
    failed = []
    chosen, argv = select(argv)
    for name in chosen:
        result = subprocess.run([sys.executable, "-m", f"bench.{name}", *argv], cwd=HERE.parent, check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
