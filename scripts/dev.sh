#!/usr/bin/env bash
# The Chorus dev stack in one command: installs what is missing, builds, starts
# nats-server (nats/conf/dev.conf) and one chorus-node with every service,
# imports the demo music, and prints how to reach it. Ctrl-C stops everything.
#
# Settings (environment): CHORUS_NATS_PORT (4222), CHORUS_WS_PORT (8080),
# CHORUS_WEB_PORT (5173, the web player's page), CHORUS_DEV_DIR (.dev),
# CHORUS_DEV_SYNTHETIC (synthetic tracks to add, default 0), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/nats-server.sh
source scripts/demo-music.sh

export CHORUS_NATS_PORT=${CHORUS_NATS_PORT:-4222}
export CHORUS_WS_PORT=${CHORUS_WS_PORT:-8080}
# CHORUS_DEV_DIR: where state and passwords live (default .dev/; the web
# player's end-to-end test points it at a temporary directory).
dev="${CHORUS_DEV_DIR:-$root/.dev}"
mkdir -p "$dev/jetstream"
export CHORUS_JS_DIR="$dev/jetstream"

# Passwords are made once per checkout and kept in .dev/ (never committed).
if [ ! -f "$dev/secrets" ]; then
  gen() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }
  printf 'CHORUS_SERVICE_PASSWORD=%s\nCHORUS_WEB_PASSWORD=%s\nCHORUS_ADMIN_PASSWORD=%s\n' "$(gen)" "$(gen)" "$(gen)" >"$dev/secrets"
  chmod 600 "$dev/secrets"
fi
set -a; source "$dev/secrets"; set +a
# Checkouts from before auth (or before the auth callout) lack some of them.
for name in CHORUS_ADMIN_PASSWORD CHORUS_CALLOUT_PASSWORD; do
  if [ -z "${!name:-}" ]; then
    printf -v "$name" '%s' "$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
    printf '%s=%s\n' "$name" "${!name}" >>"$dev/secrets"
  fi
done
export CHORUS_CALLOUT_PASSWORD

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# --- web player (examples/web): its page port is checked with the others ---
export CHORUS_WEB_PORT=${CHORUS_WEB_PORT:-5173}
web_dir="$root/examples/web"
web_ports=()
if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing Node.js and npm (Debian) to build the web player"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null \
    && { command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }; } || true
fi
command -v npm >/dev/null && web_ports=("$CHORUS_WEB_PORT")
# --- end web player ---
for p in "$CHORUS_NATS_PORT" "$CHORUS_WS_PORT" "${web_ports[@]}"; do
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

