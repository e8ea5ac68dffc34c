#!/usr/bin/env bash
# Install everything ementor needs on a fresh machine: uv (in .tools/), the locked Python
# environment (.venv/), and a running RabbitMQ with its management plugin (unless AMQP_URI is set).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .tools/bin/uv ]; then
    echo "setup: installing uv into .tools/"
    "$PYTHON" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
fi
echo "setup: syncing .venv from uv.lock"
.tools/bin/uv sync --frozen --quiet --python "$PYTHON"

# The SSO tests run a real OpenID Provider (tests/support/oidc) with the machine's Node.js.
if command -v npm >/dev/null; then
    echo "setup: installing the test OpenID Provider (npm ci)"
    (cd tests/support/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
else
    echo "setup: npm not found: the SSO tests need Node.js 20+ and npm" >&2
fi

if [ -n "${AMQP_URI:-}" ]; then
    echo "setup: using RabbitMQ at AMQP_URI"
    exit 0
fi
broker_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if ! broker_up; then
    if ! command -v rabbitmq-server >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "setup: installing rabbitmq-server"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
        else
            echo "setup: RabbitMQ is not running and not installed; install it or set AMQP_URI" >&2
            exit 1
        fi
    fi
    echo "setup: starting RabbitMQ"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do broker_up && break; sleep 1; done
    broker_up || { echo "setup: RabbitMQ did not start" >&2; exit 1; }
fi
# The management API gives tests a vhost each, and integrations per-organisation credentials.
if command -v rabbitmq-plugins >/dev/null; then
    rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null && break; sleep 1; done
fi
echo "setup: ready"
