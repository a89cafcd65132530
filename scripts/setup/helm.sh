#!/usr/bin/env bash
# Builds Helm from the Go module proxy once per version, into a cache directory outside the work
# tree. Prints the binary's path on its last line.
set -euo pipefail
version=v4.3.2
cache="${OPAMP_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opamp-fleet}/helm/$version"
if [ -x "$cache/helm" ]; then
  echo "helm: cached ($version)" >&2
  echo "$cache/helm"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "helm: Go is needed to build helm" >&2; exit 1; }
echo "helm: building $version (first time only)" >&2
mkdir -p "$cache"
GOBIN="$cache" CGO_ENABLED=0 go install "helm.sh/helm/v4/cmd/helm@$version" >&2
echo "$cache/helm"