# --- web player (examples/web): built with esbuild from the npm registry ---
web_ok=0
if [ ${#web_ports[@]} -gt 0 ]; then
  echo "==> building the web player (examples/web, $(node --version))"
  if [ ! -f "$web_dir/node_modules/.package-lock.json" ] || [ "$web_dir/package-lock.json" -nt "$web_dir/node_modules/.package-lock.json" ]; then
    (cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd "$web_dir" && npm run --silent build) && web_ok=1 || echo "==> the web player did not build; the stack starts without it" >&2
else
  echo "==> npm not found: no web player (install Node.js 18 or newer with npm, e.g. apt-get install nodejs npm)" >&2
fi
# --- end web player ---

# The key access tokens are signed with: made once, kept in .dev/ (never committed).
if [ ! -s "$dev/signing.keys" ]; then
  (umask 077; "$bin/chorus" keygen >"$dev/signing.keys")
fi

# The account key the auth service signs each browser connection's
# permissions with (auth callout); nats-server trusts its public half.
if [ ! -s "$dev/callout.nkey" ]; then
  (umask 077; "$bin/chorus" keygen --nats-account >"$dev/callout.nkey")
fi
read -r CHORUS_CALLOUT_ISSUER callout_seed <"$dev/callout.nkey"
export CHORUS_CALLOUT_ISSUER

nats_url="nats://127.0.0.1:$CHORUS_NATS_PORT"
cat >"$dev/chorus.toml" <<TOML
# Written by scripts/dev.sh: how the dev node and the chorus CLI reach NATS.
nats_url = "$nats_url"
nats_user = "service"
nats_password = "$CHORUS_SERVICE_PASSWORD"
node_id = "dev"
services = ["all"]

[catalog]
# Dev only: lets chorus import (signed in as the admin) create records.
allow_writes = true

[auth]
signing_keys_file = "$dev/signing.keys"

[auth.callout]
# Answers nats-server for every browser connection (nats/conf/dev.conf).
user = "callout"
password = "$CHORUS_CALLOUT_PASSWORD"
issuer_seed = "$callout_seed"
web_password = "$CHORUS_WEB_PASSWORD"

[auth.bootstrap_admin]
username = "admin"
email = "admin@chorus.localhost"
password = "$CHORUS_ADMIN_PASSWORD"
TOML
chmod 600 "$dev/chorus.toml"
export CHORUS_CONFIG="$dev/chorus.toml"

pids=()
stop() {
  trap - INT TERM EXIT
  # The output may have nowhere to go (`scripts/dev.sh | tee log`: the same
  # Ctrl-C ended tee): a failed echo must not end the cleanup.
  trap '' PIPE
  say() { echo "$@" 2>/dev/null || true; }
  say
  say "==> stopping"
  # Newest first, one at a time: the node drains while the server is still up.
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  say "==> stopped"
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
  "$bin/chorus" micro ping catalog >/dev/null 2>&1 && "$bin/chorus" micro ping auth >/dev/null 2>&1 && break
  sleep 0.2
done
echo "==> importing the demo music (signed in as admin)"
CHORUS_TOKEN=$(CHORUS_PASSWORD="$CHORUS_ADMIN_PASSWORD" "$bin/chorus" login admin)
export CHORUS_TOKEN
"$bin/chorus" import "$CHORUS_DEMO_MUSIC" --default-artist "ACE-Step Demo"
if [ "${CHORUS_DEV_SYNTHETIC:-0}" -gt 0 ]; then
  "$bin/chorus" seed --tracks "$CHORUS_DEV_SYNTHETIC"
fi

# --- web player: its settings (never the service password) and a static server ---
web_line="(npm not found: no web player)"
if [ "$web_ok" = 1 ]; then
  mkdir -p "$dev/web"
  (umask 077; printf '{"ws_url": "ws://127.0.0.1:%s", "user": "web", "password": "%s"}\n' \
    "$CHORUS_WS_PORT" "$CHORUS_WEB_PASSWORD" >"$dev/web/config.json")
  node_pid=${pids[0]}
  CHORUS_WEB_CONFIG="$dev/web/config.json" setsid node "$web_dir/serve.mjs" >"$dev/web.log" 2>&1 &
  pids=("$!" "${pids[@]}")
  for _ in $(seq 1 50); do port_busy "$CHORUS_WEB_PORT" && break; sleep 0.1; done
  web_line="http://127.0.0.1:$CHORUS_WEB_PORT/   (open it, create an account, listen)"
  [ "$CHORUS_WEB_PORT" = 5173 ] || web_line="$web_line
              CHORUS_WEB_PORT is not 5173: nats/conf/dev.conf allows websockets from :5173 pages only"
fi
# --- end web player ---

cat <<INFO

Chorus dev stack is up.

  Web player  $web_line

  NATS        $nats_url   user: service  password: $CHORUS_SERVICE_PASSWORD
  WebSocket   ws://127.0.0.1:$CHORUS_WS_PORT  user: web  password: $CHORUS_WEB_PASSWORD
              (browser pages from http://localhost:5173 only)
  Admin       username: admin  password: $CHORUS_ADMIN_PASSWORD

Try it with the nats CLI:
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD req chorus.catalog.v1.track.list '{"limit": 2}'
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD micro info catalog
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD req chorus.search.v1.catalog.query '{"q": "sigur r", "limit": 5}'

Sign in (a listener registers with chorus.auth.v1.user.register):
  nats --server $nats_url --user service --password $CHORUS_SERVICE_PASSWORD req chorus.auth.v1.session.login '{"username": "admin", "password": "$CHORUS_ADMIN_PASSWORD"}'
  then send the access_token as a header: -H "Authorization:Bearer <access_token>"

or, without the nats CLI, with the chorus CLI:
  export CHORUS_CONFIG=.dev/chorus.toml
  $bin/chorus req chorus.catalog.v1.track.list '{"limit": 2}'
  $bin/chorus micro info catalog
  $bin/chorus req chorus.search.v1.catalog.query '{"q": "sigur r", "limit": 5}'
  export CHORUS_TOKEN=\$(CHORUS_PASSWORD=$CHORUS_ADMIN_PASSWORD $bin/chorus login admin)
  $bin/chorus req chorus.auth.v1.user.list '{}'

Ctrl-C stops everything.
INFO
wait "${node_pid:-${pids[0]}}"  # the node: when it exits, everything stops
