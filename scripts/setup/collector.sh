#!/usr/bin/env bash
# Builds the real collector from collector/builder-config.yaml with the OpenTelemetry Collector
# Builder (Go module proxy), once per manifest: the binary is cached outside the work tree under
# a directory named by the manifest's hash. Prints the binary's path on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
manifest="$root/collector/builder-config.yaml"
cache="${OPAMP_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opamp-fleet}/collector"
builder_version=$(grep -oE 'collector/receiver/otlpreceiver v[0-9.]+' "$manifest" | awk '{print $2}')
hash=$(cat "$manifest" | sha256sum | cut -c1-16)
binary="$cache/$hash/otelcol-fleet"

if [ -x "$binary" ]; then
  echo "collector: cached ($hash)" >&2
  echo "$binary"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "collector: Go is needed to build the collector" >&2; exit 1; }
mkdir -p "$cache/bin"
if [ ! -x "$cache/bin/builder-$builder_version" ]; then
  echo "collector: installing the builder $builder_version" >&2
  GOBIN="$cache/bin" go install "go.opentelemetry.io/collector/cmd/builder@$builder_version"
  mv "$cache/bin/builder" "$cache/bin/builder-$builder_version"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "collector: building from $(basename "$manifest") ($hash); this takes a few minutes once" >&2
started=$(date +%s)
fail() { tail -n 40 "$work/build.log" >&2; echo "collector: $1" >&2; exit 1; }
# The builder only generates the sources. Its own `go mod tidy` also resolves the test-only
# imports of every component, some of which the module proxy does not serve; `tidy -e` goes on
# past those, and the build itself needs none of them.
"$cache/bin/builder-$builder_version" --config "$manifest" --output-path "$work/dist" \
  --skip-get-modules --skip-compilation >"$work/build.log" 2>&1 || fail "source generation failed"
(cd "$work/dist" && go mod tidy -e && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o otelcol-fleet .) \
  >>"$work/build.log" 2>&1 || fail "build failed"
mkdir -p "$cache/$hash"
cp "$work/dist/otelcol-fleet" "$binary.partial"
mv "$binary.partial" "$binary"
echo "collector: built in $(( $(date +%s) - started )) s" >&2
echo "$binary"
