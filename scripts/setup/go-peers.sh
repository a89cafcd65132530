#!/usr/bin/env bash
# Builds the Go interop peers (small programs of ours on opamp-go, under opamp-netty/src/test/go)
# once per version of their sources, into a cache directory outside the work tree. Prints the
# directory holding the binaries on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sources="$root/opamp-netty/src/test/go"
cache="${OPAMP_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opamp-fleet}/go-peers"
hash=$(cd "$sources" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | sort | xargs sha256sum | sha256sum | cut -c1-16)
out="$cache/$hash"

if [ -f "$out/.complete" ]; then
  echo "go peers: cached ($hash)" >&2
  echo "$out"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "go peers: Go is needed to build the opamp-go peers" >&2; exit 1; }
echo "go peers: building ($hash)" >&2
mkdir -p "$out"
(cd "$sources" && for main in */main.go; do
  program=$(dirname "$main")
  CGO_ENABLED=0 go build -trimpath -o "$out/$program" "./$program"
done)
touch "$out/.complete"
echo "$out"
