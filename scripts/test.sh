#!/usr/bin/env bash
# The whole test suite: unit, integration (real RabbitMQ, the MongoDB fixture) and e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pytest "$@"
