#!/usr/bin/env bash
# An edge deployment on loopback: a hub (nats/conf/edge/hub.conf, JetStream
# domain `hub`) with a node hosting every service, and a site
# (nats/conf/edge/site.conf, domain `site1`, a leaf node of the hub) with a
# node hosting catalog, search, stream and recommend, whose views are built
# from the site's mirrors of the hub's catalog record, trust bucket, audio,
# art, plays and models, and the browser gate (the `callout` service) that
# lets the site's web player in. Import at the hub, search and play through
# the site's server or its web player; stop the hub (kill its pid, printed)
# and the site keeps searching and playing.
# Ctrl-C stops everything: the nodes drain first, then the servers.
#
# Settings (environment): CHORUS_EDGE_DIR (.edge), CHORUS_EDGE_PORT_BASE
# (15222: the hub's clients on base+0, the site's on base+1, the hub's leaf
# listener on base+2, the site's websocket on base+3, its web player's page
# on base+4, node probes on base+40..41, the hub's OpenSubsonic listener on
# base+60), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/nats-server.sh
source scripts/stack.sh

base=${CHORUS_EDGE_PORT_BASE:-15222}
dir="${CHORUS_EDGE_DIR:-$root/.edge}"
mkdir -p "$dir/hub/jetstream" "$dir/site1/jetstream" "$dir/hub-node" "$dir/site1-node"

stack_secrets "$dir"

for p in $base $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)) $((base + 40)) $((base + 41)); do
  if port_busy "$p"; then
    echo "port $p is in use (another edge stack?). Stop it, or set CHORUS_EDGE_PORT_BASE." >&2
    exit 1
  fi
done
export CHORUS_HUB_PORT=$base CHORUS_HUB_LEAF_PORT=$((base + 2)) CHORUS_HUB_JS_DIR="$dir/hub/jetstream"
export CHORUS_SITE_NAME=site1 CHORUS_SITE_DOMAIN=site1 CHORUS_SITE_PORT=$((base + 1)) CHORUS_SITE_JS_DIR="$dir/site1/jetstream"
export CHORUS_SITE_WS_PORT=$((base + 3)) CHORUS_SITE_WEB_ORIGIN="http://127.0.0.1:$((base + 4))"
export CHORUS_HUB_LEAF_URL="nats-leaf://service:$CHORUS_SERVICE_PASSWORD@127.0.0.1:$CHORUS_HUB_LEAF_PORT"

ensure_nats_server
stack_build_and_keys "$dir"

# The hub's node: every service. The site's: what keeps listeners searching
# and playing, with hub_domain naming where the mirrors come from, and the
# browser gate (the hub's callout settings: the same issuer and web password).
callout_section() {
  printf '\n[auth.callout]\nuser = "callout"\npassword = "%s"\nissuer_seed = "%s"\nweb_password = "%s"\n' \
    "$CHORUS_CALLOUT_PASSWORD" "$callout_seed" "$CHORUS_WEB_PASSWORD"
}
for where in hub site1; do
  port=$CHORUS_HUB_PORT; [ "$where" = site1 ] && port=$CHORUS_SITE_PORT
  {
    echo "# Written by scripts/edge.sh: the $where node."
    echo "nats_url = \"nats://127.0.0.1:$port\""
    echo "nats_user = \"service\""
    echo "nats_password = \"$CHORUS_SERVICE_PASSWORD\""
    if [ "$where" = site1 ]; then
      echo 'services = ["catalog", "search", "stream", "recommend", "callout"]'
      echo 'hub_domain = "hub"'
      callout_section
    else
      echo 'services = ["all"]'
      printf '\n[catalog]\nallow_writes = true\n'
      printf '\n[auth]\nsigning_keys_file = "%s"\n' "$dir/signing.keys"
      callout_section
      printf '\n[auth.bootstrap_admin]\nusername = "admin"\nemail = "admin@chorus.localhost"\npassword = "%s"\n' \
        "$CHORUS_ADMIN_PASSWORD"
    fi
  } >"$dir/$where.toml"
  chmod 600 "$dir/$where.toml"
done

pids=()
node_pids=()
stop() {
  trap - INT TERM EXIT
  trap '' PIPE
  echo 2>/dev/null || true
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "==> stopped" 2>/dev/null || true
}
trap stop INT TERM EXIT

start_server() { # name conf port
  setsid "$NATS_SERVER_BIN" -c "$2" >"$dir/$1/nats-server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do port_busy "$3" && return 0; sleep 0.1; done
  echo "nats-server $1 did not start; see $dir/$1/nats-server.log" >&2
  exit 1
}
echo "==> starting the hub and the site ($("$NATS_SERVER_BIN" --version)), logs in $dir/*/nats-server.log"
start_server hub nats/conf/edge/hub.conf "$CHORUS_HUB_PORT"
hub_pid=${pids[0]}
start_server site1 nats/conf/edge/site.conf "$CHORUS_SITE_PORT"

start_node() { # name probe-port [extra env]
  CHORUS_CONFIG="$dir/$1.toml" CHORUS_NODE_ID="$1-node" CHORUS_DATA_DIR="$dir/$1-node" \
    CHORUS_HTTP_LISTEN="127.0.0.1:$2" CHORUS_SUBSONIC__LISTEN="127.0.0.1:$((base + 60))" \
    setsid "$bin/chorus-node" >"$dir/$1-node.log" 2>&1 &
  node_pids=("$!" "${node_pids[@]}")
  for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "the $1 node did not become ready; see $dir/$1-node.log" >&2
  exit 1
}
echo "==> starting the hub's node (every service) and the site's (catalog, search, stream, recommend, callout)"
start_node hub $((base + 40))
start_node site1 $((base + 41))

# The site's web player (built by scripts/dev.sh, or npm run build in examples/web).
web_line="(examples/web/dist is not built: cd examples/web && npm ci && npm run build)"
if [ -f examples/web/dist/index.html ]; then
  CHORUS_WEB_PASSWORD=$CHORUS_WEB_PASSWORD setsid "$bin/chorus" web --dir examples/web/dist \
    --ws-url "ws://127.0.0.1:$CHORUS_SITE_WS_PORT" --listen "127.0.0.1:$((base + 4))" >"$dir/site1-web.log" 2>&1 &
  node_pids=("$!" "${node_pids[@]}")
  for _ in $(seq 1 50); do port_busy $((base + 4)) && break; sleep 0.1; done
  web_line="$CHORUS_SITE_WEB_ORIGIN/   (its browsers connect to the site's websocket)"
fi

cat <<INFO

Chorus edge stack is up: a hub and the site site1 (a leaf node of the hub).

  Hub NATS    nats://127.0.0.1:$CHORUS_HUB_PORT   (pid $hub_pid: kill it to cut the uplink)
  Site NATS   nats://127.0.0.1:$CHORUS_SITE_PORT
              user: service  password: $CHORUS_SERVICE_PASSWORD
  Site web    $web_line
  Admin       username: admin  password: $CHORUS_ADMIN_PASSWORD

Import at the hub, search through the site:
  export CHORUS_CONFIG=$dir/hub.toml
  export CHORUS_TOKEN=\$(CHORUS_PASSWORD=$CHORUS_ADMIN_PASSWORD $bin/chorus login admin)
  $bin/chorus import <folder of music>
  CHORUS_CONFIG=$dir/site1.toml $bin/chorus req chorus.search.v1.catalog.query '{"q": "a"}'

Ctrl-C stops everything.
INFO
wait "${node_pids[@]}"
