{{/*
The pod template of a deckgen Deployment. Argument: a dict with
  root: the chart's root context; component: `server` or `worker` (the pod label);
  role: "" (api and worker in one), `api` or `worker` (ROLE); resources: the container's resources.
*/}}
{{- define "deckgen.podTemplate" -}}
{{- $r := .root -}}
{{- $component := .component -}}
{{- $role := .role -}}
{{- $resources := .resources -}}
metadata:
  annotations:
    checksum/config: {{ include (print $r.Template.BasePath "/configmap.yaml") $r | sha256sum }}
    {{- with $r.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "deckgen.labels" $r | nindent 4 }}
    app.kubernetes.io/component: {{ $component }}
    {{- with $r.Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "deckgen.serviceAccountName" $r }}
  automountServiceAccountToken: false
  {{- with $r.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $r.Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  # SIGTERM turns health NOT_SERVING and drains streams for SHUTDOWN_GRACE seconds.
  terminationGracePeriodSeconds: {{ $r.Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml $r.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: deckgen
      image: {{ include "deckgen.image" $r | quote }}
      imagePullPolicy: {{ $r.Values.image.pullPolicy }}
      ports:
        - name: grpc
          containerPort: {{ $r.Values.containerPorts.grpc }}
          protocol: TCP
        - name: health
          containerPort: {{ $r.Values.containerPorts.health }}
          protocol: TCP
        {{- if $r.Values.metrics.enabled }}
        - name: metrics
          containerPort: {{ $r.Values.containerPorts.metrics }}
          protocol: TCP
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "deckgen.fullname" $r }}
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: OTEL_SERVICE_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['app.kubernetes.io/name']
        - name: OTEL_RESOURCE_ATTRIBUTES
          value: k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),service.version={{ $r.Chart.AppVersion }}
        {{- with $r.Values.secrets.existingSecret }}
        - name: OPENAI_API_KEY
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $r.Values.secrets.openaiApiKeyKey }}
              optional: true
        - name: SUPABASE_SERVICE_ROLE_KEY
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $r.Values.secrets.supabaseServiceRoleKeyKey }}
              optional: {{ ne $r.Values.config.storageBackend "supabase" }}
        - name: API_KEYS
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $r.Values.secrets.apiKeysKey }}
              optional: {{ not (contains "api_key" $r.Values.config.authMode) }}
        - name: RESUME_TOKEN_SECRET
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $r.Values.secrets.resumeTokenSecretKey }}
        - name: SUPABASE_JWT_SECRET
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $r.Values.secrets.supabaseJwtSecretKey }}
              optional: true
        {{- if $r.Values.redis.url }}
        - name: REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $r.Values.secrets.redisPasswordKey }}
              optional: true
        {{- end }}
        {{- end }}
        {{- with $role }}
        - name: ROLE
          value: {{ . }}
        {{- end }}
      startupProbe:
        grpc:
          port: {{ $r.Values.containerPorts.health }}
          service: liveness
        periodSeconds: {{ $r.Values.probes.startup.periodSeconds }}
        failureThreshold: {{ $r.Values.probes.startup.failureThreshold }}
        timeoutSeconds: {{ $r.Values.probes.startup.timeoutSeconds }}
      livenessProbe:
        grpc:
          port: {{ $r.Values.containerPorts.health }}
          service: liveness
        periodSeconds: {{ $r.Values.probes.liveness.periodSeconds }}
        failureThreshold: {{ $r.Values.probes.liveness.failureThreshold }}
        timeoutSeconds: {{ $r.Values.probes.liveness.timeoutSeconds }}
      readinessProbe:
        grpc:
          port: {{ $r.Values.containerPorts.health }}
          service: readiness
        periodSeconds: {{ $r.Values.probes.readiness.periodSeconds }}
        failureThreshold: {{ $r.Values.probes.readiness.failureThreshold }}
        timeoutSeconds: {{ $r.Values.probes.readiness.timeoutSeconds }}
      lifecycle:
        preStop:
          exec:
            # Keep serving while the endpoint is removed everywhere, then SIGTERM drains.
            command: ["sleep", "{{ $r.Values.preStopSleepSeconds }}"]
      resources:
        {{- toYaml $resources | nindent 8 }}
      securityContext:
        {{- toYaml $r.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: data
          mountPath: /data
        {{- if $r.Values.tls.enabled }}
        - name: tls
          mountPath: /etc/deckgen/tls
          readOnly: true
        {{- end }}
  volumes:
    {{- if $r.Values.tls.enabled }}
    # Mounted whole (no subPath), so a renewed Secret reaches the files and the server reloads them.
    - name: tls
      secret:
        secretName: {{ $r.Values.tls.existingSecret }}
    {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ $r.Values.volumes.tmpSizeLimit }}
    - name: data
      {{- if $r.Values.volumes.dataExistingClaim }}
      persistentVolumeClaim:
        claimName: {{ $r.Values.volumes.dataExistingClaim }}
      {{- else }}
      emptyDir:
        sizeLimit: {{ $r.Values.volumes.dataSizeLimit }}
      {{- end }}
  topologySpreadConstraints:
    {{- if $r.Values.topologySpreadConstraints }}
    {{- toYaml $r.Values.topologySpreadConstraints | nindent 4 }}
    {{- else }}
    {{- range $r.Values.topologySpread.topologyKeys }}
    - maxSkew: {{ $r.Values.topologySpread.maxSkew }}
      topologyKey: {{ . }}
      whenUnsatisfiable: {{ $r.Values.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "deckgen.selectorLabels" $r | nindent 10 }}
          app.kubernetes.io/component: {{ $component }}
      matchLabelKeys:
        - pod-template-hash
    {{- end }}
    {{- end }}
  {{- with $r.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $r.Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $r.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
