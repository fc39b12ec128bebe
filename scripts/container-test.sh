#!/usr/bin/env bash
# The container test: builds the top-level Dockerfile's runtime stage with
# Podman (runc), from images made here of what the host built, runs it
# against a real nats-server and checks what an orchestrator relies on:
#   - it starts as the non-root user with a read-only root filesystem,
#   - /livez answers at once, /readyz turns 200 once every service caught up,
#   - every service answers $SRV.PING (with the `chorus` CLI inside the image),
#   - /metrics is Prometheus text with the node's figures,
#   - SIGTERM (podman stop) drains it: exit 0 within the grace period,
#   - the same image serves the web player (`chorus web`).
# Prints the image size and start-to-ready time. (Output is captured before
# `grep -q` reads it: grep stops at the match, and with pipefail the
# writer's SIGPIPE would fail the step.)
#
# No registry image can be pulled here, so RUNTIME (distroless's cc base in
# the Dockerfile) is stood in for by an image of the host's own glibc and a
# `nonroot` user (uid 65532, as distroless), and PAYLOAD (the Dockerfile's
# build stages) by an image of target/<profile>/{chorus-node,chorus} and
# examples/web/dist. The runtime stage itself is the Dockerfile's.
#
# Needs root (apt-get installs podman and runc when missing). Settings:
# CHORUS_BIN_DIR (default ${CARGO_TARGET_DIR:-target}/debug), NATS_SERVER_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/nats-server.sh
ensure_nats_server

if ! command -v podman >/dev/null || [ ! -x /usr/sbin/runc ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing podman and runc (Debian) for the container test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null
  else
    echo "container-test: needs podman and runc: apt-get install podman runc" >&2
    exit 1
  fi
fi
podman() { command podman --runtime /usr/sbin/runc "$@"; }

bin_dir=${CHORUS_BIN_DIR:-${CARGO_TARGET_DIR:-target}/debug}
for b in chorus-node chorus; do
  [ -x "$bin_dir/$b" ] || { echo "container-test: $bin_dir/$b is missing: cargo build -p chorus-nodes --bins" >&2; exit 1; }
done
if [ ! -f examples/web/dist/index.html ]; then
  (cd examples/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)
fi

work=$(mktemp -d)
tag=chorus-ct-$$
nats_pid=
cleanup() {
  podman rm -f "$tag-node" "$tag-web" >/dev/null 2>&1 || true
  podman rmi -f "localhost/$tag:latest" "localhost/$tag-runtime:latest" "localhost/$tag-payload:latest" >/dev/null 2>&1 || true
  [ -n "$nats_pid" ] && kill "$nats_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "==> container test: the runtime base (host glibc + user nonroot 65532) and the payload ($bin_dir)"
mkdir -p "$work/runtime/etc" "$work/runtime/tmp" "$work/runtime/home/nonroot" "$work/payload/usr/local/bin" "$work/payload/usr/share/chorus"
for lib in $(ldd "$bin_dir/chorus-node" "$bin_dir/chorus" | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  mkdir -p "$work/runtime$(dirname "$lib")"
  cp -L "$lib" "$work/runtime$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/runtime/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$work/runtime/etc/group"
chmod 1777 "$work/runtime/tmp"
chown 65532:65532 "$work/runtime/home/nonroot"
printf 'FROM scratch\nCOPY . /\n' >"$work/runtime/Containerfile"
cp "$bin_dir/chorus-node" "$bin_dir/chorus" "$work/payload/usr/local/bin/"
strip "$work/payload/usr/local/bin/"* 2>/dev/null || true
cp -r examples/web/dist "$work/payload/usr/share/chorus/web"
printf 'FROM scratch\nCOPY . /\n' >"$work/payload/Containerfile"
podman build -q -t "localhost/$tag-runtime" "$work/runtime" >/dev/null
podman build -q -t "localhost/$tag-payload" "$work/payload" >/dev/null

echo "==> building the Dockerfile's runtime stage from them"
mkdir -p "$work/context"
podman build -q --build-arg "RUNTIME=localhost/$tag-runtime" --build-arg "PAYLOAD=localhost/$tag-payload" \
  -f "$root/Dockerfile" -t "localhost/$tag" "$work/context" >/dev/null
size=$(podman image inspect --format '{{.Size}}' "localhost/$tag")
user=$(podman image inspect --format '{{.Config.User}}' "localhost/$tag")
entry=$(podman image inspect --format '{{json .Config.Entrypoint}}' "localhost/$tag")
[ "$user" = "65532:65532" ] || { echo "FAIL: the image runs as '$user', not 65532:65532" >&2; exit 1; }
[ "$entry" = '["/usr/local/bin/chorus-node"]' ] || { echo "FAIL: entrypoint $entry" >&2; exit 1; }
echo "    image: $((size / 1024 / 1024)) MiB, user $user, entrypoint $entry"

nats_port=$(free_port)
"$NATS_SERVER_BIN" -a 127.0.0.1 -p "$nats_port" -js -sd "$work/js" >"$work/nats.log" 2>&1 &
nats_pid=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && break; sleep 0.1; done
http_port=$(free_port)
signing_keys=$("$bin_dir/chorus" keygen)

echo "==> starting the node (read-only root filesystem, --services all) against nats-server :$nats_port"
started=$(date +%s%N)
podman run -d --name "$tag-node" --network host --read-only \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -e "CHORUS_NATS_URL=nats://127.0.0.1:$nats_port" -e "CHORUS_HTTP_LISTEN=127.0.0.1:$http_port" \
  -e "CHORUS_AUTH__SIGNING_KEYS=$signing_keys" -e CHORUS_DRAIN_TIMEOUT_MS=10000 \
  "localhost/$tag" --services all >/dev/null

http() { python3 - "$@" 2>/dev/null <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        print(r.status); sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); sys.stdout.write(e.read().decode())
except Exception as e:
    print(0); print(e)
PY
}
seen_starting=no
ready=
for _ in $(seq 1 600); do
  out=$(http "http://127.0.0.1:$http_port/readyz")
  case "$(head -n1 <<<"$out")" in
    200) ready=$(date +%s%N); break ;;
    503) seen_starting=yes ;;
  esac
  state=$(podman inspect --format '{{.State.Status}}' "$tag-node")
  [ "$state" = running ] || { podman logs "$tag-node" | tail -n 30; echo "FAIL: the container is $state" >&2; exit 1; }
  sleep 0.05
