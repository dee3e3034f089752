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

{{/* <registry>/<repository>/<service>, by digest when one is given, else by tag (default: the chart's appVersion, what the
     build tags: mvn -pl <service> jib:build). */}}
{{- define "pgfleet.image" -}}
{{- $image := .root.Values.image -}}
{{- if $image.registry }}{{ $image.registry }}/{{ end }}{{ $image.repository | default "pgfleet" }}/{{ .name }}
{{- if $image.digest }}@{{ $image.digest }}{{ else }}:{{ $image.tag | default .root.Chart.AppVersion }}{{ end }}
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
