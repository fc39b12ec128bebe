{{/*
Shared pieces of the Chorus chart. Every Deployment of a node (one per
service, or one for all) is built from "chorus.deployments", so the
templates iterate instead of repeating a Deployment per service.
*/}}

{{/* The services a node can host, in the order they are rendered. */}}
{{- define "chorus.serviceNames" -}}
{{- toJson (list "auth" "catalog" "search" "recommend" "profile" "payment" "stream" "subsonic") -}}
{{- end -}}

{{/* Sections with a `replicas` key that jetstream.replicas feeds. */}}
{{- define "chorus.replicatedSections" -}}
{{- toJson (list "auth" "catalog" "recommend" "profile" "payment" "stream") -}}
{{- end -}}

{{- define "chorus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "chorus.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "chorus.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component: dict "root" $ "component" "catalog". */}}
{{- define "chorus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chorus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every label of one component: dict "root" $ "component" "catalog". */}}
{{- define "chorus.labels" -}}
helm.sh/chart: {{ include "chorus.chart" .root }}
{{ include "chorus.selectorLabels" . }}
app.kubernetes.io/version: {{ include "chorus.imageTag" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: chorus
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of resources that belong to no one component. */}}
{{- define "chorus.commonLabels" -}}
helm.sh/chart: {{ include "chorus.chart" . }}
app.kubernetes.io/name: {{ include "chorus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "chorus.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: chorus
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* What selects every node pod (the metrics Service). */}}
{{- define "chorus.nodeSelectorLabels" -}}
app.kubernetes.io/name: {{ include "chorus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
chorus.dev/role: node
{{- end -}}

{{- define "chorus.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "chorus.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "chorus.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "chorus.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "chorus.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret (entries given a `value`). */}}
{{- define "chorus.credentialsName" -}}
{{- printf "%s-credentials" (include "chorus.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Where a credential lives: dict "root" $ "entry" "natsPassword" ->
JSON {"name": <Secret>, "key": <key>}. The entry's value (kept in the chart's
Secret) wins, then its existingSecret, then secrets.existingSecret.
*/}}
{{- define "chorus.secretRef" -}}
{{- $e := index .root.Values.secrets .entry -}}
{{- $name := "" -}}
{{- if $e.value -}}
{{- $name = include "chorus.credentialsName" .root -}}
{{- else if $e.existingSecret -}}
{{- $name = $e.existingSecret -}}
{{- else if .root.Values.secrets.existingSecret -}}
{{- $name = .root.Values.secrets.existingSecret -}}
{{- else -}}
{{- fail (printf "secrets.%s: give it a value, an existingSecret, or set secrets.existingSecret" .entry) -}}
{{- end -}}
{{- toJson (dict "name" $name "key" $e.key) -}}
{{- end -}}

{{/* One env entry from a credential: dict "root" $ "entry" "natsPassword" "env" "CHORUS_NATS_PASSWORD". */}}
{{- define "chorus.secretEnv" -}}
{{- $ref := include "chorus.secretRef" . | fromJson -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- end -}}

{{/*
A map overlaid by another, key by key (a key set to false or 0 still wins,
unlike sprig's merge): dict "base" {...} "over" {...} -> JSON.
*/}}
{{- define "chorus.overlay" -}}
{{- $out := deepCopy (default (dict) .base) -}}
{{- range $k, $v := (default (dict) .over) -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
Every node Deployment to render, as JSON {"items": [...]}; each item:
  name       resource suffix and component label (a service, or "all")
  services   the --services argument
  hosts      the services it hosts
  values     its settings (services.<name> or allInOne) with the chart-wide
             defaults folded in
*/}}
{{- define "chorus.deployments" -}}
{{- $root := . -}}
{{- $names := include "chorus.serviceNames" . | fromJsonArray -}}
{{- $items := list -}}
{{- if .Values.allInOne.enabled -}}
{{- $items = append $items (dict "name" "all" "services" "all" "hosts" $names "values" (include "chorus.deploymentValues" (dict "root" $root "values" .Values.allInOne) | fromJson)) -}}
{{- else -}}
{{- range $name := $names -}}
{{- $svc := index $root.Values.services $name -}}
{{- /* Absent (an upgrade with --reuse-values from a release before it): not rendered. */ -}}
{{- if and $svc $svc.enabled -}}
{{- $items = append $items (dict "name" $name "services" $name "hosts" (list $name) "values" (include "chorus.deploymentValues" (dict "root" $root "values" $svc) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "items" $items) -}}
{{- end -}}

{{/* A Deployment's settings with the chart-wide defaults folded in: dict "root" $ "values" {...}. */}}
{{- define "chorus.deploymentValues" -}}
{{- $v := deepCopy .values -}}
{{- $g := .root.Values -}}
{{- $_ := set $v "env" (include "chorus.overlay" (dict "base" $g.env "over" $v.env) | fromJson) -}}
{{- $_ := set $v "podAnnotations" (include "chorus.overlay" (dict "base" $g.podAnnotations "over" $v.podAnnotations) | fromJson) -}}
{{- $_ := set $v "podLabels" (include "chorus.overlay" (dict "base" $g.podLabels "over" $v.podLabels) | fromJson) -}}
{{- $_ := set $v "nodeSelector" (include "chorus.overlay" (dict "base" $g.nodeSelector "over" $v.nodeSelector) | fromJson) -}}
{{- if not $v.tolerations -}}{{- $_ := set $v "tolerations" $g.tolerations -}}{{- end -}}
{{- if not $v.affinity -}}{{- $_ := set $v "affinity" $g.affinity -}}{{- end -}}
{{- if not $v.priorityClassName -}}{{- $_ := set $v "priorityClassName" $g.priorityClassName -}}{{- end -}}
{{- $_ := set $v "autoscaling" (include "chorus.overlay" (dict "base" $g.autoscaling "over" $v.autoscaling) | fromJson) -}}
{{- $_ := set $v "podDisruptionBudget" (include "chorus.overlay" (dict "base" $g.podDisruptionBudget "over" $v.podDisruptionBudget) | fromJson) -}}
{{- toJson $v -}}
{{- end -}}

{{/*
The configuration one Deployment reads, as a map (JSON): the top-level keys
of `config`, what the chart sets itself, and the sections of the services it
hosts (search also reads the catalog's shared keys). Each Deployment gets
only what it reads, so a change to one service's section rolls only its pods.
log_format is passed as CHORUS_LOG_FORMAT instead, so an `env` entry of
that name is the one place to override it (a variable wins over the file).
dict "root" $ "hosts" (list ...)
*/}}
{{- define "chorus.configMap" -}}
{{- $root := .root -}}
{{- $v := .root.Values -}}
{{- $replicated := include "chorus.replicatedSections" .root | fromJsonArray -}}
{{- $names := include "chorus.serviceNames" .root | fromJsonArray -}}
{{- $c := dict -}}
{{- range $k, $val := $v.config -}}
{{- if and (not (has $k $names)) (ne $k "log_format") -}}
{{- $_ := set $c $k $val -}}
{{- end -}}
{{- end -}}
{{- $_ := set $c "nats_url" $v.nats.url -}}
{{- $_ := set $c "drain_timeout_ms" (mul (int $v.shutdown.drainTimeoutSeconds) 1000) -}}
{{- if not (hasKey $c "trust_replicas") -}}
{{- $_ := set $c "trust_replicas" (int $v.jetstream.replicas) -}}
{{- end -}}
{{- if $v.dataDir.enabled -}}
{{- $_ := set $c "data_dir" $v.dataDir.mountPath -}}
{{- end -}}
{{- range $name := .hosts -}}
{{- $section := deepCopy (default (dict) (index $v.config $name)) -}}
{{- if and (has $name $replicated) (not (hasKey $section "replicas")) -}}
{{- $_ := set $section "replicas" (int $v.jetstream.replicas) -}}
{{- end -}}
{{- $_ := set $c $name $section -}}
{{- end -}}
{{- if has "subsonic" .hosts -}}
{{- /* The gateway listens on every address of the pod, on the port its Service targets. */ -}}
{{- $gateway := include "chorus.subsonic.values" $root | fromJson -}}
{{- $_ := set $c.subsonic "listen" (printf "0.0.0.0:%d" (int $gateway.port)) -}}
{{- if not (hasKey $c.subsonic "forwarded_for") -}}
{{- /* Behind the Ingress, count sign-ins by the app's address, not the proxy's. */ -}}
{{- $_ := set $c.subsonic "forwarded_for" $gateway.ingress.enabled -}}
{{- end -}}
{{- end -}}
{{- if and (has "search" .hosts) (not (has "catalog" .hosts)) -}}
{{- $catalog := default (dict) $v.config.catalog -}}
{{- $shared := dict "replicas" (int (default $v.jetstream.replicas $catalog.replicas)) -}}
{{- if hasKey $catalog "require_sign_in" -}}
{{- $_ := set $shared "require_sign_in" $catalog.require_sign_in -}}
{{- end -}}
{{- $_ := set $c "catalog" $shared -}}
{{- end -}}
{{- if and (has "auth" .hosts) $c.auth.callout (not $v.auth.callout.enabled) -}}
{{- fail "config.auth.callout tunes the auth callout: set auth.callout.enabled too" -}}
{{- end -}}
{{- toJson $c -}}
{{- end -}}

{{/*
TOML from a map. Helm's toToml writes every number from a values file as a
float (`replicas = 3.0`), which the node's integer keys refuse; this writes
whole numbers as integers. Scalars and lists first, then one table per map.
dict "map" {...} "prefix" ""
*/}}
{{- define "chorus.toml" -}}
{{- $prefix := .prefix -}}
{{- range $k, $v := .map -}}
{{- if and (not (kindIs "map" $v)) (not (kindIs "invalid" $v)) }}
{{ include "chorus.toml.key" $k }} = {{ include "chorus.toml.value" $v }}
{{- end -}}
{{- end -}}
{{- range $k, $v := .map -}}
{{- if and (kindIs "map" $v) (gt (len $v) 0) -}}
{{- $path := ternary (include "chorus.toml.key" $k) (printf "%s.%s" $prefix (include "chorus.toml.key" $k)) (eq $prefix "") }}

[{{ $path }}]
{{- include "chorus.toml" (dict "map" $v "prefix" $path) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "chorus.toml.key" -}}
{{- if regexMatch "^[A-Za-z0-9_-]+$" . -}}{{ . }}{{- else -}}{{ toJson . }}{{- end -}}
{{- end -}}

{{- define "chorus.toml.value" -}}
{{- $v := . -}}
{{- if kindIs "string" $v -}}
{{- toJson $v -}}
{{- else if kindIs "bool" $v -}}
{{- $v -}}
{{- else if or (kindIs "float64" $v) (kindIs "float32" $v) -}}
{{- if eq (float64 (int64 $v)) (float64 $v) -}}{{- int64 $v -}}{{- else -}}{{- $v -}}{{- end -}}
{{- else if kindIs "slice" $v -}}
[{{- range $i, $e := $v -}}{{- if $i }}, {{ end -}}{{- include "chorus.toml.value" $e -}}{{- end -}}]
{{- else if kindIs "map" $v -}}
{ {{- range $i, $k := keys $v | sortAlpha -}}{{- if $i }},{{ end }} {{ include "chorus.toml.key" $k }} = {{ include "chorus.toml.value" (index $v $k) -}}{{- end }} }
{{- else -}}
{{- $v -}}
{{- end -}}
{{- end -}}

{{/* The chorus.toml of one Deployment: dict "root" $ "hosts" (list ...). */}}
{{- define "chorus.configToml" -}}
# chorus.toml for: {{ join ", " .hosts }} (rendered by the chart from `config`; see README "Running nodes")
{{- include "chorus.toml" (dict "map" (include "chorus.configMap" . | fromJson) "prefix" "") }}
{{ end -}}

{{/*
The credentials one Deployment uses, as JSON {"entries": [...]} (the
names under `secrets`): the NATS login for all, and each service's own
(signing keys and callout for auth, the fingerprint key for payment).
dict "root" $ "hosts" (list ...)
*/}}
{{- define "chorus.credentialEntries" -}}
{{- $v := .root.Values -}}
{{- $e := list -}}
{{- if eq $v.nats.auth "password" -}}{{- $e = append $e "natsPassword" -}}{{- end -}}
{{- if eq $v.nats.auth "creds" -}}{{- $e = append $e "natsCreds" -}}{{- end -}}
{{- if has "auth" .hosts -}}
{{- $e = append $e "signingKeys" -}}
{{- if $v.auth.callout.enabled -}}
{{- $e = concat $e (list "calloutPassword" "calloutIssuerSeed" "webPassword") -}}
{{- if $v.auth.callout.xkey -}}{{- $e = append $e "calloutXkeySeed" -}}{{- end -}}
{{- end -}}
{{- if $v.auth.bootstrapAdmin.enabled -}}{{- $e = append $e "bootstrapAdminPassword" -}}{{- end -}}
{{- end -}}
{{- if has "payment" .hosts -}}{{- $e = append $e "paymentFingerprintKey" -}}{{- end -}}
{{- toJson (dict "entries" $e) -}}
{{- end -}}

{{/*
A checksum of the credentials the chart keeps for one Deployment, so a
changed value rolls its pods (a change in an existing Secret needs
`kubectl rollout restart`). dict "root" $ "hosts" (list ...)
*/}}
{{- define "chorus.credentialsChecksum" -}}
{{- $root := .root -}}
{{- $values := list -}}
{{- range $entry := (include "chorus.credentialEntries" . | fromJson).entries -}}
{{- $e := index $root.Values.secrets $entry -}}
{{- $values = append $values (list $entry (default "" $e.value) (default "" $e.existingSecret) $e.key) -}}
{{- end -}}
{{- $values = append $values $root.Values.secrets.existingSecret -}}
{{- toJson $values | sha256sum -}}
{{- end -}}

{{/* Where a .creds file is mounted. */}}
{{- define "chorus.natsCredsDir" -}}/etc/chorus-nats{{- end -}}

{{/*
The env of one node container: what the chart sets, then `env` (global and
the Deployment's), which wins over a chart variable of the same name.
dict "root" $ "hosts" (list ...) "env" {...}
*/}}
{{- define "chorus.nodeEnv" -}}
{{- $root := .root -}}
{{- $v := .root.Values -}}
{{- $user := default (dict) .env -}}
{{- $out := list -}}
{{- $plain := list (list "CHORUS_CONFIG" "/etc/chorus/chorus.toml") (list "CHORUS_HTTP_LISTEN" (printf "0.0.0.0:%d" (int $v.http.port))) -}}
{{- if $v.config.log_format -}}
{{- $plain = append $plain (list "CHORUS_LOG_FORMAT" $v.config.log_format) -}}
{{- end -}}
{{- if eq $v.nats.auth "password" -}}
{{- $plain = append $plain (list "CHORUS_NATS_USER" $v.nats.user) -}}
{{- end -}}
{{- if eq $v.nats.auth "creds" -}}
{{- $plain = append $plain (list "CHORUS_NATS_CREDS" (printf "%s/nats.creds" (include "chorus.natsCredsDir" $root))) -}}
{{- end -}}
{{- $secret := list -}}
{{- if eq $v.nats.auth "password" -}}
{{- $secret = append $secret (list "CHORUS_NATS_PASSWORD" "natsPassword") -}}
{{- end -}}
{{- if has "auth" .hosts -}}
{{- $secret = append $secret (list "CHORUS_AUTH__SIGNING_KEYS" "signingKeys") -}}
{{- if $v.auth.callout.enabled -}}
{{- $plain = concat $plain (list (list "CHORUS_AUTH__CALLOUT__USER" $v.auth.callout.user) (list "CHORUS_AUTH__CALLOUT__ACCOUNT" $v.auth.callout.account) (list "CHORUS_AUTH__CALLOUT__WEB_USER" $v.auth.callout.webUser)) -}}
{{- $secret = concat $secret (list (list "CHORUS_AUTH__CALLOUT__PASSWORD" "calloutPassword") (list "CHORUS_AUTH__CALLOUT__ISSUER_SEED" "calloutIssuerSeed") (list "CHORUS_AUTH__CALLOUT__WEB_PASSWORD" "webPassword")) -}}
{{- if $v.auth.callout.xkey -}}
{{- $secret = append $secret (list "CHORUS_AUTH__CALLOUT__XKEY_SEED" "calloutXkeySeed") -}}
{{- end -}}
{{- end -}}
{{- if $v.auth.bootstrapAdmin.enabled -}}
{{- $plain = concat $plain (list (list "CHORUS_AUTH__BOOTSTRAP_ADMIN__USERNAME" $v.auth.bootstrapAdmin.username) (list "CHORUS_AUTH__BOOTSTRAP_ADMIN__EMAIL" $v.auth.bootstrapAdmin.email)) -}}
{{- $secret = append $secret (list "CHORUS_AUTH__BOOTSTRAP_ADMIN__PASSWORD" "bootstrapAdminPassword") -}}
{{- end -}}
{{- end -}}
{{- if has "payment" .hosts -}}
{{- $secret = append $secret (list "CHORUS_PAYMENT__FINGERPRINT_KEY" "paymentFingerprintKey") -}}
{{- end -}}
{{- range $p := $plain -}}
{{- if not (hasKey $user (index $p 0)) }}
- name: {{ index $p 0 }}
  value: {{ index $p 1 | toString | quote }}
{{- end -}}
{{- end -}}
{{- range $s := $secret -}}
{{- if not (hasKey $user (index $s 0)) }}
{{ include "chorus.secretEnv" (dict "root" $root "entry" (index $s 1) "env" (index $s 0)) }}
{{- end -}}
{{- end -}}
{{- range $name := keys $user | sortAlpha -}}
{{- $val := index $user $name }}
- name: {{ $name }}
{{- if kindIs "map" $val }}
  {{- toYaml $val | nindent 2 }}
{{- else }}
  value: {{ $val | toString | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Soft spread over zones and nodes: dict "root" $ "component" "catalog". */}}
{{- define "chorus.topologySpread" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- with .root.Values.topologySpread -}}
{{- range $key := .topologyKeys }}
- maxSkew: {{ $.root.Values.topologySpread.maxSkew }}
  topologyKey: {{ $key }}
  whenUnsatisfiable: {{ $.root.Values.topologySpread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "chorus.selectorLabels" (dict "root" $root "component" $component) | nindent 6 }}
  # Counted per ReplicaSet, so a rollout spreads its new pods too.
  matchLabelKeys:
    - pod-template-hash
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The web player's websocket URL: web.wsUrl, else the Ingress's first host and natsWebsocket path. */}}
{{- define "chorus.web.wsUrl" -}}
{{- $w := .Values.web -}}
{{- if $w.wsUrl -}}
{{- $w.wsUrl -}}
{{- else if and $w.ingress.enabled $w.ingress.natsWebsocket.enabled $w.ingress.hosts -}}
{{- printf "%s://%s%s" (ternary "wss" "ws" (gt (len $w.ingress.tls) 0)) (first $w.ingress.hosts) $w.ingress.natsWebsocket.path -}}
{{- end -}}
{{- end -}}

{{/*
Where the web player's config.json comes from, as JSON. web.configFrom:
  auto (the default, and what an empty value means): made by `chorus web
    --ws-url` when a websocket URL is known (web.wsUrl, else the Ingress),
    else read whole from secrets.webConfig;
  wsUrl: made by `chorus web --ws-url`; the URL must be known;
  webConfig: read whole from secrets.webConfig (web.wsUrl must be empty).
Made: {"from": "wsUrl", "wsUrl", "user" (auth.callout.webUser), "password"
(the secretRef of secrets.webPassword, passed as CHORUS_WEB_PASSWORD),
"value"}. Read: {"from": "webConfig", "file" (the secretRef of
secrets.webConfig), "value"}. `value` is the inline credential, if any, so
that the web pods' checksum changes with it.
*/}}
{{- define "chorus.web.config" -}}
{{- $w := .Values.web -}}
{{- $url := include "chorus.web.wsUrl" . -}}
{{- $from := default "auto" $w.configFrom -}}
{{- if eq $from "auto" -}}
{{- $from = ternary "wsUrl" "webConfig" (ne $url "") -}}
{{- end -}}
{{- $out := dict "from" $from -}}
{{- if eq $from "wsUrl" -}}
{{- if not $url -}}
{{- fail "web.configFrom=wsUrl: set web.wsUrl (the NATS websocket URL browsers reach, wss://...), or enable web.ingress with natsWebsocket and a host" -}}
{{- end -}}
{{- $_ := set $out "wsUrl" $url -}}
{{- $_ := set $out "user" .Values.auth.callout.webUser -}}
{{- $_ := set $out "password" (include "chorus.secretRef" (dict "root" . "entry" "webPassword") | fromJson) -}}
{{- $_ := set $out "value" (default "" .Values.secrets.webPassword.value) -}}
{{- else -}}
{{- if $w.wsUrl -}}
{{- fail "web.wsUrl is not used with web.configFrom=webConfig (config.json comes whole from secrets.webConfig): unset one of them" -}}
{{- end -}}
{{- $_ := set $out "file" (include "chorus.secretRef" (dict "root" . "entry" "webConfig") | fromJson) -}}
{{- $_ := set $out "value" (default "" .Values.secrets.webConfig.value) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
The node Deployment that hosts the Subsonic gateway (services.subsonic, or
the all-in-one one), as JSON {"name": ...}; {} when none does.
*/}}
{{- define "chorus.subsonic.deployment" -}}
{{- $out := dict -}}
{{- range $d := (include "chorus.deployments" . | fromJson).items -}}
{{- if has "subsonic" $d.hosts -}}
{{- $out = dict "name" $d.name -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
The preStop pause of one node Deployment: shutdown.preStopSleepSeconds, or,
for one hosting the Subsonic gateway (behind a Service and maybe an
Ingress), at least subsonic.preStopSleepSeconds, so that endpoints stop
sending to the pod before it stops accepting. dict "root" $ "hosts" (list ...)
*/}}
{{- define "chorus.preStopSleep" -}}
{{- $v := .root.Values -}}
{{- $sleep := int $v.shutdown.preStopSleepSeconds -}}
{{- if has "subsonic" .hosts -}}
{{- $sleep = max $sleep (int (include "chorus.subsonic.values" .root | fromJson).preStopSleepSeconds) -}}
{{- end -}}
{{- $sleep -}}
{{- end -}}

{{/*
The `subsonic` values (the gateway's port, Service and Ingress) over their
defaults, as JSON, key by key: an upgrade with --reuse-values from a release
before the gateway has none, yet an all-in-one node (`--services all`) hosts
it. Keep the defaults in step with values.yaml.
*/}}
{{- define "chorus.subsonic.values" -}}
{{- $given := default (dict) .Values.subsonic -}}
{{- $service := include "chorus.overlay" (dict "base" (dict "type" "ClusterIP" "port" 4533 "annotations" (dict)) "over" $given.service) | fromJson -}}
{{- $ingress := include "chorus.overlay" (dict "base" (dict "enabled" false "className" "" "annotations" (dict) "hosts" (list) "tls" (list) "path" "/rest") "over" $given.ingress) | fromJson -}}
{{- $out := include "chorus.overlay" (dict "base" (dict "port" 4533 "preStopSleepSeconds" 5) "over" $given) | fromJson -}}
{{- $_ := set $out "service" $service -}}
{{- $_ := set $out "ingress" $ingress -}}
{{- toJson $out -}}
{{- end -}}
