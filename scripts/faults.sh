#!/usr/bin/env bash
# The fault suite's short form (CI): scenarios 1 (kill -9 one of two nodes),
# 2 (restart the nats-server) and 5 (an overload burst), with the debug
# binaries the test build made (this script builds nothing: build first with
# `cargo build -p chorus-bench -p chorus-nodes --bins`). Exits non-zero if
# an acknowledged write was lost. About a minute.
#
# The whole suite, longer, is one command:
#   cargo run -p chorus-bench -- faults            (all six scenarios)
#   cargo run -p chorus-bench -- faults --scenario 3,4 --short
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nats-server.sh
ensure_nats_server
bin="${CARGO_TARGET_DIR:-target}/debug"
for b in chorus-bench chorus-node; do
  [ -x "$bin/$b" ] || { echo "$bin/$b is missing: cargo build -p chorus-bench -p chorus-nodes --bins" >&2; exit 1; }
done
exec timeout 300 "$bin/chorus-bench" faults --short --scenario "${CHORUS_FAULTS_SCENARIOS:-1,2,5}" "$@"
