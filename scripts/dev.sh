#!/usr/bin/env bash
# The Chorus dev stack in one command: installs what is missing, builds, starts
# nats-server (nats/conf/dev.conf) and one chorus-node with every service,
# imports the demo music, and prints how to reach it. Ctrl-C stops everything.
#
# Settings (environment): CHORUS_NATS_PORT (4222), CHORUS_WS_PORT (8080),
# CHORUS_DEV_SYNTHETIC (synthetic tracks to add, default 0), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/nats-server.sh
source scripts/demo-music.sh

export CHORUS_NATS_PORT=${CHORUS_NATS_PORT:-4222}
export CHORUS_WS_PORT=${CHORUS_WS_PORT:-8080}
dev="$root/.dev"
mkdir -p "$dev/jetstream"
export CHORUS_JS_DIR="$dev/jetstream"

# Passwords are made once per checkout and kept in .dev/ (never committed).
if [ ! -f "$dev/secrets" ]; then
  gen() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }
  printf 'CHORUS_SERVICE_PASSWORD=%s\nCHORUS_WEB_PASSWORD=%s\n' "$(gen)" "$(gen)" >"$dev/secrets"
  chmod 600 "$dev/secrets"
fi
set -a; source "$dev/secrets"; set +a

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$CHORUS_NATS_PORT" "$CHORUS_WS_PORT"; do
  if port_busy "$p"; then
    echo "port $p is in use (another dev stack?). Stop it, or set CHORUS_NATS_PORT / CHORUS_WS_PORT." >&2
    exit 1
  fi
done

ensure_nats_server
ensure_demo_music
echo "==> building chorus-node and chorus (first build takes several minutes)"
cargo build --locked -p chorus-nodes --bins
bin="${CARGO_TARGET_DIR:-$root/target}/debug"

nats_url="nats://127.0.0.1:$CHORUS_NATS_PORT"
cat >"$dev/chorus.toml" <<TOML
# Written by scripts/dev.sh: how the dev node and the chorus CLI reach NATS.
nats_url = "$nats_url"
nats_user = "service"
nats_password = "$CHORUS_SERVICE_PASSWORD"
node_id = "dev"
services = ["all"]

[catalog]
# Dev only: lets chorus import create records (admin-only once auth exists).
allow_writes = true
TOML
export CHORUS_CONFIG="$dev/chorus.toml"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "==> stopping"
  # Newest first, one at a time: the node drains while the server is still up.
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "==> stopped"
}
trap stop INT TERM EXIT

echo "==> starting nats-server ($("$NATS_SERVER_BIN" --version)), log in .dev/nats-server.log"
# setsid: Ctrl-C reaches this script only, which stops the node before the server.
setsid "$NATS_SERVER_BIN" -c nats/conf/dev.conf >"$dev/nats-server.log" 2>&1 &
pids=($!)
for _ in $(seq 1 100); do port_busy "$CHORUS_NATS_PORT" && break; sleep 0.1; done
port_busy "$CHORUS_NATS_PORT" || { echo "nats-server did not start; see .dev/nats-server.log" >&2; exit 1; }

echo "==> starting chorus-node (all services)"
setsid "$bin/chorus-node" &
pids=("$!" "${pids[@]}")
for _ in $(seq 1 300); do
  "$bin/chorus" micro ping catalog >/dev/null 2>&1 && break
  sleep 0.2
done
echo "==> importing the demo music"
"$bin/chorus" import "$CHORUS_DEMO_MUSIC" --default-artist "ACE-Step Demo"
if [ "${CHORUS_DEV_SYNTHETIC:-0}" -gt 0 ]; then
  "$bin/chorus" seed --tracks "$CHORUS_DEV_SYNTHETIC"
fi

cat <<INFO

Chorus dev stack is up.

  NATS        $nats_url   user: service  password: $CHORUS_SERVICE_PASSWORD
  WebSocket   ws://127.0.0.1:$CHORUS_WS_PORT  user: web  password: $CHORUS_WEB_PASSWORD
              (browser pages from http://localhost:5173 only)

Try it with the nats CLI:
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD req chorus.catalog.v1.track.list '{"limit": 2}'
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD micro info catalog
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD req chorus.search.v1.catalog.query '{"q": "sigur r", "limit": 5}'

or, without the nats CLI, with the chorus CLI:
  CHORUS_CONFIG=.dev/chorus.toml $bin/chorus req chorus.catalog.v1.track.list '{"limit": 2}'
  CHORUS_CONFIG=.dev/chorus.toml $bin/chorus micro info catalog
  CHORUS_CONFIG=.dev/chorus.toml $bin/chorus req chorus.search.v1.catalog.query '{"q": "sigur r", "limit": 5}'

Ctrl-C stops everything.
INFO
wait "${pids[0]}"
