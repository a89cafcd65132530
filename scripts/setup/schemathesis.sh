#!/usr/bin/env bash
# Installs Schemathesis (the OpenAPI-driven fuzzer) from PyPI into a virtual environment once per
# version, in a cache directory outside the work tree. Prints the command's path on its last line.
set -euo pipefail
version=4.32.5
cache="${OPAMP_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opamp-fleet}/schemathesis/$version"
if [ -x "$cache/bin/schemathesis" ]; then
  echo "schemathesis: cached ($version)" >&2
  echo "$cache/bin/schemathesis"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "schemathesis: Python 3 is needed" >&2; exit 1; }
echo "schemathesis: installing $version (first time only)" >&2
rm -rf "$cache"
python3 -m venv "$cache" >&2
"$cache/bin/pip" install --quiet "schemathesis==$version" >&2
echo "$cache/bin/schemathesis"
