{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "deckgen.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, with the chart name unless it already contains it. */}}
{{- define "deckgen.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "deckgen.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deckgen.selectorLabels" -}}
app.kubernetes.io/name: {{ include "deckgen.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "deckgen.labels" -}}
helm.sh/chart: {{ include "deckgen.chart" . }}
{{ include "deckgen.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: deckgen
{{- end }}

{{/* The server pods. */}}
{{- define "deckgen.serverSelectorLabels" -}}
{{ include "deckgen.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/* The grpc-web Envoy pods. */}}
{{- define "deckgen.grpcWebName" -}}
{{- printf "%s-grpc-web" (include "deckgen.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deckgen.grpcWebSelectorLabels" -}}
{{ include "deckgen.selectorLabels" . }}
app.kubernetes.io/component: grpc-web
{{- end }}

{{/* The headless Service Envoy resolves to reach every ready server pod. */}}
{{- define "deckgen.headlessName" -}}
{{- printf "%s-headless" (include "deckgen.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deckgen.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "deckgen.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest when a digest is given. Argument: an image dict and a default tag. */}}
{{- define "deckgen.imageRef" -}}
{{- $image := index . 0 }}
{{- $defaultTag := index . 1 }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default $defaultTag $image.tag) }}
{{- end }}
{{- end }}

{{- define "deckgen.image" -}}
{{- include "deckgen.imageRef" (list .Values.image .Chart.AppVersion) }}
{{- end }}

{{/* The in-cluster DNS name of the gRPC Service. */}}
{{- define "deckgen.serviceHost" -}}
{{- printf "%s.%s.svc" (include "deckgen.fullname" .) .Release.Namespace }}
{{- end }}

{{/*
A gRPC health check in Python (grpcio, in the deckgen image): argv[1] is host:port, the rest are
the services to check; exits 1 unless every one is SERVING.
*/}}
{{- define "deckgen.grpcHealthCheck" -}}
import sys, grpc; from grpc_health.v1 import health_pb2 as pb, health_pb2_grpc as rpc; stub = rpc.HealthStub(grpc.insecure_channel(sys.argv[1])); status = {s: stub.Check(pb.HealthCheckRequest(service=s), timeout=5).status for s in sys.argv[2:]}; print(status); sys.exit(0 if all(v == pb.HealthCheckResponse.SERVING for v in status.values()) else 1)
{{- end }}

{{/* The worker Deployment (workers.enabled). */}}
{{- define "deckgen.workerName" -}}
{{- printf "%s-worker" (include "deckgen.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
