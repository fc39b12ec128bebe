# Shared by the scripts that start a stack on loopback (cluster.sh, edge.sh):
# source it.

# Whether something listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The stack's passwords: made once per state directory $1 and kept there
# (never committed), then exported.
stack_secrets() {
  if [ ! -f "$1/secrets" ]; then
    gen() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }
    printf 'CHORUS_SERVICE_PASSWORD=%s\nCHORUS_WEB_PASSWORD=%s\nCHORUS_ADMIN_PASSWORD=%s\nCHORUS_CALLOUT_PASSWORD=%s\n' \
      "$(gen)" "$(gen)" "$(gen)" "$(gen)" >"$1/secrets"
    chmod 600 "$1/secrets"
  fi
  set -a
  # shellcheck disable=SC1091
  source "$1/secrets"
  set +a
}

# Build chorus-node and chorus (debug), set $bin to where they are, and make
# the stack's signing keys and callout account key once in $1: exports
# CHORUS_CALLOUT_ISSUER and sets $callout_seed.
stack_build_and_keys() {
  echo "==> building chorus-node and chorus"
  cargo build --locked -p chorus-nodes --bins
  bin="${CARGO_TARGET_DIR:-$root/target}/debug"
  [ -s "$1/signing.keys" ] || (umask 077; "$bin/chorus" keygen >"$1/signing.keys")
  [ -s "$1/callout.nkey" ] || (umask 077; "$bin/chorus" keygen --nats-account >"$1/callout.nkey")
  read -r CHORUS_CALLOUT_ISSUER callout_seed <"$1/callout.nkey"
  export CHORUS_CALLOUT_ISSUER
}
