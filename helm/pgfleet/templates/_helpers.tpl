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

{{/* The state database's JDBC URL, with sslmode and the CA file when TLS is configured. */}}
{{- define "pgfleet.dbUrl" -}}
{{- $url := .Values.database.url -}}
{{- if .Values.database.sslMode -}}
{{- $url = printf "%s%ssslmode=%s" $url (ternary "&" "?" (contains "?" $url)) .Values.database.sslMode -}}
{{- if .Values.database.caSecret -}}
{{- $url = printf "%s&sslrootcert=/etc/pgfleet/db-ca/ca.crt" $url -}}
{{- end -}}
{{- end -}}
{{- $url -}}
{{- end -}}
