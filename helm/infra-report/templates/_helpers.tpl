{{/* Name prefix of every object: the release name, or nameOverride. */}}
{{- define "infra-report.name" -}}
{{- default .Release.Name .Values.nameOverride | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "infra-report.labels" -}}
app.kubernetes.io/name: infra-report
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end -}}

{{- define "infra-report.selectorLabels" -}}
app.kubernetes.io/name: infra-report
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "infra-report.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "infra-report.sshSecret" -}}
{{- if .Values.ssh.privateKey -}}{{ include "infra-report.name" . }}-ssh{{- else -}}{{ .Values.ssh.existingSecret }}{{- end -}}
{{- end -}}
{{- define "infra-report.envSecret" -}}
{{- if .Values.env.secretValues -}}{{ include "infra-report.name" . }}-env{{- else -}}{{ .Values.env.existingSecret }}{{- end -}}
{{- end -}}
{{- define "infra-report.apiTokenSecret" -}}
{{- if .Values.apiToken.value -}}{{ include "infra-report.name" . }}-api-token{{- else -}}{{ .Values.apiToken.existingSecret }}{{- end -}}
{{- end -}}

{{/* The port a component serves /metrics, /healthz and /readyz on. */}}
{{- define "infra-report.metricsPort" -}}
{{- if eq .component "api" -}}
{{ .root.Values.config.api.port | default 8080 }}
{{- else -}}
{{ index (.root.Values.config.metrics | default dict) (printf "%s_port" .component) | default (get (dict "collector" 9464 "renderer" 9465 "mailer" 9466) .component) }}
{{- end -}}
{{- end -}}

{{/* Checksums that roll the pods when the configuration or a chart-made Secret changes. */}}
{{- define "infra-report.checksums" -}}
checksum/config: {{ toYaml .Values.config | sha256sum }}
checksum/secrets: {{ printf "%s%s%s%s" .Values.ssh.privateKey .Values.ssh.knownHosts (toYaml .Values.env.secretValues) .Values.apiToken.value | sha256sum }}
{{- end -}}

{{/*
V8's heap limit: three quarters of the container's memory limit (the rest is the Node runtime,
buffers and native memory), so a large run fails as a JavaScript out-of-memory the logs explain,
not a kernel OOM kill; an explicit heapMiB wins, 384 MiB without a limit.
*/}}
{{- define "infra-report.heapMiB" -}}
{{- $limit := toString (dig "limits" "memory" "" (.resources | default dict)) -}}
{{- $mib := 0 -}}
{{- if hasSuffix "Gi" $limit -}}{{- $mib = mul (atoi (trimSuffix "Gi" $limit)) 1024 -}}
{{- else if hasSuffix "Mi" $limit -}}{{- $mib = atoi (trimSuffix "Mi" $limit) -}}
{{- end -}}
{{- if .heapMiB -}}{{ .heapMiB }}{{- else if gt $mib 0 -}}{{ div (mul $mib 3) 4 }}{{- else -}}384{{- end -}}
{{- end -}}

{{/* The pod spec every service and the trigger share. */}}
{{- define "infra-report.podSpec" -}}
{{- $root := .root -}}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
securityContext: {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds | default 60 }}
automountServiceAccountToken: false
enableServiceLinks: false
containers:
  - name: {{ .component }}
    image: {{ include "infra-report.image" $root | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command: {{ toJson .command }}
    env:
      - { name: INFRA_REPORT_CONFIG, value: /etc/infra-report/config.yaml }
      - { name: NODE_OPTIONS, value: "--max-old-space-size={{ include "infra-report.heapMiB" . }}" }
    {{- with include "infra-report.envSecret" $root }}
    envFrom:
      - secretRef: { name: {{ . }} }
    {{- end }}
    {{- if .probed }}
    ports:
      - { name: {{ .portName }}, containerPort: {{ include "infra-report.metricsPort" . }}, protocol: TCP }
    livenessProbe:
      httpGet: { path: /healthz, port: {{ .portName }} }
      periodSeconds: 20
      timeoutSeconds: 3
      failureThreshold: 3
    readinessProbe:
      httpGet: { path: /readyz, port: {{ .portName }} }
      periodSeconds: 10
      timeoutSeconds: 3
      failureThreshold: 2
    startupProbe:
      httpGet: { path: /healthz, port: {{ .portName }} }
      periodSeconds: 2
      failureThreshold: 30
    {{- end }}
    resources: {{- toYaml .resources | nindent 6 }}
    securityContext: {{- toYaml $root.Values.containerSecurityContext | nindent 6 }}
    volumeMounts:
      - { name: config, mountPath: /etc/infra-report/config.yaml, subPath: config.yaml, readOnly: true }
      - { name: ssh, mountPath: /etc/infra-report/ssh, readOnly: true }
      - { name: api-token, mountPath: /etc/infra-report/secrets, readOnly: true }
      - { name: tmp, mountPath: /tmp }
{{- with .nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: config
    configMap: { name: {{ include "infra-report.name" $root }}-config }
  - name: ssh
    secret: { secretName: {{ include "infra-report.sshSecret" $root }}, defaultMode: 0440 }
  - name: api-token
    secret: { secretName: {{ include "infra-report.apiTokenSecret" $root }}, optional: true }
  - name: tmp
    emptyDir: { sizeLimit: 256Mi }
{{- end -}}

{{/* The four services: component, command, whether it is the API. */}}
{{- define "infra-report.components" -}}
collector: services/collector/dist/main.js
renderer: services/renderer/dist/main.js
mailer: services/mailer/dist/main.js
api: services/api/dist/main.js
{{- end -}}
