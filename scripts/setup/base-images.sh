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

build_image() {  # tag, extra packages, [a function that finishes the root file system], [docker import --change]
  local tag=$1 packages=$2 finish=${3:-} change=${4:-}
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
    [ -n "$finish" ] && "$finish" "$rootfs"
    tar -C "$rootfs" -c . > "$tarball.partial"
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  if [ -n "$change" ]; then
    docker import --change "$change" "$tarball" "$tag" >/dev/null
  else
    docker import "$tarball" "$tag" >/dev/null
  fi
  echo "base image $tag: imported"
}

# PostgreSQL 15 with an entrypoint of our own: initdb and the POSTGRES_USER/PASSWORD/DB role and
# database on first start (in single-user mode, so "ready to accept connections" is logged once),
# then the server, listening on every address with password authentication.
postgres_entrypoint() {
  cat > "$1/usr/local/bin/postgres-entrypoint" <<'SH'
#!/bin/sh
set -eu
bin=/usr/lib/postgresql/15/bin
data=/var/lib/postgresql/data
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$data/PG_VERSION" ]; then
  mkdir -p "$data" /run/postgresql
  chown postgres:postgres "$data" /run/postgresql
  # UTF8, as PostgreSQL's own images make it: the default here would be SQL_ASCII, where a
  # VARCHAR(n) counts bytes and text with accents or symbols overflows columns sized in characters.
  as_postgres "$bin/initdb" -D "$data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  echo "listen_addresses = '*'" >> "$data/postgresql.conf"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$data/pg_hba.conf"
  user=${POSTGRES_USER:-postgres} password=${POSTGRES_PASSWORD:-postgres} db=${POSTGRES_DB:-$user}
  {
    [ "$user" = postgres ] || echo "CREATE ROLE \"$user\" LOGIN;"
    echo "ALTER ROLE \"$user\" PASSWORD '$password';"
    [ "$db" = postgres ] || echo "CREATE DATABASE \"$db\" OWNER \"$user\";"
  } | as_postgres "$bin/postgres" --single -D "$data" postgres >/dev/null
fi
mkdir -p /run/postgresql && chown postgres:postgres /run/postgresql
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$data"
SH
  chmod 755 "$1/usr/local/bin/postgres-entrypoint"
}

build_image local/jre17:1 openjdk-17-jre-headless,ca-certificates,procps
build_image local/postgres15:2 postgresql-15 postgres_entrypoint \
  'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]'
# HAProxy in front of several servers: its configuration is mounted at /etc/haproxy/haproxy.cfg.
build_image local/haproxy:1 haproxy '' \
  'ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"]'
