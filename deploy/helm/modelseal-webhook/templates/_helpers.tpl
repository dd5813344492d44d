{{/* The chart label: name-version, as helm.sh/chart conventionally reads. */}}
{{- define "modelseal-webhook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* What selects this release's pods; never changes across upgrades (selectors are immutable). */}}
{{- define "modelseal-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The standard labels, on every object the chart renders. */}}
{{- define "modelseal-webhook.labels" -}}
helm.sh/chart: {{ include "modelseal-webhook.chart" . }}
{{ include "modelseal-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: modelseal
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The webhook image: repository@digest when a digest is given, else repository:tag. */}}
{{- define "modelseal-webhook.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "modelseal-webhook.verifierImage" -}}
{{- .Values.runtimeVerification.image | default (include "modelseal-webhook.image" .) -}}
{{- end -}}

{{/* The Service's DNS names, the serving certificate's subject alternative names. */}}
{{- define "modelseal-webhook.dnsNames" -}}
{{- $svc := printf "%s.%s.svc" .Release.Name .Release.Namespace -}}
{{- list (printf "%s.%s" .Release.Name .Release.Namespace) $svc (printf "%s.cluster.local" $svc) | toJson -}}
{{- end -}}

{{/*
The self-signed CA and serving pair, made once per render and shared by the Secret and both
webhook configurations (memoized in .Values: every template sees the same map). On upgrade the
pair already in the cluster is kept (lookup), so the CA bundle and the Secret never disagree.
*/}}
{{- define "modelseal-webhook.selfSigned" -}}
{{- if not (hasKey .Values "__modelsealTls") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace .Values.tls.secretName -}}
{{- if and $existing (index ($existing.data | default dict) "ca.crt") -}}
{{- $_ := set .Values "__modelsealTls" (dict "ca" (index $existing.data "ca.crt") "crt" (index $existing.data "tls.crt") "key" (index $existing.data "tls.key")) -}}
{{- else -}}
{{- $days := int .Values.certificates.selfSigned.validityDays -}}
{{- $ca := genCA (printf "%s-ca" .Release.Name) $days -}}
{{- $cn := printf "%s.%s.svc" .Release.Name .Release.Namespace -}}
{{- $cert := genSignedCert $cn nil (include "modelseal-webhook.dnsNames" . | fromJsonArray) $days $ca -}}
{{- $_ := set .Values "__modelsealTls" (dict "ca" ($ca.Cert | b64enc) "crt" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* caBundle for a webhook configuration, per certificates.mode (cert-manager injects its own). */}}
{{- define "modelseal-webhook.caBundle" -}}
{{- if eq .Values.certificates.mode "self-signed" -}}
{{- include "modelseal-webhook.selfSigned" . -}}
caBundle: {{ index .Values "__modelsealTls" "ca" }}
{{- else if eq .Values.certificates.mode "manual" -}}
{{- if and (not .Values.webhook.caBundle) (eq .Values.webhook.failurePolicy "Fail") -}}
{{- fail "certificates.mode=manual needs webhook.caBundle: with failurePolicy Fail an empty caBundle rejects every pod with volumes" -}}
{{- end -}}
caBundle: {{ .Values.webhook.caBundle | quote }}
{{- end -}}
{{- end -}}

{{/* cert-manager's cainjector fills caBundle from this Certificate. */}}
{{- define "modelseal-webhook.annotations" -}}
{{- if eq .Values.certificates.mode "cert-manager" -}}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace .Release.Name }}
{{- end -}}
{{- end -}}
