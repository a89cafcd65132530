#!/usr/bin/env bash
# Makes sure Debian's headless browser for the web UI tests is here: chromium and its driver,
# installed from apt when missing. Prints the driver's path on its last line.
set -euo pipefail

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  echo "browser: installing Debian's chromium and chromium-driver" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
echo "browser: $(chromium --version 2>/dev/null | head -n 1)" >&2
command -v chromedriver
