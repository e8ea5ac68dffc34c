"""`python -m bench.sampled OUT serve <service>`: ementor's CLI under the CPU sampler (bench/sampling.py).

bench/platform_load.py starts each service this way. On SIGUSR1 the process writes OUT (JSON: CPU
seconds, samples, the stand-in's samples, and samples by ementor's innermost own function), so the
benchmark can take the difference over its message phase. Not a benchmark itself.
"""

from __future__ import annotations

import json
import signal
import sys
import time

from bench.sampling import Sampler
from ementor import cli  # monkey-patches eventlet first


def run(out: str, args: list[str]) -> int:
    sampler = Sampler(0.005).start()

    def write(signum=None, frame=None) -> None:
        where = [[caller, store, n] for (caller, store), n in sampler.where.items()]
        with open(out, "w") as file:
            json.dump({"cpu": time.process_time(), "samples": sampler.samples, "store": sampler.store,
                       "where": where}, file)

    signal.signal(signal.SIGUSR1, write)
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2:]))
