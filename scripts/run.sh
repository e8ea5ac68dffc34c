#!/usr/bin/env bash
# Every service in one process on 127.0.0.1:8000 (EMENTOR_HTTP_ADDRESS), with the walkthrough.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/ementor dev "$@"
