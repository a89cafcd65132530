#!/usr/bin/env bash
# Builds the base images the container tests use, without a registry: a Debian root file
# system made by debootstrap, imported with `docker import`. Images are cached by tag and the
# root file system tarballs under the cache directory, so each is built once per machine.
set -euo pipefail
cache="${OPAMP_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opamp-fleet}/images"
mkdir -p "$cache"

debian_mirror() {
  # The Debian entry of apt's sources; other, non-Debian sources may be listed too.
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
          /etc/apt/sources.list 2>/dev/null \
        | grep -oE 'https?://[^ ]*/debian/?$|https?://[^ ]*/debian ' | head -n 1 | tr -d ' ')
  echo "${uri:-http://deb.debian.org/debian}"
}

build_image() {  # tag, extra packages
  local tag=$1 packages=$2
  local tarball="$cache/${tag//[:\/]/_}.tar"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag: cached"
    return
  fi
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    local rootfs
    rootfs=$(mktemp -d)
    echo "base image $tag: debootstrap with $packages"
    debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$(debian_mirror)" >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . > "$tarball.partial"
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import "$tarball" "$tag" >/dev/null
  echo "base image $tag: imported"
}

build_image local/jre17:1 openjdk-17-jre-headless,ca-certificates,procps
