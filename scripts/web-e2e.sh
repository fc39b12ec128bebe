#!/usr/bin/env bash
# The web player's end-to-end test (examples/web/tests/e2e.mjs): starts a
# fresh dev stack (scripts/dev.sh) with its own state directory and free NATS
# ports, drives the page in headless Chromium, then stops the stack.
# Screenshots of every step: examples/web/test-artifacts/.
# The stack's payment service has its test clock on (`[payment] test_clock`):
# the test moves it a month on, as the admin, to see a renewal fail.
#
# Needs Node.js 20+ with npm, and Debian's chromium (both installed here when
# missing and running as root). The page must be served from port 5173, the origin
# nats/conf/dev.conf lets open websockets (CHORUS_WEB_PORT to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
web_dir=examples/web

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing ${missing[*]} (Debian) for the web player's test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "web-e2e: missing ${missing[*]}: apt-get install ${missing[*]} (Node.js 20+ with npm)" >&2
    exit 1
  fi
fi
echo "==> web player: npm ci ($(node --version), $("$CHROMIUM" --version 2>/dev/null))"
(cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "==> web player unit tests"
(cd "$web_dir" && npm test --silent)

if (exec 3<>"/dev/tcp/127.0.0.1/${CHORUS_WEB_PORT:-5173}") 2>/dev/null; then
  echo "web-e2e: port ${CHORUS_WEB_PORT:-5173} is in use (a dev stack?): stop it first, the test's page must be served there" >&2
  exit 1
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
state=$(mktemp -d "${TMPDIR:-/tmp}/chorus-web-e2e.XXXXXX")
export CHORUS_DEV_DIR="$state" CHORUS_WEB_PORT=${CHORUS_WEB_PORT:-5173}
# clock.advance (admin only, never reachable from a browser) for this stack alone.
export CHORUS_PAYMENT__TEST_CLOCK=true
CHORUS_NATS_PORT=$(free_port)
CHORUS_WS_PORT=$(free_port)
export CHORUS_NATS_PORT CHORUS_WS_PORT

# setsid: the stack gets a process group of its own, stopped as one below
# (dev.sh stops its node and nats-server itself on SIGTERM).
setsid scripts/dev.sh >"$state/dev.log" 2>&1 &
dev_pid=$!
stop_stack() {
  trap - EXIT INT TERM
  kill -TERM -- "-$dev_pid" 2>/dev/null || true
  wait "$dev_pid" 2>/dev/null || true
  rm -rf "$state"
}
trap stop_stack EXIT INT TERM

echo "==> starting a dev stack for the test (state in $state, NATS :$CHORUS_NATS_PORT, websocket :$CHORUS_WS_PORT, page :$CHORUS_WEB_PORT)"
# The first start may build everything: allow a long time, but notice a dead stack at once.
for _ in $(seq 1 3600); do
  grep -q "Chorus dev stack is up" "$state/dev.log" && break
  if ! kill -0 "$dev_pid" 2>/dev/null; then
    echo "web-e2e: the dev stack exited before it was up:" >&2
    tail -n 40 "$state/dev.log" >&2
    exit 1
  fi
  sleep 1
done
grep -q "Chorus dev stack is up" "$state/dev.log" || { echo "web-e2e: the dev stack did not come up within an hour" >&2; tail -n 40 "$state/dev.log" >&2; exit 1; }

echo "==> web player end-to-end test (headless Chromium)"
status=0
CHORUS_WEB_URL="http://127.0.0.1:$CHORUS_WEB_PORT/" node "$web_dir/tests/e2e.mjs" || status=$?
if [ "$status" != 0 ]; then
  echo "==> dev stack log (last lines):"
  tail -n 30 "$state/dev.log"
fi
exit "$status"
