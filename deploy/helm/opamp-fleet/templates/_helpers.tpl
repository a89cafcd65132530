{{- define "opamp-fleet.name" -}}
{{- printf "%s" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "opamp-fleet.labels" -}}
app.kubernetes.io/name: opamp-fleet
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "opamp-fleet.selector" -}}
app.kubernetes.io/name: opamp-fleet
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
