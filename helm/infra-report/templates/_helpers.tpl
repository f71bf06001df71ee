{{- define "infra-report.name" -}}{{ .Release.Name }}{{- end -}}
{{- define "infra-report.labels" -}}
app.kubernetes.io/name: infra-report
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "infra-report.podSpec" -}}
securityContext: {{ toYaml .root.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .root.Values.terminationGracePeriodSeconds }}
containers:
  - name: {{ .component }}
    image: "{{ .root.Values.image.repository }}:{{ .root.Values.image.tag }}"
    imagePullPolicy: {{ .root.Values.image.pullPolicy }}
    command: {{ toJson .command }}
    env:
      - { name: INFRA_REPORT_CONFIG, value: /etc/infra-report/config.yaml }
    {{- with .root.Values.envSecretName }}
    envFrom:
      - secretRef: { name: {{ . }} }
    {{- end }}
    {{- with .ports }}
    ports: {{ toYaml . | nindent 6 }}
    {{- end }}
    {{- with .probes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    resources: {{ toYaml .resources | nindent 6 }}
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
    volumeMounts:
      - { name: config, mountPath: /etc/infra-report/config.yaml, subPath: config.yaml, readOnly: true }
      - { name: ssh, mountPath: /etc/infra-report/ssh, readOnly: true }
      - { name: api-token, mountPath: /etc/infra-report/secrets, readOnly: true }
      - { name: tmp, mountPath: /tmp }
volumes:
  - name: config
    configMap: { name: {{ include "infra-report.name" .root }}-config }
  - name: ssh
    secret: { secretName: {{ .root.Values.sshSecretName }}, defaultMode: 0440 }
  - name: api-token
    secret: { secretName: {{ .root.Values.apiTokenSecretName }}, optional: true }
  - name: tmp
    emptyDir: {}
{{- end -}}
