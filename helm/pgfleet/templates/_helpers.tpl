{{/* The three services: key in .Values.services, name, image name. */}}
{{- define "pgfleet.services" -}}
provisioner: provisioner
userManager: user-manager
backupWorker: backup-worker
{{- end -}}

{{- define "pgfleet.labels" -}}
app.kubernetes.io/part-of: pgfleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "pgfleet.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- if $registry }}{{ $registry }}/{{ end }}pgfleet/{{ .name }}:{{ .root.Values.image.tag }}
{{- end -}}
