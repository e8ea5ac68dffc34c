"""`python -m bench [--json] [--quick]`: run every benchmark module, one after another."""

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


def main(argv: list[str]) -> int:
    failed = []
    for name in benchmarks():
        result = subprocess.run([sys.executable, "-m", f"bench.{name}", *argv], cwd=HERE.parent, check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
