#!/usr/bin/env bash
# The Chorus cluster topology on loopback: three nats-servers with JetStream
# (nats/conf/cluster/n1..n3.conf, routed into one cluster; every Chorus bucket
# and stream at R3) and CHORUS_CLUSTER_NODES chorus-nodes, each with every
# service. Ctrl-C stops everything: the nodes drain first, then the servers.
#
# Settings (environment): CHORUS_CLUSTER_NODES (2), CHORUS_CLUSTER_DIR
# (.cluster), CHORUS_CLUSTER_PORT_BASE (14222: clients on base+0..2, websockets
# on base+10..12, routes on base+20..22, monitoring on base+30..32, node
# probes on base+40.., their OpenSubsonic listeners on base+60..), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/nats-server.sh
source scripts/stack.sh

nodes=${CHORUS_CLUSTER_NODES:-2}
base=${CHORUS_CLUSTER_PORT_BASE:-14222}
dir="${CHORUS_CLUSTER_DIR:-$root/.cluster}"
mkdir -p "$dir"

stack_secrets "$dir"

urls=()
for i in 1 2 3; do
  export "CHORUS_N${i}_PORT=$((base + i - 1))" "CHORUS_N${i}_WS_PORT=$((base + 9 + i))" \
    "CHORUS_N${i}_CLUSTER_PORT=$((base + 19 + i))" "CHORUS_N${i}_HTTP_PORT=$((base + 29 + i))" \
    "CHORUS_N${i}_JS_DIR=$dir/n$i/jetstream" "CHORUS_ROUTE_${i}=nats-route://127.0.0.1:$((base + 19 + i))"
  mkdir -p "$dir/n$i/jetstream"
  urls+=("nats://127.0.0.1:$((base + i - 1))")
  for p in $((base + i - 1)) $((base + 9 + i)) $((base + 19 + i)) $((base + 29 + i)); do
    if port_busy "$p"; then
      echo "port $p is in use (another cluster?). Stop it, or set CHORUS_CLUSTER_PORT_BASE." >&2
      exit 1
    fi
  done
done
# One URL each: chorus_host's connect passes nats_url to async-nats as one
# address (a comma-separated list does not parse); a client learns the other
# two servers from the first one's INFO and reconnects to them.
nats_url=${urls[0]}

ensure_nats_server
stack_build_and_keys "$dir"

# One config for every node (each gets its own node_id and data_dir from the
# environment). replicas = 3 everywhere: whichever node creates a bucket,
# stream or object store first creates it at R3.
cat >"$dir/chorus.toml" <<TOML
# Written by scripts/cluster.sh: how the cluster's nodes and the chorus CLI reach NATS.
nats_url = "$nats_url"
nats_user = "service"
nats_password = "$CHORUS_SERVICE_PASSWORD"
services = ["all"]
trust_replicas = 3

[catalog]
replicas = 3
allow_writes = true

[auth]
replicas = 3
signing_keys_file = "$dir/signing.keys"

[auth.callout]
user = "callout"
password = "$CHORUS_CALLOUT_PASSWORD"
issuer_seed = "$callout_seed"
web_password = "$CHORUS_WEB_PASSWORD"

[auth.bootstrap_admin]
username = "admin"
email = "admin@chorus.localhost"
password = "$CHORUS_ADMIN_PASSWORD"

[profile]
replicas = 3

[payment]
replicas = 3

[recommend]
replicas = 3

[stream]
replicas = 3
TOML
chmod 600 "$dir/chorus.toml"
export CHORUS_CONFIG="$dir/chorus.toml"

servers=()
node_pids=()
stop() {
  trap - INT TERM EXIT
  trap '' PIPE
  say() { echo "$@" 2>/dev/null || true; }
  say
  say "==> stopping: the nodes drain first"
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  say "==> stopped"
}
trap stop INT TERM EXIT

echo "==> starting three nats-servers ($("$NATS_SERVER_BIN" --version)), logs in $dir/n*/nats-server.log"
for i in 1 2 3; do
  # setsid: Ctrl-C reaches this script only, which stops the nodes before the servers.
  setsid "$NATS_SERVER_BIN" -c "nats/conf/cluster/n$i.conf" >"$dir/n$i/nats-server.log" 2>&1 &
  servers+=($!)
done
for i in 1 2 3; do
  p=$((base + i - 1))
  for _ in $(seq 1 100); do port_busy "$p" && break; sleep 0.1; done
  port_busy "$p" || { echo "nats-server n$i did not start; see $dir/n$i/nats-server.log" >&2; exit 1; }
done
# JetStream answers once the three have elected a meta leader.
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$CHORUS_N1_HTTP_PORT/jsz" 2>/dev/null | grep -q '"leader": *"chorus_n' && break
  sleep 0.2
done

wait_for_services() {
  for _ in $(seq 1 300); do
    "$bin/chorus" micro ping catalog >/dev/null 2>&1 && "$bin/chorus" micro ping auth >/dev/null 2>&1 && return 0
    sleep 0.2
  done
}
for n in $(seq 1 "$nodes"); do
  echo "==> starting chorus-node node$n (all services), log in $dir/node$n.log"
  mkdir -p "$dir/node$n"
  CHORUS_NODE_ID="node$n" CHORUS_NATS_URL="${urls[$(((n - 1) % 3))]}" CHORUS_DATA_DIR="$dir/node$n" \
    CHORUS_HTTP_LISTEN="127.0.0.1:$((base + 39 + n))" CHORUS_SUBSONIC__LISTEN="127.0.0.1:$((base + 59 + n))" setsid "$bin/chorus-node" >"$dir/node$n.log" 2>&1 &
  node_pids=("$!" "${node_pids[@]}")
  # The first node creates the R3 buckets and streams; the others start once
  # it serves (two nodes creating them at once can fail one: "no stream found"
  # on a put right after another node's create).
  [ "$n" = 1 ] && wait_for_services
done
wait_for_services

cat <<INFO

Chorus cluster is up: three nats-servers, $nodes nodes.

  NATS        ${urls[*]}
              user: service  password: $CHORUS_SERVICE_PASSWORD
  WebSocket   ws://127.0.0.1:$CHORUS_N1_WS_PORT (and :$CHORUS_N2_WS_PORT, :$CHORUS_N3_WS_PORT)  user: web  password: $CHORUS_WEB_PASSWORD
  Monitoring  http://127.0.0.1:$CHORUS_N1_HTTP_PORT/jsz (the meta leader, streams and their replicas)
  Node probes http://127.0.0.1:$((base + 40))/readyz ... one per node
  Subsonic    http://127.0.0.1:$((base + 60))/rest/ ... one per node
  Admin       username: admin  password: $CHORUS_ADMIN_PASSWORD

With the chorus CLI:
  export CHORUS_CONFIG=$dir/chorus.toml
  $bin/chorus micro ls
  export CHORUS_TOKEN=\$(CHORUS_PASSWORD=$CHORUS_ADMIN_PASSWORD $bin/chorus login admin)
  $bin/chorus import <folder of music>
  curl -s 'http://127.0.0.1:$CHORUS_N1_HTTP_PORT/jsz?streams=true&config=true' | grep -o '"num_replicas":[0-9]*'

Kill a server (kill -9 one of: ${servers[*]}) or a node (${node_pids[*]}) and watch the rest serve.
Ctrl-C stops everything.
INFO
wait "${node_pids[@]}"
