#!/usr/bin/env bash
# Run every test against a real nats-server (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nats-server.sh
source scripts/demo-music.sh
ensure_nats_server
ensure_demo_music
echo "==> nats-server: $NATS_SERVER_BIN ($("$NATS_SERVER_BIN" --version))"
# The Subsonic gateway's test drives it with a third-party client: PyPI's py-opensonic.
python3 -c "import libopensonic" 2>/dev/null ||
  python3 -m pip install --quiet --root-user-action=ignore --disable-pip-version-check "py-opensonic==10.4.1"
cargo test --workspace --locked "$@"
# --- the fault suite, short: a node killed, the server restarted, an overload burst ---
cargo build --locked -p chorus-bench -p chorus-nodes --bins
scripts/faults.sh
scripts/fuzz.sh
# --- the Helm chart: lint, render, Kubernetes schemas, values schema, node configuration ---
scripts/chart-test.sh
# --- web player: end-to-end in headless Chromium against a dev stack of its own ---
# (CHORUS_SKIP_WEB_E2E=1 skips it; scripts/web-e2e.sh runs it alone.)
if [ "${CHORUS_SKIP_WEB_E2E:-0}" != 1 ]; then
  scripts/web-e2e.sh
fi
# --- the container image: the Dockerfile's runtime stage under Podman ---
# (CHORUS_SKIP_CONTAINER_TEST=1 skips it; scripts/container-test.sh runs it alone.)
if [ "${CHORUS_SKIP_CONTAINER_TEST:-0}" != 1 ]; then
  scripts/container-test.sh
fi
