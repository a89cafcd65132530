#!/usr/bin/env bash
# Builds the OpenTelemetry Go supervisor (opampsupervisor) from the Go module proxy once per
# version, into a cache directory outside the work tree: the interop tests run it against the
# server. Prints the binary's path on its last line.
set -euo pipefail
version=v0.149.0
cache="${OPAMP_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opamp-fleet}/go-supervisor/$version"
if [ -x "$cache/opampsupervisor" ]; then
  echo "go supervisor: cached ($version)" >&2
  echo "$cache/opampsupervisor"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "go supervisor: Go is needed to build the Go supervisor" >&2; exit 1; }
echo "go supervisor: building $version (first time only)" >&2
# Its module has replace directives, so `go install pkg@version` refuses it: it is built as a
# dependency of a module made for the purpose, from the versions its go.mod requires.
package=github.com/open-telemetry/opentelemetry-collector-contrib/cmd/opampsupervisor
work="$cache/build"
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && go mod init opamp-fleet/go-supervisor >&2 && go get "$package@$version" >&2 \
  && CGO_ENABLED=0 go build -trimpath -o "$cache/opampsupervisor" "$package" >&2)
rm -rf "$work"
echo "$cache/opampsupervisor"
