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

apt_updated=""
apt_install() {  # Debian packages, non-interactively, without starting the daemons they ship
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "setup: cannot install $* here (needs root and apt-get); install it by hand" >&2
        return 1
    fi
    local policy=/usr/sbin/policy-rc.d created="" status=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
    fi
    if [ -z "$apt_updated" ]; then apt-get update -qq || status=$?; apt_updated=1; fi
    [ "$status" != 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
        >/dev/null || status=$?
    [ -z "$created" ] || rm -f "$policy"
    return "$status"
}

# The tests run nginx itself on the compose nginx.conf (tests/unit/infra/test_manifests.py).
if ! PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v nginx >/dev/null; then
    echo "setup: installing nginx-light"
    apt_install nginx-light || echo "setup: without nginx the nginx.conf test fails" >&2
fi

if [ -n "${AMQP_URI:-}" ]; then
    echo "setup: using RabbitMQ at AMQP_URI"
    exit 0
fi
broker_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if ! broker_up; then
    if ! command -v rabbitmq-server >/dev/null; then
        echo "setup: installing rabbitmq-server"
        apt_install rabbitmq-server || {
            echo "setup: RabbitMQ is not running and not installed; install it or set AMQP_URI" >&2
            exit 1
        }
    fi
    echo "setup: starting RabbitMQ"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do broker_up && break; sleep 1; done
    broker_up || { echo "setup: RabbitMQ did not start" >&2; exit 1; }
fi
# The management API gives tests a vhost each, and integrations per-organisation credentials.
if command -v rabbitmq-plugins >/dev/null; then
    timeout 60 rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null && break; sleep 1; done
fi
echo "setup: ready"
