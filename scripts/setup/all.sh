#!/usr/bin/env bash
# Sets up every real part the tests and the main job use, reusing what is already there: a
# Docker engine, the local base images, the real collector, the opamp-go peers, the Go
# supervisor, the headless browser for the web UI tests, Helm for the chart, and Schemathesis for
# the API. Prints the variables that point the build at them, one NAME=value a line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/docker-engine.sh" >&2
"$here/base-images.sh" >&2
echo "OTELCOL_BIN=$("$here/collector.sh" | tail -n 1)"
echo "OPAMP_GO_PEERS=$("$here/go-peers.sh" | tail -n 1)"
echo "GO_SUPERVISOR=$("$here/go-supervisor.sh" | tail -n 1)"
echo "CHROMEDRIVER=$("$here/browser.sh" | tail -n 1)"
echo "HELM=$("$here/helm.sh" | tail -n 1)"
echo "SCHEMATHESIS=$("$here/schemathesis.sh" | tail -n 1)"
