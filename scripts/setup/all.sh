#!/usr/bin/env bash
# Sets up every real part the tests and the main job use, reusing what is already there:
# a Docker engine, the local base images, and the real collector. Prints the collector's path last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/docker-engine.sh" >&2
"$here/base-images.sh" >&2
"$here/collector.sh"
