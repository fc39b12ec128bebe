#!/usr/bin/env bash
# Run every test against a real nats-server (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nats-server.sh
source scripts/demo-music.sh
ensure_nats_server
ensure_demo_music
echo "==> nats-server: $NATS_SERVER_BIN ($("$NATS_SERVER_BIN" --version))"
cargo test --workspace --locked "$@"