done
[ -n "$ready" ] || { podman logs "$tag-node" | tail -n 30; echo "FAIL: not ready within 30 s" >&2; exit 1; }
echo "    ready $(( (ready - started) / 1000000 )) ms after podman run (a 503 'starting' was seen first: $seen_starting)"
[ "$(http "http://127.0.0.1:$http_port/livez" | head -n1)" = 200 ] || { echo "FAIL: /livez" >&2; exit 1; }

echo "==> \$SRV.PING, with the chorus CLI inside the image"
pings=$(podman exec -e "CHORUS_NATS_URL=nats://127.0.0.1:$nats_port" "$tag-node" /usr/local/bin/chorus micro ping)
for s in auth catalog search recommend profile payment stream; do
  grep -Eq "\"name\": ?\"$s\"" <<<"$pings" || { echo "$pings"; echo "FAIL: $s did not answer \$SRV.PING" >&2; exit 1; }
done
echo "    7 services answered"
# A request through the wire, so the metrics have something to count.
CHORUS_NATS_URL="nats://127.0.0.1:$nats_port" "$bin_dir/chorus" req chorus.catalog.v1.track.list '{"limit": 5}' >/dev/null
metrics=$(http "http://127.0.0.1:$http_port/metrics")
for want in '^chorus_build_info{' '^chorus_ready 1$' '^chorus_requests_total{service="catalog",endpoint="track_list"} 1$' \
  '^chorus_request_duration_seconds_bucket{service="catalog",endpoint="track_list",le="\+Inf"} 1$' \
  '^chorus_view_lag{service="catalog",view="catalog"} 0$' '^chorus_queue_depth{service="stream"} 0$' '^chorus_restarts_total{service="auth"} 0$'; do
  grep -Eq "$want" <<<"$metrics" || { echo "$metrics" | head -n 40; echo "FAIL: /metrics has no line matching $want" >&2; exit 1; }
done
echo "    /metrics: $(grep -vc '^#' <<<"$metrics") samples"
check=$(podman exec "$tag-node" /usr/local/bin/chorus-node --check-config) || { echo "$check"; echo "FAIL: --check-config in the container" >&2; exit 1; }
echo "    chorus-node --check-config in the container: $check"

echo "==> SIGTERM (podman stop, 30 s grace): drains and exits 0"
stop_start=$(date +%s%N)
podman stop -t 30 "$tag-node" >/dev/null
stopped=$(( ($(date +%s%N) - stop_start) / 1000000 ))
code=$(podman inspect --format '{{.State.ExitCode}}' "$tag-node")
logs=$(podman logs "$tag-node" 2>&1)
grep -q 'drained' <<<"$logs" || { podman logs "$tag-node" | tail -n 20; echo "FAIL: no drain in the log" >&2; exit 1; }
[ "$code" = 0 ] || { podman logs "$tag-node" | tail -n 20; echo "FAIL: exit code $code after SIGTERM" >&2; exit 1; }
echo "    exit 0, $stopped ms after SIGTERM"

echo "==> the web player from the same image (chorus web)"
web_port=$(free_port)
mkdir -p "$work/web-config"
printf '{"ws_url": "ws://127.0.0.1:8080", "user": "web", "password": "x"}\n' >"$work/web-config/config.json"
chmod a+r "$work/web-config/config.json"
podman run -d --name "$tag-web" --network host --read-only --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -v "$work/web-config:/etc/chorus-web:ro" --entrypoint /usr/local/bin/chorus "localhost/$tag" \
  web --listen "127.0.0.1:$web_port" >/dev/null
for _ in $(seq 1 100); do [ "$(http "http://127.0.0.1:$web_port/" | head -n1)" = 200 ] && break; sleep 0.05; done
page=$(http "http://127.0.0.1:$web_port/")
grep -q '<html' <<<"$page" || { podman logs "$tag-web"; echo "FAIL: the web player's page" >&2; exit 1; }
page_config=$(http "http://127.0.0.1:$web_port/config.json")
grep -q '"ws_url"' <<<"$page_config" || { echo "FAIL: config.json" >&2; exit 1; }
podman stop -t 10 "$tag-web" >/dev/null
[ "$(podman inspect --format '{{.State.ExitCode}}' "$tag-web")" = 0 ] || { echo "FAIL: chorus web did not exit 0 on SIGTERM" >&2; exit 1; }
echo "    page and config.json served; exit 0 on SIGTERM"
echo "container test passed: image $((size / 1024 / 1024)) MiB, ready in $(( (ready - started) / 1000000 )) ms, drained in $stopped ms"
